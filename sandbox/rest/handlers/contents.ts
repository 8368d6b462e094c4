import type { TreeEntry } from '../../git/objects.js';
import { fail, GitHubError, notFound } from '../../model/errors.js';
import type { Repository } from '../../model/repositories.js';
import type { Place } from '../json/contents.js';
import { base64Lines, contentJson, listingJson } from '../json/contents.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

/** "This API supports files up to 1 megabyte in size" with the default media type. */
const MAX_BLOB = 1024 * 1024;

/** "This API has an upper limit of 1,000 files for a directory." */
const MAX_DIRECTORY_ENTRIES = 1000;

/** A repository path as GitHub takes it, or null when no tree entry can have it. */
function normalizePath(raw: string): string | null {
  const trimmed = raw.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const parts = trimmed.split('/');
  return parts.some((part) => part === '' || part === '.' || part === '..') ? null : trimmed;
}

/** The `url` that the commit's .gitmodules gives the submodule at `path` ('' when none). */
async function submoduleUrl(repository: Repository, commit: string, path: string): Promise<string> {
  const settings = await repository.git.configBlob(`${commit}:.gitmodules`);
  for (const [key, value] of settings) {
    const name = /^submodule\.(.+)\.path$/.exec(key)?.[1];
    if (name !== undefined && value === path) return settings.get(`submodule.${name}.url`) ?? '';
  }
  return '';
}

/**
 * GET /repos/{owner}/{repo}/contents/{path}?ref= — a file as a base64 object, a directory as
 * an array, a symlink as its target (not followed), read from the bare repository with git.
 */
export async function handleGetContent(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const git = repository.git;
  const asked = query.get('ref');
  const ref = asked === null || asked === '' ? repository.defaultBranch : asked;
  const commit = await git.resolveCommitish(ref);
  if (commit === null) {
    if (asked === null || asked === '') {
      // https://github.com/GSA/codeinventory-github/issues/1: "GET …/contents/: 404 - This
      // repository is empty."
      if ((await git.listRefs('refs/heads/')).length === 0) {
        fail(404, 'This repository is empty.', docs);
      }
    }
    // A ref that names no commit is a 404 with its own message, e.g. "No commit found for the
    // ref master" for …/contents/package.json?ref=master:
    // https://github.com/Bhacaz/checkout-files/issues/11
    fail(404, `No commit found for the ref ${ref}`, docs);
  }
  const path = normalizePath(params['path'] ?? '');
  if (path === null) notFound(docs);
  const place: Place = { context, repository, ref };

  let entry: TreeEntry | null;
  if (path === '') {
    entry = { mode: '040000', type: 'tree', sha: await git.treeOf(commit), size: null, path: '' };
  } else {
    entry = await git.treeEntry(commit, path);
  }
  if (entry === null) notFound(docs);

  if (entry.type === 'tree') {
    const entries = (await git.listTree(entry.sha)).slice(0, MAX_DIRECTORY_ENTRIES);
    return { status: 200, body: entries.map((child) => listingJson(place, path, child)) };
  }
  if (entry.type === 'commit') {
    const url = await submoduleUrl(repository, commit, path);
    const body = contentJson(place, path, entry, { type: 'submodule', submodule_git_url: url });
    return { status: 200, body };
  }
  if ((entry.size ?? 0) > MAX_BLOB) {
    // https://github.com/octokit/octokit.net/issues/3029, https://github.com/hub4j/github-api/issues/85
    throw new GitHubError(403, {
      message:
        'This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.',
      errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
      documentation_url: docs,
      status: '403',
    });
  }
  const data = await git.readBlob(entry.sha);
  if (entry.mode === '120000') {
    const body = contentJson(place, path, entry, {
      type: 'symlink',
      target: data.toString('utf8'),
    });
    return { status: 200, body };
  }
  const content = base64Lines(data);
  return {
    status: 200,
    body: contentJson(place, path, entry, { type: 'file', content, encoding: 'base64' }),
  };
}

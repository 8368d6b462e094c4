import { fail, notFound } from '../../model/errors.js';
import { commitItemJson, commitJson, gitCommitJson } from '../json/commits.js';
import { pullSimpleJson } from '../json/pulls.js';
import { listResponse, paginate, repositoryLink } from '../paging.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

/**
 * GET /repos/{owner}/{repo}/commits: the history from `sha` (a branch, tag or commit; default
 * the default branch), newest first like `git log`, only the commits touching `path` when given
 * (`git log -- path`), paginated with GitHub's Link header. `author`, `committer`, `since` and
 * `until` are not modelled.
 */
export async function handleListCommits(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, query, docs } = request;
  const git = repository.git;
  const asked = query.get('sha');
  const start = asked === null || asked === '' ? repository.defaultBranch : asked;
  const tip = await git.resolveCommitish(start);
  if (tip === null) {
    // An empty repository: 409 "Git Repository is empty." (https://github.com/github/rest-api-description/issues/385).
    if ((await git.listRefs('refs/heads/')).length === 0) {
      fail(409, 'Git Repository is empty.', docs);
    }
    // The same words as GET /commits/{ref}'s 422, but as a 404: list-commits documents a 404 and
    // no 422 (repos/list-commits in GitHub's OpenAPI description). We found no first-party
    // record of this answer's exact words.
    fail(404, `No commit found for SHA: ${start}`, docs);
  }
  const rawPath = query.get('path');
  const path = rawPath === null ? '' : rawPath.replace(/^\/+|\/+$/g, '');
  const shas = await git.revList(tip, path === '' ? undefined : path);
  const page = paginate(shas, query, repositoryLink(context, repository, '/commits'));
  const commits = await git.readCommits(page.items);
  return listResponse({ ...page, items: commits }, (commit) =>
    commitItemJson(context, repository, commit),
  );
}

export async function handleGetCommit(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const ref = params['ref'] ?? '';
  const sha = await repository.git.resolve(ref);
  // GitHub: 422 {"message":"No commit found for SHA: <ref>"} for anything it cannot resolve.
  if (sha === null) fail(422, `No commit found for SHA: ${ref}`, docs);
  return { status: 200, body: await commitJson(context, repository, sha) };
}

export async function handleGetGitCommit(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const raw = params['commit_sha'] ?? '';
  const type = /^[0-9a-f]{40}$/.test(raw) ? await repository.git.objectType(raw) : null;
  if (type !== 'commit') notFound(docs);
  const commit = await repository.git.readCommit(raw);
  return { status: 200, body: gitCommitJson(context, repository, commit) };
}

/**
 * "Lists the merged pull request that introduced the commit to the repository. If the commit is
 * not present in the default branch, will only return open pull requests associated with the
 * commit." The `commit_sha` may be a branch name.
 * https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit
 */
export async function handleCommitPulls(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const raw = params['commit_sha'] ?? '';
  const sha = await repository.git.resolve(raw);
  if (sha === null) fail(422, `No commit found for SHA: ${raw}`, docs);
  const git = repository.git;
  const defaultTip = await git.refSha(`refs/heads/${repository.defaultBranch}`);
  const onDefault = defaultTip !== null && (await git.isAncestor(sha, defaultTip));
  const found = [];
  for (const pull of [...repository.pulls.values()].sort((a, b) => b.number - a.number)) {
    if (onDefault ? pull.mergedAt === null : pull.state !== 'open') continue;
    const introduces =
      pull.mergeCommitSha === sha ||
      ((await git.isAncestor(sha, pull.headSha)) && !(await git.isAncestor(sha, pull.baseSha)));
    if (introduces) found.push(pull);
  }
  const page = paginate(found, query, repositoryLink(context, repository, `/commits/${sha}/pulls`));
  return listResponse(page, (pull) => pullSimpleJson(context, repository, pull));
}

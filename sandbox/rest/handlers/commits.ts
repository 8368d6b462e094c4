import { nodeId } from '../../model/accounts.js';
import type { SandboxContext } from '../../model/context.js';
import type { CommitInfo, GitIdentity } from '../../git/objects.js';
import { isoSeconds } from '../json/common.js';
import { pullSimpleJson } from '../../model/pulls.js';
import type { Repository } from '../../model/repositories.js';
import type { RestResponse } from '../response.js';
import { docs, fail, listResponse, notFound, paginate } from '../response.js';
import type { RouteRequest } from '../route-types.js';

export const COMMIT_DOCS = {
  get: docs('commits/commits#get-a-commit'),
  list: docs('commits/commits#list-commits'),
  gitGet: docs('git/commits#get-a-commit-object'),
  pulls: docs('commits/commits#list-pull-requests-associated-with-a-commit'),
  branch: docs('branches/branches#get-a-branch'),
};

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function gitUserJson(identity: GitIdentity): Record<string, unknown> {
  return { name: identity.name, email: identity.email, date: isoSeconds(identity.date) };
}

/** The GitHub account behind a commit identity, when it is one of GitHub's noreply addresses. */
function linkedAccount(
  context: SandboxContext,
  identity: GitIdentity,
): Record<string, unknown> | null {
  const match = /^\d+\+([^@]+)@users\.noreply\.github\.com$/.exec(identity.email);
  return match?.[1] === undefined ? null : context.accounts.userJson(match[1]);
}

function messageJson(commit: CommitInfo): string {
  return commit.message.replace(/\n$/, '');
}

function parentsJson(
  context: SandboxContext,
  repository: Repository,
  commit: CommitInfo,
): Record<string, unknown>[] {
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  return commit.parents.map((sha) => ({
    sha,
    url: `${api}/commits/${sha}`,
    html_url: `${context.urls.web}/${repository.fullName}/commit/${sha}`,
  }));
}

const UNSIGNED = {
  verified: false,
  reason: 'unsigned',
  signature: null,
  payload: null,
  verified_at: null,
};

/** GitHub's `commit` object without `stats` and `files`: an item of GET …/commits. */
export function commitItemJson(
  context: SandboxContext,
  repository: Repository,
  commit: CommitInfo,
): Record<string, unknown> {
  const { sha } = commit;
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  const html = `${context.urls.web}/${repository.fullName}`;
  return {
    sha,
    node_id: nodeId('C', Number.parseInt(sha.slice(0, 8), 16)),
    commit: {
      author: gitUserJson(commit.author),
      committer: gitUserJson(commit.committer),
      message: messageJson(commit),
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      url: `${api}/git/commits/${sha}`,
      comment_count: 0,
      verification: UNSIGNED,
    },
    url: `${api}/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    author: linkedAccount(context, commit.author),
    committer: linkedAccount(context, commit.committer),
    parents: parentsJson(context, repository, commit),
  };
}

/** GitHub's `commit` object (GET /repos/{owner}/{repo}/commits/{ref}), with files and stats. */
export async function commitJson(
  context: SandboxContext,
  repository: Repository,
  sha: string,
): Promise<Record<string, unknown>> {
  const commit = await repository.git.readCommit(sha);
  const diff = await diffEntriesJson(context, repository, commit.parents[0] ?? EMPTY_TREE, sha);
  return {
    ...commitItemJson(context, repository, commit),
    stats: {
      total: diff.additions + diff.deletions,
      additions: diff.additions,
      deletions: diff.deletions,
    },
    files: diff.files,
  };
}

/** GitHub's `diff-entry` objects for the changes from `from` (a commit or tree) to commit `to`. */
export async function diffEntriesJson(
  context: SandboxContext,
  repository: Repository,
  from: string,
  to: string,
): Promise<{ files: Record<string, unknown>[]; additions: number; deletions: number }> {
  const git = repository.git;
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  const html = `${context.urls.web}/${repository.fullName}`;
  const files: Record<string, unknown>[] = [];
  let additions = 0;
  let deletions = 0;
  for (const file of await git.diffFiles(from, to)) {
    additions += file.additions;
    deletions += file.deletions;
    const removedFile = file.status === 'D';
    const path = encodeURI(file.path);
    files.push({
      sha: removedFile ? null : await git.blobAt(to, file.path),
      filename: file.path,
      status: file.status === 'A' ? 'added' : removedFile ? 'removed' : 'modified',
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      blob_url: `${html}/blob/${to}/${path}`,
      raw_url: `${html}/raw/${to}/${path}`,
      contents_url: `${api}/contents/${path}?ref=${to}`,
    });
  }
  return { files, additions, deletions };
}

/** The items of GET /pulls/{n}/commits: `commit` objects without stats and files. */
export async function commitItemsJson(
  context: SandboxContext,
  repository: Repository,
  shas: string[],
): Promise<Record<string, unknown>[]> {
  const commits = await repository.git.readCommits(shas);
  return commits.map((commit) => commitItemJson(context, repository, commit));
}

/**
 * GET /repos/{owner}/{repo}/commits: the history from `sha` (a branch, tag or commit; default
 * the default branch), newest first like `git log`, only the commits touching `path` when given
 * (`git log -- path`), paginated with GitHub's Link header. `author`, `committer`, `since` and
 * `until` are not modelled.
 */
export async function handleListCommits({
  context,
  repository,
  query,
}: RouteRequest): Promise<RestResponse> {
  const git = repository.git;
  const asked = query.get('sha');
  const start = asked === null || asked === '' ? repository.defaultBranch : asked;
  const tip = await git.resolveCommitish(start);
  if (tip === null) {
    // An empty repository: 409 "Git Repository is empty." (https://github.com/github/rest-api-description/issues/385).
    if ((await git.listRefs('refs/heads/')).length === 0) {
      fail(409, 'Git Repository is empty.', COMMIT_DOCS.list);
    }
    // The same words as GET /commits/{ref}'s 422, but as a 404: list-commits documents a 404 and
    // no 422 (repos/list-commits in GitHub's OpenAPI description). We found no first-party
    // record of this answer's exact words.
    fail(404, `No commit found for SHA: ${start}`, COMMIT_DOCS.list);
  }
  const rawPath = query.get('path');
  const path = rawPath === null ? '' : rawPath.replace(/^\/+|\/+$/g, '');
  const shas = await git.revList(tip, path === '' ? undefined : path);
  const page = paginate(shas, query, `${context.urls.api}/repositories/${repository.id}/commits`);
  const commits = await git.readCommits(page.items);
  return listResponse({ ...page, items: commits }, (commit) =>
    commitItemJson(context, repository, commit),
  );
}

export async function handleGetCommit({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const ref = params['ref'] ?? '';
  const sha = await repository.git.resolve(ref);
  // GitHub: 422 {"message":"No commit found for SHA: <ref>"} for anything it cannot resolve.
  if (sha === null) fail(422, `No commit found for SHA: ${ref}`, COMMIT_DOCS.get);
  return { status: 200, body: await commitJson(context, repository, sha) };
}

export async function handleGetGitCommit({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const raw = params['commit_sha'] ?? '';
  const type = /^[0-9a-f]{40}$/.test(raw) ? await repository.git.objectType(raw) : null;
  if (type !== 'commit') notFound(COMMIT_DOCS.gitGet);
  const commit = await repository.git.readCommit(raw);
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  return {
    status: 200,
    body: {
      sha: raw,
      node_id: nodeId('C', Number.parseInt(raw.slice(0, 8), 16)),
      url: `${api}/git/commits/${raw}`,
      html_url: `${context.urls.web}/${repository.fullName}/commit/${raw}`,
      author: gitUserJson(commit.author),
      committer: gitUserJson(commit.committer),
      message: messageJson(commit),
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      parents: parentsJson(context, repository, commit),
      verification: UNSIGNED,
    },
  };
}

/**
 * "Lists the merged pull request that introduced the commit to the repository. If the commit is
 * not present in the default branch, will only return open pull requests associated with the
 * commit." The `commit_sha` may be a branch name.
 * https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit
 */
export async function handleCommitPulls({
  context,
  repository,
  params,
  query,
}: RouteRequest): Promise<RestResponse> {
  const raw = params['commit_sha'] ?? '';
  const sha = await repository.git.resolve(raw);
  if (sha === null) fail(422, `No commit found for SHA: ${raw}`, COMMIT_DOCS.pulls);
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
  const page = paginate(
    found,
    query,
    `${context.urls.api}/repositories/${repository.id}/commits/${sha}/pulls`,
  );
  return listResponse(page, (pull) => pullSimpleJson(context, repository, pull));
}

export async function handleGetBranch({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const name = params['branch'] ?? '';
  const sha = await repository.git.refSha(`refs/heads/${name}`);
  if (sha === null) fail(404, 'Branch not found', COMMIT_DOCS.branch);
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  const isProtected = repository.isProtected(`refs/heads/${name}`);
  return {
    status: 200,
    body: {
      name,
      commit: await commitJson(context, repository, sha),
      _links: {
        self: `${api}/branches/${encodeURIComponent(name)}`,
        html: `${context.urls.web}/${repository.fullName}/tree/${name}`,
      },
      protected: isProtected,
      protection: {
        enabled: isProtected,
        required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
      },
      protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
    },
  };
}

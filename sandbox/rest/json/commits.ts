import type { CommitInfo, GitIdentity } from '../../git/objects.js';
import type { SandboxContext } from '../../model/context.js';
import type { Repository } from '../../model/repositories.js';
import { userJson } from './accounts.js';
import { isoSeconds, nodeId, repositoryUrls } from './common.js';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const UNSIGNED = {
  verified: false,
  reason: 'unsigned',
  signature: null,
  payload: null,
  verified_at: null,
};

function gitUserJson(identity: GitIdentity): Record<string, unknown> {
  return { name: identity.name, email: identity.email, date: isoSeconds(identity.date) };
}

/** The GitHub account behind a commit identity, when it is one of GitHub's noreply addresses. */
function linkedAccount(
  context: SandboxContext,
  identity: GitIdentity,
): Record<string, unknown> | null {
  const match = /^\d+\+([^@]+)@users\.noreply\.github\.com$/.exec(identity.email);
  return match?.[1] === undefined ? null : userJson(context, match[1]);
}

function messageJson(commit: CommitInfo): string {
  return commit.message.replace(/\n$/, '');
}

function commitNodeId(sha: string): string {
  return nodeId('C', Number.parseInt(sha.slice(0, 8), 16));
}

function parentsJson(
  context: SandboxContext,
  repository: Repository,
  commit: CommitInfo,
): Record<string, unknown>[] {
  const { api } = repositoryUrls(context, repository);
  return commit.parents.map((sha) => ({
    sha,
    url: `${api}/commits/${sha}`,
    html_url: `${repositoryUrls(context, repository).web}/commit/${sha}`,
  }));
}

/** GitHub's `commit` object without `stats` and `files`: an item of GET …/commits. */
export function commitItemJson(
  context: SandboxContext,
  repository: Repository,
  commit: CommitInfo,
): Record<string, unknown> {
  const { sha } = commit;
  const { api, web: html } = repositoryUrls(context, repository);
  return {
    sha,
    node_id: commitNodeId(sha),
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

/** Several commits as `commitItemJson`, read in one batch. */
export async function commitItemsJson(
  context: SandboxContext,
  repository: Repository,
  shas: string[],
): Promise<Record<string, unknown>[]> {
  const commits = await repository.git.readCommits(shas);
  return commits.map((commit) => commitItemJson(context, repository, commit));
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

/** GitHub's `git-commit` object (GET …/git/commits/{commit_sha}). */
export function gitCommitJson(
  context: SandboxContext,
  repository: Repository,
  commit: CommitInfo,
): Record<string, unknown> {
  const { sha } = commit;
  const { api } = repositoryUrls(context, repository);
  return {
    sha,
    node_id: commitNodeId(sha),
    url: `${api}/git/commits/${sha}`,
    html_url: `${repositoryUrls(context, repository).web}/commit/${sha}`,
    author: gitUserJson(commit.author),
    committer: gitUserJson(commit.committer),
    message: messageJson(commit),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: parentsJson(context, repository, commit),
    verification: UNSIGNED,
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
  const { api, web: html } = repositoryUrls(context, repository);
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

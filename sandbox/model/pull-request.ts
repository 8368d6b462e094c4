import type { GitIdentity } from '../git/objects.js';
import type { SandboxContext } from './context.js';
import type { Repository } from './repositories.js';

interface PullStats {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** A pull request as the sandbox keeps it; its JSON is rendered from this. */
export interface PullRequest {
  id: number;
  issueId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  user: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  mergedAt: Date | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** The test merge (refs/pull/N/merge), null when head and base conflict. */
  testMergeSha: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** The base branch's commit: followed while open, frozen when closed. */
  baseSha: string;
  /** The head branch no longer exists. */
  headDeleted: boolean;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  maintainerCanModify: boolean;
  /** Frozen at close or merge; computed live while open. */
  stats: PullStats | null;
  /** When the pulls list starts showing it (ms, real time): see `pullListLagMs`. */
  listedFrom: number;
}

/** GitHub as the committer of the commits it writes: merges, test merges, rebased commits. */
export function githubCommitter(date: Date): GitIdentity {
  return { name: 'GitHub', email: 'noreply@github.com', date };
}

/** Marks a pull request updated now. */
export function touch(context: SandboxContext, pull: PullRequest): void {
  pull.updatedAt = context.clock.now();
}

/** The repository's open pull requests. */
export function openPulls(repository: Repository): PullRequest[] {
  return [...repository.pulls.values()].filter((pull) => pull.state === 'open');
}

/** The pull request's commits and diff against its base as they are now. */
export async function liveStats(repository: Repository, pull: PullRequest): Promise<PullStats> {
  const git = repository.git;
  const base = (await git.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha;
  const commits = (await git.commitsBetween(base, pull.headSha)).length;
  const diff = await git.diffStats(base, pull.headSha);
  return {
    commits,
    additions: diff.additions,
    deletions: diff.deletions,
    changedFiles: diff.files,
  };
}

/**
 * GitHub keeps every pull request's head as refs/pull/N/head (even after the branch is gone)
 * and, while it is open, its test merge as refs/pull/N/merge.
 */
export async function refreshPullRefs(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Promise<void> {
  const commands = [`update refs/pull/${pull.number}/head ${pull.headSha}`];
  if (pull.state === 'open') {
    pull.testMergeSha = await testMerge(
      repository,
      pull.baseSha,
      pull.headSha,
      githubCommitter(context.clock.now()),
    );
    commands.push(
      pull.testMergeSha === null
        ? `delete refs/pull/${pull.number}/merge`
        : `update refs/pull/${pull.number}/merge ${pull.testMergeSha}`,
    );
  }
  await repository.git.updateRefs(commands);
}

/**
 * GitHub's test merge of a pull request (refs/pull/N/merge): the merge commit of `head` into
 * `base` with the message `Merge <head> into <base>`, or null when they conflict. Cached: it
 * depends on the two commits only.
 */
async function testMerge(
  repository: Repository,
  base: string,
  head: string,
  committer: GitIdentity,
): Promise<string | null> {
  const key = `${base}:${head}`;
  const cached = repository.testMerges.get(key);
  if (cached !== undefined) return cached;
  const tree = await repository.git.mergeTrees(base, head);
  const sha =
    tree === null
      ? null
      : await repository.git.commitTree({
          tree,
          parents: [base, head],
          message: `Merge ${head} into ${base}\n`,
          author: committer,
          committer,
        });
  if (repository.testMerges.size >= 1000) repository.testMerges.clear();
  repository.testMerges.set(key, sha);
  return sha;
}

/** Closes a pull request, its stats frozen as they are. */
export async function closePull(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  by: string | null,
): Promise<void> {
  pull.stats = await liveStats(repository, pull);
  pull.state = 'closed';
  pull.closedAt = context.clock.now();
  pull.closedBy = by;
  touch(context, pull);
}

/** Marks a pull request merged at `at` by `by`, the base now at `mergeCommitSha`. */
export function markMerged(
  context: SandboxContext,
  pull: PullRequest,
  merge: { mergeCommitSha: string; by: string; at: Date },
): void {
  pull.state = 'closed';
  pull.closedAt = merge.at;
  pull.closedBy = merge.by;
  pull.mergedAt = merge.at;
  pull.mergedBy = merge.by;
  pull.mergeCommitSha = merge.mergeCommitSha;
  touch(context, pull);
}

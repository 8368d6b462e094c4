// What a refresh may do with the lock (docs/lock.md, "Refreshing the release PR"), decided from
// what GitHub says now. Pure: steps/put/refresh.ts gathers the observation and acts.
import type { CommitInfo, PullRequest } from '../github/github.js';
import { isResourceCommit } from './release-commit.js';

/** A refresh's view of the lock. */
type RefreshState =
  /** No open release PR from the lock branch: nothing to refresh. */
  | { kind: 'none'; reason: string }
  /** A PR the refresh must leave as it is: a person's commits on it, or another base. */
  | { kind: 'left'; pull: PullRequest; reason: string }
  /** The PR's one release commit is built on the base's head already. */
  | { kind: 'current'; pull: PullRequest; commit: CommitInfo }
  /** The base moved since the PR's one release commit was built: re-plan it. */
  | { kind: 'behind'; pull: PullRequest; commit: CommitInfo };

export interface RefreshObservation {
  base: string;
  lockBranch: string;
  /** Where the lock branch points, or undefined when it does not exist. */
  branchSha: string | undefined;
  /** The base's head. */
  baseSha: string;
  /** The open PRs from the lock branch, into any base, newest first. */
  pulls: readonly PullRequest[];
  /** The lock branch's commits that are not on the base, oldest first. */
  commits: readonly CommitInfo[];
  /** source.git_author_*: the resource's own commits are authored so. */
  identity: { name: string; email: string };
}

/** Decides what a refresh may do. Pure. */
export function decideRefresh(observed: RefreshObservation): RefreshState {
  const [pull] = observed.pulls;
  if (observed.branchSha === undefined || pull === undefined) {
    return { kind: 'none', reason: `no release PR is open from ${observed.lockBranch}` };
  }
  if (pull.baseRef !== observed.base) {
    return {
      kind: 'left',
      pull,
      reason: `PR #${pull.number} was retargeted to ${pull.baseRef}; a refresh re-plans onto ${observed.base} only`,
    };
  }
  const { commits } = observed;
  const foreign = commits.filter((commit) => !isResourceCommit(commit, observed.identity));
  if (foreign.length > 0) {
    const authors = [...new Set(foreign.map((commit) => commit.author?.name ?? 'someone'))];
    const count = foreign.length === 1 ? '1 commit' : `${foreign.length} commits`;
    return {
      kind: 'left',
      pull,
      reason: `PR #${pull.number} carries ${count} by ${authors.join(', ')} that this resource did not make: a refresh never rewrites a person's work; merge or close the PR, or drop those commits`,
    };
  }
  const [commit] = commits;
  if (commit === undefined || commits.length > 1) {
    return {
      kind: 'left',
      pull,
      reason: `PR #${pull.number} carries ${commits.length} release commits over ${observed.base}; a refresh re-plans a branch of exactly one`,
    };
  }
  // The put (or refresh) that made the commit planned it on exactly this base.
  return commit.parents[0] === observed.baseSha
    ? { kind: 'current', pull, commit }
    : { kind: 'behind', pull, commit };
}

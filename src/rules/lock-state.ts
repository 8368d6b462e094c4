// The lock (docs/lock.md): its branch, its states, how a state is decided from what GitHub says,
// and how each is told to the user. Pure: readLock in steps/put/lock.ts gathers the observation.
import type { CommitInfo, PullRequest } from '../github/github.js';
import { formatDuration } from './duration.js';
import { parsePullBlock } from './pull-block.js';
import { isResourceCommit, parseCommitTrailers, type ReleaseTrailers } from './release-commit.js';

/** Where a release goes and the lock branch that guards it. */
export interface ReleaseTarget {
  base: string;
  releaseName: string;
  lockBranch: string;
}

/** The lock branch of a release on a base: `<prefix><base>/<release>` (docs/lock.md). */
export function lockBranchName(prefix: string, base: string, releaseName: string): string {
  return `${prefix}${base}/${releaseName}`;
}

/** Who holds the lock, as the trailers and date of its resource-made commit tell. */
interface LockOwner extends ReleaseTrailers {
  committedAt: string;
  /** The resource-made commit. */
  sha: string;
}

/**
 * The lock branch's state (docs/lock.md, "The states"), read from GitHub every time and never stored. The owner
 * is the newest commit the resource made on the branch: commits people added on top do not
 * change it. `delivered` is OURS whose PR has already merged: a re-run of a put that landed.
 * `foreign` is a branch carrying commits the resource did not make, with no open PR and no merge
 * of its head: a put never rewrites it.
 */
export type LockState =
  | { kind: 'free' }
  | { kind: 'ours'; sha: string; owner: LockOwner; pull: PullRequest | undefined }
  | { kind: 'delivered'; sha: string; pull: PullRequest }
  | { kind: 'held'; sha: string; pull: PullRequest; owner: LockOwner | undefined }
  | { kind: 'contested'; sha: string; pull: PullRequest; owner: LockOwner | undefined }
  | { kind: 'merged'; sha: string; pull: PullRequest }
  | { kind: 'abandoned'; sha: string; pull: PullRequest; owner: LockOwner | undefined }
  | { kind: 'foreign'; sha: string; pull: PullRequest | undefined; commits: CommitInfo[] }
  | {
      kind: 'orphan';
      sha: string;
      owner: LockOwner | undefined;
      ageMs: number;
      stale: boolean;
    };

export interface LockObservation {
  /** Where the lock branch points, or undefined when it does not exist. */
  branchSha: string | undefined;
  /**
   * The lock branch's commits that are not on the base, oldest first; when every commit is on
   * the base (a merged branch), its head commit alone.
   */
  commits: readonly CommitInfo[];
  /** Pull requests from the lock branch into any base, any state. */
  pulls: readonly PullRequest[];
  /** The key of the release this put delivers. */
  key: string;
  /** The author and committer of every commit the resource makes (source.git_author_*). */
  identity: { name: string; email: string };
  now: Date;
  staleLockAfterMs: number;
}

/** Decides the lock's state from what GitHub says now. Pure. */
export function decideLockState(observed: LockObservation): LockState {
  const { branchSha: sha, commits } = observed;
  if (sha === undefined) return { kind: 'free' };
  const made = commits.filter((commit) => isResourceCommit(commit, observed.identity));
  const ownerCommit = made.at(-1);
  const owner: LockOwner | undefined =
    ownerCommit === undefined
      ? undefined
      : {
          ...parseCommitTrailers(ownerCommit.message),
          committedAt: ownerCommit.date,
          sha: ownerCommit.sha,
        };
  const ours = owner !== undefined && owner.key === observed.key;

  // An open PR from the branch, into any base (a person may have retargeted it), is the visible
  // lock: GitHub moves its head with the branch.
  const open = newestFirst(observed.pulls.filter((pull) => pull.state === 'open'))[0];
  if (open !== undefined) {
    if (ours) return { kind: 'ours', sha, owner, pull: open };
    // Named for this very release but carrying another put's commit: two puts crossed, and the
    // put whose commit it carries puts its own back or repairs the text (steps/put/deliver.ts).
    if (parsePullBlock(open.body)?.key === observed.key)
      return { kind: 'contested', sha, pull: open, owner };
    return { kind: 'held', sha, pull: open, owner };
  }

  // Closed PRs only speak for the commit they were opened from.
  const latest = newestFirst(observed.pulls.filter((pull) => pull.headSha === sha))[0];
  // Everything on a merged head went through review and is on its base: reclaimable by anyone.
  if (latest?.merged === true)
    return ours ? { kind: 'delivered', sha, pull: latest } : { kind: 'merged', sha, pull: latest };
  if (ours && latest === undefined) return { kind: 'ours', sha, owner, pull: undefined };
  const foreign = commits.filter((commit) => !isResourceCommit(commit, observed.identity));
  if (foreign.length > 0) return { kind: 'foreign', sha, pull: latest, commits: foreign };
  if (latest !== undefined) return { kind: 'abandoned', sha, pull: latest, owner };

  const head = commits.at(-1);
  const ageMs = observed.now.getTime() - Date.parse(head?.date ?? owner?.committedAt ?? '');
  return {
    kind: 'orphan',
    sha,
    owner,
    ageMs: Number.isNaN(ageMs) ? 0 : ageMs,
    stale: ageMs > observed.staleLockAfterMs,
  };
}

function newestFirst(pulls: readonly PullRequest[]): PullRequest[] {
  return [...pulls].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number);
}

/** A lock a put may take over once nothing speaks against it (reclaimRefusal). */
type Reclaimable = Extract<LockState, { kind: 'merged' | 'abandoned' | 'orphan' }>;

/** The refusal for a HELD lock: the PR, its release, its age and the build that opened it. */
export function heldMessage(
  state: Extract<LockState, { kind: 'held' }>,
  target: ReleaseTarget,
  now: Date,
): string {
  const age = formatDuration(now.getTime() - Date.parse(state.pull.createdAt));
  const what =
    state.owner?.version === undefined
      ? 'another release'
      : `${target.releaseName} ${state.owner.version}`;
  const by = state.owner?.build === undefined ? '' : ` by ${state.owner.build}`;
  const into = state.pull.baseRef === target.base ? '' : `, now into ${state.pull.baseRef}`;
  return `release PR #${state.pull.number} (${what}, opened ${age} ago${by}${into}) holds the lock on ${target.base}: merge or close ${state.pull.htmlUrl} and re-run, or set params.on_open_pr: wait`;
}

/** Why a lock without an open PR must not be reclaimed now, or undefined when it may be. */
export function reclaimRefusal(
  state: Reclaimable,
  options: { onClosedPr: 'reclaim' | 'fail'; staleLockAfterMs: number },
  target: ReleaseTarget,
): string | undefined {
  if (state.kind === 'abandoned' && options.onClosedPr === 'fail') {
    return `the last release PR #${state.pull.number} of ${target.lockBranch} was closed without merging, and params.on_closed_pr is fail: delete the branch ${target.lockBranch} or set on_closed_pr: reclaim`;
  }
  if (state.kind === 'orphan' && !state.stale) return youngLockMessage(state, options, target);
  return undefined;
}

/**
 * A lock branch younger than stale_lock_after without a PR is most likely another put between
 * its push and its PR (or GitHub's list not showing that PR yet): never advise deleting it.
 */
function youngLockMessage(
  state: Extract<LockState, { kind: 'orphan' }>,
  options: { staleLockAfterMs: number },
  target: ReleaseTarget,
): string {
  const owner = state.owner?.build ?? 'an unknown build';
  const what =
    state.owner?.version === undefined ? '' : ` (${target.releaseName} ${state.owner.version})`;
  return `the lock branch ${target.lockBranch}${what} was pushed ${formatDuration(state.ageMs)} ago by ${owner} and has no PR yet: that put is probably opening it (or GitHub does not list it yet); re-run in a minute or set params.on_open_pr: wait (a branch a crashed build left is reclaimed after params.stale_lock_after, ${formatDuration(options.staleLockAfterMs)})`;
}

/** The refusal for a lock branch carrying commits the resource did not make. */
export function foreignMessage(
  state: Extract<LockState, { kind: 'foreign' }>,
  target: ReleaseTarget,
): string {
  const authors = [...new Set(state.commits.map((commit) => commit.author?.name ?? 'someone'))];
  const pull =
    state.pull === undefined
      ? 'no open PR'
      : `its PR #${state.pull.number} was closed without merging (${state.pull.htmlUrl})`;
  const count = state.commits.length === 1 ? '1 commit' : `${state.commits.length} commits`;
  return `the lock branch ${target.lockBranch} carries ${count} by ${authors.join(', ')} that this resource did not make, and ${pull}: a put never rewrites a person's work; reopen and merge or close that work, or delete the branch ${target.lockBranch}, then re-run`;
}

/** Says why a lock is being reclaimed, for the log. */
export function describeReclaim(state: Reclaimable): string {
  if (state.kind === 'merged') return `its PR #${state.pull.number} merged`;
  if (state.kind === 'abandoned') return `its PR #${state.pull.number} was closed unmerged`;
  return `no PR for ${formatDuration(state.ageMs)}`;
}

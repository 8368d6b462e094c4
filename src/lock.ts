import type { CommitInfo, PullRequest } from './github.js';
import { parseCommitTrailers, type ReleaseTrailers } from './release-commit.js';

/** Who holds the lock, as its commit's trailers and date tell. */
export interface LockOwner extends ReleaseTrailers {
  committedAt: string;
}

/**
 * The lock branch's state (DESIGN §5), read from GitHub every time and never stored.
 * `delivered` is OURS whose PR has already merged: a re-run of a put that landed.
 */
export type LockState =
  | { kind: 'free' }
  | { kind: 'ours'; sha: string; pull: PullRequest | undefined }
  | { kind: 'delivered'; sha: string; pull: PullRequest }
  | { kind: 'held'; sha: string; pull: PullRequest; owner: LockOwner }
  | { kind: 'merged'; sha: string; pull: PullRequest }
  | { kind: 'abandoned'; sha: string; pull: PullRequest; owner: LockOwner }
  | { kind: 'orphan'; sha: string; owner: LockOwner; ageMs: number; stale: boolean };

export interface LockObservation {
  /** Where the lock branch points, or undefined when it does not exist. */
  branchSha: string | undefined;
  /** The commit the lock branch points at. */
  commit: CommitInfo | undefined;
  /** Pull requests from the lock branch into the base, any state. */
  pulls: readonly PullRequest[];
  /** The key of the release this put delivers. */
  key: string;
  now: Date;
  staleLockAfterMs: number;
}

/** Decides the lock's state from what GitHub says now. Pure. */
export function decideLockState(observed: LockObservation): LockState {
  const { branchSha: sha, commit } = observed;
  if (sha === undefined || commit === undefined) return { kind: 'free' };
  const owner: LockOwner = { ...parseCommitTrailers(commit.message), committedAt: commit.date };
  const ours = owner.key === observed.key;

  // An open PR is the visible lock, whatever commit it shows (GitHub moves its head with L).
  const open = observed.pulls.find((pull) => pull.state === 'open');
  if (open !== undefined)
    return ours ? { kind: 'ours', sha, pull: open } : { kind: 'held', sha, pull: open, owner };

  // Closed PRs only speak for the commit they were opened from; newest first.
  const latest = [...observed.pulls]
    .filter((pull) => pull.headSha === sha)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number)[0];
  if (latest?.merged === true)
    return ours ? { kind: 'delivered', sha, pull: latest } : { kind: 'merged', sha, pull: latest };
  if (latest !== undefined) return { kind: 'abandoned', sha, pull: latest, owner };

  if (ours) return { kind: 'ours', sha, pull: undefined };
  const ageMs = observed.now.getTime() - Date.parse(commit.date);
  return { kind: 'orphan', sha, owner, ageMs, stale: ageMs > observed.staleLockAfterMs };
}

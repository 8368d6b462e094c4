import type { CommitInfo, PullRequest } from '../github/github.js';
import { parsePullBlock } from './pull-body.js';
import { parseCommitTrailers, type ReleaseTrailers } from './release-commit.js';

/** Who holds the lock, as the trailers and date of its resource-made commit tell. */
export interface LockOwner extends ReleaseTrailers {
  committedAt: string;
  /** The resource-made commit. */
  sha: string;
}

/**
 * The lock branch's state (DESIGN §5), read from GitHub every time and never stored. The owner
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

/**
 * Whether a commit is one the resource made: its release trailers, authored with the resource's
 * git identity. The committer is not asked: GitHub's "Update branch" (rebase) re-commits it, and
 * it is still that release's commit.
 */
export function isResourceCommit(
  commit: CommitInfo,
  identity: { name: string; email: string },
): boolean {
  const author = commit.author;
  const trailers = parseCommitTrailers(commit.message);
  return (
    trailers.key !== undefined &&
    trailers.version !== undefined &&
    author !== undefined &&
    author.name === identity.name &&
    author.email === identity.email
  );
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
    // put whose commit it carries puts its own back or repairs the text (see out.ts).
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

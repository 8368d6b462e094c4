import { formatDuration } from '../duration.js';
import { UserError } from '../errors.js';
import type { GitHub, PullRequest } from '../github.js';
import { decideLockState, type LockState } from '../lock.js';
import type { Logger } from '../log.js';
import type { ReleaseTarget } from '../release-history.js';

export type Reclaimable = Extract<LockState, { kind: 'merged' | 'abandoned' | 'orphan' }>;

/** The lock's state as GitHub tells it now, and the base commit its branch was built on. */
export async function readLock(
  github: GitHub,
  target: ReleaseTarget,
  options: { key: string; now: Date; staleLockAfterMs: number },
): Promise<{ state: LockState; parent: string }> {
  const branchSha = await github.getBranchSha(target.lockBranch);
  if (branchSha === undefined) return { state: { kind: 'free' }, parent: '' };
  const [commit, pulls] = await Promise.all([
    github.getCommit(branchSha),
    github.listPulls({
      head: `${github.owner}:${target.lockBranch}`,
      base: target.base,
      state: 'all',
      perPage: 30,
    }),
  ]);
  const state = decideLockState({ branchSha, commit, pulls, ...options });
  return { state, parent: commit.parents[0] ?? '' };
}

/** The refusal for a HELD lock: the PR, its release, its age and the build that opened it. */
export function heldMessage(
  state: Extract<LockState, { kind: 'held' }>,
  target: ReleaseTarget,
  now: Date,
): string {
  const age = formatDuration(now.getTime() - Date.parse(state.pull.createdAt));
  const what =
    state.owner.version === undefined
      ? 'another release'
      : `${target.releaseName} ${state.owner.version}`;
  const by = state.owner.build === undefined ? '' : ` by ${state.owner.build}`;
  return `release PR #${state.pull.number} (${what}, opened ${age} ago${by}) holds the lock on ${target.base}: merge or close ${state.pull.htmlUrl} and re-run, or set params.on_open_pr: wait`;
}

/** Why a lock without an open PR must not be reclaimed, or undefined when it may be. */
export function reclaimRefusal(
  state: Reclaimable,
  options: { onClosedPr: 'reclaim' | 'fail'; staleLockAfterMs: number },
  target: ReleaseTarget,
): string | undefined {
  if (state.kind === 'abandoned' && options.onClosedPr === 'fail') {
    return `the last release PR #${state.pull.number} of ${target.lockBranch} was closed without merging, and params.on_closed_pr is fail: delete the branch ${target.lockBranch} or set on_closed_pr: reclaim`;
  }
  if (state.kind === 'orphan' && !state.stale) {
    const owner = state.owner.build ?? 'an unknown build';
    const what =
      state.owner.version === undefined ? '' : ` (${target.releaseName} ${state.owner.version})`;
    return `the lock branch ${target.lockBranch}${what} was pushed ${formatDuration(state.ageMs)} ago by ${owner} and has no PR yet: re-run after params.stale_lock_after (${formatDuration(options.staleLockAfterMs)}), or delete the branch if that build is gone`;
  }
  return undefined;
}

/** Says why a lock is being reclaimed, for the log. */
export function describeReclaim(state: Reclaimable): string {
  if (state.kind === 'merged') return `its PR #${state.pull.number} merged`;
  if (state.kind === 'abandoned') return `its PR #${state.pull.number} was closed unmerged`;
  return `no PR for ${formatDuration(state.ageMs)}`;
}

/** Polls a HELD lock's PR until it is merged or closed, or fails at the deadline. */
export async function waitForRelease(
  held: PullRequest,
  options: {
    github: GitHub;
    log: Logger;
    now: () => Date;
    sleep: (ms: number) => Promise<void>;
    pollIntervalMs: number;
    deadline: number;
    target: ReleaseTarget;
  },
): Promise<void> {
  for (;;) {
    const left = options.deadline - options.now().getTime();
    if (left <= 0) {
      throw new UserError(
        `gave up waiting for release PR #${held.number} (${held.htmlUrl}) after params.wait_timeout: merge or close it and re-run`,
      );
    }
    options.log.info(
      `waiting for release PR #${held.number} on ${options.target.base} to be merged or closed, ${formatDuration(left)} left (${held.htmlUrl})`,
    );
    await options.sleep(Math.min(options.pollIntervalMs, left));
    const pull = await options.github.getPull(held.number);
    if (pull.state !== 'open') {
      options.log.info(
        `release PR #${pull.number} was ${pull.merged ? 'merged' : 'closed'}: taking the lock`,
      );
      return;
    }
  }
}

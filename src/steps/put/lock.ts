import { formatDuration } from '../../rules/duration.js';
import { UserError } from '../../errors.js';
import type { CommitInfo, GitHub, PullRequest } from '../../github/github.js';
import { decideLockState, type LockState } from '../../rules/lock-state.js';
import type { Logger } from '../../io/log.js';
import type { ReleaseTarget } from '../../history/merged-releases.js';

export type Reclaimable = Extract<LockState, { kind: 'merged' | 'abandoned' | 'orphan' }>;

/** The lock's state as GitHub tells it now, and the base commit its owner was built on. */
export async function readLock(
  github: GitHub,
  target: ReleaseTarget,
  options: {
    key: string;
    identity: { name: string; email: string };
    now: Date;
    staleLockAfterMs: number;
  },
): Promise<{ state: LockState; parent: string }> {
  const branchSha = await github.getBranchSha(target.lockBranch);
  if (branchSha === undefined) return { state: { kind: 'free' }, parent: '' };
  const [comparison, pulls] = await Promise.all([
    // One request gives every commit on the branch that is not on the base, with its authors.
    github.compareCommits(target.base, branchSha),
    openOrAnyPulls(github, target, 'all'),
  ]);
  let commits: readonly CommitInfo[] = comparison?.commits ?? [];
  if (commits.length === 0) commits = [await github.getCommit(branchSha)];
  const state = decideLockState({ branchSha, commits, pulls, ...options });
  const owner = 'owner' in state ? state.owner : undefined;
  const ownerCommit = commits.find((commit) => commit.sha === owner?.sha) ?? commits[0];
  return { state, parent: ownerCommit?.parents[0] ?? '' };
}

/**
 * Pull requests from the lock branch into any base (a person may retarget a release PR), newest
 * first. GitHub's list lags a PR just created: never the proof that the lock is free.
 */
export function openOrAnyPulls(
  github: GitHub,
  target: ReleaseTarget,
  state: 'open' | 'all',
): Promise<PullRequest[]> {
  return github.listPulls({
    head: `${github.owner}:${target.lockBranch}`,
    state,
    perPage: 30,
  });
}

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

/** How `on_open_pr: wait` waits: every `pollIntervalMs` (params.wait_interval) until `deadline`. */
export interface WaitOptions {
  log: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  pollIntervalMs: number;
  /** Milliseconds since the epoch: the first wait's start plus params.wait_timeout. */
  deadline: number;
  target: ReleaseTarget;
}

/** Polls a HELD lock's PR until it is merged or closed, or fails at the deadline. */
export async function waitForRelease(
  held: PullRequest,
  options: WaitOptions & { github: GitHub },
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

/** Waits one interval for a lock branch without a PR yet, or fails at the deadline. */
export async function waitForYoungLock(
  state: Extract<LockState, { kind: 'orphan' }>,
  options: WaitOptions,
): Promise<void> {
  const left = options.deadline - options.now().getTime();
  const { target } = options;
  if (left <= 0) {
    throw new UserError(
      `gave up waiting for the lock branch ${target.lockBranch} (pushed ${formatDuration(state.ageMs)} ago by ${state.owner?.build ?? 'an unknown build'}) to get its PR after params.wait_timeout: re-run later`,
    );
  }
  options.log.info(
    `waiting for the lock branch ${target.lockBranch}${state.owner?.version === undefined ? '' : ` (${target.releaseName} ${state.owner.version})`}, pushed ${formatDuration(state.ageMs)} ago by ${state.owner?.build ?? 'an unknown build'} and without a PR yet, ${formatDuration(left)} left`,
  );
  await options.sleep(Math.min(options.pollIntervalMs, left));
}

import { UserError } from '../../errors.js';
import type { GitHub, PullRequest } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import { formatDuration } from '../../rules/duration.js';
import type { LockState, ReleaseTarget } from '../../rules/lock-state.js';
import type { LockReading } from './lock.js';

/**
 * How a put waits: every wait draws on one params.wait_timeout, counted from the first wait,
 * polling every params.wait_interval and logging each poll. No wait outlasts the deadline.
 */
export interface Waiting {
  log: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  pollIntervalMs: number;
  target: ReleaseTarget;
  /** Milliseconds since the epoch at which every wait ends: the first call starts the clock. */
  deadline(): number;
}

/** The waits of one put: `waitTimeoutMs` in all, from the first wait. */
export function createWaiting(options: Omit<Waiting, 'deadline'> & { waitTimeoutMs: number }) {
  let started: number | undefined;
  return {
    ...options,
    deadline: () => (started ??= options.now().getTime()) + options.waitTimeoutMs,
  };
}

/** Polls a HELD lock's PR until it is merged or closed; fails at the deadline. */
export async function waitForRelease(
  held: PullRequest,
  waiting: Waiting,
  github: GitHub,
): Promise<void> {
  const deadline = waiting.deadline();
  for (;;) {
    const left = deadline - waiting.now().getTime();
    if (left <= 0) {
      throw new UserError(
        `gave up waiting for release PR #${held.number} (${held.htmlUrl}) after params.wait_timeout: merge or close it and re-run`,
      );
    }
    waiting.log.info(
      `waiting for release PR #${held.number} on ${waiting.target.base} to be merged or closed, ${formatDuration(left)} left (${held.htmlUrl})`,
    );
    await waiting.sleep(Math.min(waiting.pollIntervalMs, left));
    const pull = await github.getPull(held.number);
    if (pull.state !== 'open') {
      waiting.log.info(
        `release PR #${pull.number} was ${pull.merged ? 'merged' : 'closed'}: taking the lock`,
      );
      return;
    }
  }
}

/**
 * Polls a lock branch that has no PR yet and is younger than stale_lock_after (another put between
 * its push and its PR) until it changes — a PR, another commit, or staleness; fails at the
 * deadline. Returns the lock as last read.
 */
async function waitForYoungLock(
  young: Extract<LockState, { kind: 'orphan' }>,
  waiting: Waiting,
  readLock: () => Promise<LockReading>,
): Promise<LockReading> {
  const deadline = waiting.deadline();
  const { target } = waiting;
  let state = young;
  for (;;) {
    const left = deadline - waiting.now().getTime();
    const owner = state.owner?.build ?? 'an unknown build';
    if (left <= 0) {
      throw new UserError(
        `gave up waiting for the lock branch ${target.lockBranch} (pushed ${formatDuration(state.ageMs)} ago by ${owner}) to get its PR after params.wait_timeout: re-run later`,
      );
    }
    waiting.log.info(
      `waiting for the lock branch ${target.lockBranch}${state.owner?.version === undefined ? '' : ` (${target.releaseName} ${state.owner.version})`}, pushed ${formatDuration(state.ageMs)} ago by ${owner} and without a PR yet, ${formatDuration(left)} left`,
    );
    await waiting.sleep(Math.min(waiting.pollIntervalMs, left));
    const reading = await readLock();
    const now = reading.state;
    if (now.kind !== 'orphan' || now.stale || now.sha !== young.sha) return reading;
    state = now;
  }
}

/**
 * A young lock branch without a PR (another put between its push and its PR): `wait` waits for it
 * to change, `fail` looks again for a few seconds. The lock once it changed, else undefined.
 */
export function settleYoungLock(
  young: Extract<LockState, { kind: 'orphan' }>,
  onOpenPr: 'fail' | 'wait',
  waiting: Waiting,
  readLock: () => Promise<LockReading>,
): Promise<LockReading | undefined> {
  return onOpenPr === 'wait'
    ? waitForYoungLock(young, waiting, readLock)
    : lookAgainAtYoungLock(young, waiting, readLock);
}

// A put opens its PR a moment after pushing its lock branch, and GitHub's pulls list may lag a new
// PR by seconds: a put that would fail on a young branch without a PR looks again this many times,
// this far apart (about ten seconds), so that its refusal names the PR when there is one.
const YOUNG_LOCK_LOOKS = 10;
const YOUNG_LOCK_PAUSE_MS = 1000;

/**
 * Looks again at a lock branch that has no PR yet and is younger than stale_lock_after, for a few
 * seconds; returns the lock once it changed (a PR, another commit, staleness), else undefined.
 */
async function lookAgainAtYoungLock(
  young: Extract<LockState, { kind: 'orphan' }>,
  waiting: Waiting,
  readLock: () => Promise<LockReading>,
): Promise<LockReading | undefined> {
  for (let look = 1; look <= YOUNG_LOCK_LOOKS; look++) {
    await waiting.sleep(Math.min(YOUNG_LOCK_PAUSE_MS, waiting.pollIntervalMs));
    const reading = await readLock();
    const now = reading.state;
    if (now.kind !== 'orphan' || now.stale || now.sha !== young.sha) return reading;
  }
  return undefined;
}

// How long a put waits for another put to settle a PR both of them touched, and how often it looks.
const CONTESTED_WAIT_MS = 60_000;
const CONTESTED_POLL_MS = 1000;

/**
 * Waits until a PR named for this put's release but carrying another put's commit changes (its
 * head or text, or it closes): the put that owns its head puts its own commit back or repairs
 * the text. Fails if nothing changes within CONTESTED_WAIT_MS, or at the deadline.
 */
export async function waitForContested(
  contested: Extract<LockState, { kind: 'contested' }>,
  waiting: Waiting,
  github: GitHub,
): Promise<void> {
  const { pull } = contested;
  const deadline = Math.min(waiting.now().getTime() + CONTESTED_WAIT_MS, waiting.deadline());
  waiting.log.info(
    `release PR #${pull.number} names this release but carries ${contested.sha.slice(0, 7)} of another put: waiting for that put to settle it`,
  );
  for (;;) {
    if (waiting.now().getTime() > deadline) {
      throw new UserError(
        `release PR #${pull.number} (${pull.htmlUrl}) names this release but carries another put's commit ${contested.sha.slice(0, 7)}${contested.owner?.build === undefined ? '' : ` (${contested.owner.build})`}: the lock was reclaimed while this put opened it; re-running that put settles the PR, or close it`,
      );
    }
    await waiting.sleep(CONTESTED_POLL_MS);
    const now = await github.getPull(pull.number);
    if (now.state !== 'open' || now.headSha !== pull.headSha || now.body !== pull.body) return;
  }
}

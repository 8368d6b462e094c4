import { UserError } from '../../errors.js';
import type { PullRequest } from '../../github/github.js';
import type { PutSettings, SourceSettings } from '../../concourse/settings.js';
import {
  describeReclaim,
  foreignMessage,
  heldMessage,
  reclaimRefusal,
  type LockState,
  type ReleaseTarget,
} from '../../rules/lock-state.js';
import { parsePullBlock } from '../../rules/pull-block.js';
import type { PullContent } from '../../rules/pull-body.js';
import {
  openOrAnyPulls,
  putBack,
  readLock,
  takeLock,
  type LockReading,
  type LockWriter,
} from './lock.js';
import type { Payload } from './payload.js';
import {
  openPull,
  repairPull,
  textIsOurs,
  type PullOptions,
  type PullOutcome,
} from './pull-request.js';
import type { PullText } from '../../rules/pull-text.js';
import { waitForContested, waitForRelease, settleYoungLock, type Waiting } from './wait.js';

// What a put does in each state of the lock (docs/lock.md, "What a put does in each state"):
// read the lock, act on its state, and read it again when it changed hands. Waits (bounded by
// params.wait_timeout) and lease races (bounded by MAX_LEASE_RACES in a row) are counted apart.

/** What a put did. */
type Operation = 'created' | 'adopted' | 'delivered' | 'nothing-to-commit';

/** A put's outcome under the lock. */
export interface Delivered {
  operation: Operation;
  /** Absent when there was nothing to commit. */
  pull: PullRequest | undefined;
  /** The base commit the PR's commit was built on. */
  baseSha: string;
  /**
   * What check will do with the release once merged, when it is lower than the highest release
   * on the base (rules/backport.ts); not repeated for a release already delivered.
   */
  backport: string | undefined;
}

/** Everything a put acts with once its payload, target and texts are known. */
export interface PutContext {
  source: SourceSettings;
  params: PutSettings;
  payload: Payload;
  target: ReleaseTarget;
  text: PullText;
  pulls: PullOptions;
  writer: LockWriter;
  waiting: Waiting;
  now: () => Date;
  /** Whether the base still has the payload's version (a revert removes it). */
  stillOnBase: () => Promise<boolean>;
}

/** The answer of one state: the put is done, or the lock is read again after a race or a wait. */
type Step =
  | { kind: 'done'; delivered: Delivered }
  | { kind: 'raced' }
  | { kind: 'waited'; reading?: LockReading };

// Lease races: another put moved the lock between this put's read and its push. A put that loses
// this many in a row (no wait between) gives up.
const MAX_LEASE_RACES = 6;
// The lock changes hands at most this often during one put before it gives up, waits included.
const MAX_ROUNDS = 100;

/** Delivers the payload under the lock: follows the lock's states until the put is done. */
export async function deliver(put: PutContext): Promise<Delivered> {
  const { target } = put;
  let races = 0;
  let reading: LockReading | undefined;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const lock = reading ?? (await read(put));
    reading = undefined;
    const step = await act(lock, put);
    if (step.kind === 'done') return step.delivered;
    if (step.kind === 'waited') {
      races = 0;
      reading = step.reading;
    } else if (++races >= MAX_LEASE_RACES) {
      throw new Error(
        `the lock ${target.lockBranch} kept changing hands: gave up after ${MAX_LEASE_RACES} rounds`,
      );
    }
  }
  throw new Error(
    `the lock ${target.lockBranch} changed hands ${MAX_ROUNDS} times during this put: gave up`,
  );
}

async function read(put: PutContext): Promise<LockReading> {
  const reading = await readLock(put.writer.github, put.target, {
    key: put.payload.key,
    identity: put.source.gitAuthor,
    now: put.now(),
    staleLockAfterMs: put.params.staleLockAfterMs,
  });
  put.writer.log.debug({ state: reading.state.kind }, 'lock state');
  return reading;
}

function act(lock: LockReading, put: PutContext): Promise<Step> {
  const { state } = lock;
  switch (state.kind) {
    case 'ours':
      return ours(state, lock.parent, put);
    case 'delivered':
      return delivered(state, lock.parent, put);
    case 'held':
      return held(state, put);
    case 'contested':
      return contested(state, put);
    case 'foreign':
      throw new UserError(foreignMessage(state, put.target));
    case 'orphan':
      return orphan(state, put);
    case 'free':
    case 'merged':
    case 'abandoned':
      return take(state, put);
  }
}

/** OURS: adopt this put's open PR, or open the PR its pushed commit lacks. */
async function ours(
  state: Extract<LockState, { kind: 'ours' }>,
  parent: string,
  put: PutContext,
): Promise<Step> {
  const backport = await put.payload.backport(put.target);
  if (state.pull !== undefined) {
    const pull = await adopt(put, state.pull);
    return done({ operation: 'adopted', pull, baseSha: parent, backport });
  }
  const content = noting(put.payload.content, backport);
  const outcome = await openPull(put.pulls, content, state.sha);
  const pull = await settle(outcome, { put, content, reclaimed: undefined });
  // Its PR belonged to someone else: read the lock again.
  if (pull === undefined) return { kind: 'raced' };
  return done({ operation: 'created', pull, baseSha: parent, backport });
}

/** DELIVERED: a re-run of a put whose PR merged; delivered again if the base lost it. */
async function delivered(
  state: Extract<LockState, { kind: 'delivered' }>,
  parent: string,
  put: PutContext,
): Promise<Step> {
  const { payload, target } = put;
  if (await put.stillOnBase()) {
    put.writer.log.info(`this ${payload.kind} was already merged by ${state.pull.htmlUrl}`);
    return done({ operation: 'delivered', pull: state.pull, baseSha: parent, backport: undefined });
  }
  put.writer.log.warn(
    `${state.pull.htmlUrl} merged ${payload.label}, but ${target.base} no longer lists it (reverted?): delivering it again`,
  );
  return take(state, put);
}

/** HELD: another release's PR is open: fail, or wait for it (`on_open_pr: wait`). */
async function held(state: Extract<LockState, { kind: 'held' }>, put: PutContext): Promise<Step> {
  if (put.params.onOpenPr === 'fail') {
    throw new UserError(heldMessage(state, put.target, put.now()));
  }
  await waitForRelease(state.pull, put.waiting, put.writer.github);
  return { kind: 'waited' };
}

/** CONTESTED: our PR carries another put's commit; that put puts its own back or repairs the text. */
async function contested(
  state: Extract<LockState, { kind: 'contested' }>,
  put: PutContext,
): Promise<Step> {
  await waitForContested(state, put.waiting, put.writer.github);
  return { kind: 'waited' };
}

/** ORPHAN: a branch without a PR; a young one is another put's (wait or fail), a stale one is taken. */
async function orphan(
  state: Extract<LockState, { kind: 'orphan' }>,
  put: PutContext,
): Promise<Step> {
  if (!state.stale) {
    const reading = await settleYoungLock(state, put.params.onOpenPr, put.waiting, () => read(put));
    if (reading !== undefined) return { kind: 'waited', reading };
  }
  return take(state, put);
}

/**
 * FREE, MERGED, ABANDONED, a stale ORPHAN, or a DELIVERED release the base lost: take the lock
 * (unless the settings forbid reclaiming it) and open the PR.
 */
async function take(
  state: Extract<LockState, { kind: 'free' | 'merged' | 'abandoned' | 'orphan' | 'delivered' }>,
  put: PutContext,
): Promise<Step> {
  const { payload, target, writer } = put;
  const reclaiming = state.kind !== 'free' && state.kind !== 'delivered' ? state : undefined;
  if (reclaiming !== undefined) {
    const refusal = reclaimRefusal(reclaiming, put.params, target);
    if (refusal !== undefined) throw new UserError(refusal);
  }
  const result = await takeLock(writer, {
    payload,
    text: put.text,
    author: put.source.gitAuthor,
    at: state.kind === 'free' ? undefined : state.sha,
    reclaiming: reclaiming === undefined ? undefined : describeReclaim(reclaiming),
  });
  if (result.kind === 'raced') return { kind: 'raced' };
  if (result.kind === 'nothing') {
    return done({
      operation: 'nothing-to-commit',
      pull: undefined,
      baseSha: result.baseSha,
      backport: undefined,
    });
  }
  const { taken } = result;
  const { content } = taken.plan;
  const backport = content.kind === 'release' ? content.release.backport : undefined;
  const reclaimed =
    taken.replaced === undefined ? undefined : { replaced: taken.replaced, sha: taken.sha };
  // A PR someone reopened, or another put opened, just before this push now shows this
  // release's commit under its own text: put its commit back and read the lock again.
  if (reclaimed !== undefined) {
    const crossed = (await openOrAnyPulls(writer.github, target, 'open')).find(
      (pull) => !textIsOurs(pull, payload.key),
    );
    if (crossed !== undefined) {
      await putBack(writer, reclaimed, crossed);
      return { kind: 'raced' };
    }
  }
  const outcome = await openPull(put.pulls, content, taken.sha);
  const pull = await settle(outcome, { put, content, reclaimed });
  if (pull === undefined) return { kind: 'raced' };
  return done({ operation: 'created', pull, baseSha: taken.baseSha, backport });
}

/** Adopts this put's open PR: repairs its text if it names another release, says where it goes. */
async function adopt(put: PutContext, pull: PullRequest): Promise<PullRequest> {
  const { payload, target, writer } = put;
  writer.log.info(`the lock already holds this ${payload.kind}: adopting ${pull.htmlUrl}`);
  const block = parsePullBlock(pull.body);
  const adopted =
    block !== undefined && block.key !== payload.key
      ? await repairPull(put.pulls, payload.content, pull)
      : pull;
  if (adopted.baseRef !== target.base) {
    writer.log.warn(
      `PR #${adopted.number} was retargeted to ${adopted.baseRef}: merging it delivers ${payload.label} to ${adopted.baseRef}, not ${target.base}`,
    );
  }
  return adopted;
}

/**
 * What a put does with the PR that opening it found: its own is returned; a PR on its commit with
 * another text is put back to its own commit (after a reclaim) or repaired; any other PR means the
 * lock changed hands, and the lock is read again (undefined).
 */
async function settle(
  outcome: PullOutcome,
  context: {
    put: PutContext;
    content: PullContent;
    reclaimed: { replaced: string; sha: string } | undefined;
  },
): Promise<PullRequest | undefined> {
  const { put, reclaimed } = context;
  if (outcome.kind === 'ours') return outcome.pull;
  if (outcome.kind === 'other-head') {
    put.writer.log.warn(
      `PR #${outcome.pull.number} from ${put.target.lockBranch} shows ${outcome.pull.headSha.slice(0, 7)}, not this put's commit: reading the lock again`,
    );
    return undefined;
  }
  if (reclaimed !== undefined) {
    await putBack(put.writer, reclaimed, outcome.pull);
    return undefined;
  }
  return repairPull(put.pulls, context.content, outcome.pull);
}

/** The release PR's content with what check will do with a lower release (rules/backport.ts). */
function noting(content: PullContent, backport: string | undefined): PullContent {
  return content.kind === 'release'
    ? { ...content, release: { ...content.release, backport } }
    : content;
}

function done(delivered: Delivered): Step {
  return { kind: 'done', delivered };
}

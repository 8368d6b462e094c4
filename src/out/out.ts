import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InOutResponse, MetadataField, Version } from '../contract.js';
import { noEtagCache, type CacheEntry, type EtagCache } from '../etag-cache.js';
import { UserError } from '../errors.js';
import type { Git, GitRemote, Lease, PushOutcome } from '../git.js';
import type { GitHub, PullRequest } from '../github.js';
import type { LockState } from '../lock.js';
import type { Logger } from '../log.js';
import { readMetadataDir } from '../metadata-reader.js';
import { parseReleaseIndex, releaseIndexPath, sameBoshVersion } from '../bosh/index.js';
import { parsePullBlock, type PullContent } from '../pr-body.js';
import { formatCommitMessage } from '../release-commit.js';
import { readNewestReported, type ReleaseTarget } from '../release-history.js';
import { resolveTarget } from '../release-target.js';
import type { OutInput } from '../settings.js';
import { startingVersion } from '../starting-version.js';
import { checkoutDir, expectVersion } from './checkout.js';
import {
  describeReclaim,
  foreignMessage,
  heldMessage,
  openOrAnyPulls,
  readLock,
  reclaimRefusal,
  waitForRelease,
  waitForYoungLock,
} from './lock-policy.js';
import { importPayload, releasePayload, type Payload } from './payload.js';
import {
  openPull,
  renderPullText,
  repairPull,
  textIsOurs,
  type PullOptions,
  type PullOutcome,
} from './pull-request.js';

export interface OutDeps {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  log: Logger;
  /** `out`'s argument: the build's directory holding the artifacts. */
  args: string[];
  env: NodeJS.ProcessEnv;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Pauses between the brief retries of labels, reviewers and assignees. */
  decorateRetryDelaysMs?: readonly number[];
}

export type Operation = 'created' | 'adopted' | 'delivered' | 'nothing-to-commit';

interface Delivery {
  operation: Operation;
  /** Absent when there was nothing to commit. */
  pull: PullRequest | undefined;
  payload: Payload;
  /** The base commit the PR's commit was built on. */
  baseSha: string;
  target: ReleaseTarget;
  /**
   * What check will do with the release once merged, when it is lower than the highest release
   * on the base (backport.ts); not repeated for a release already delivered.
   */
  backport: string | undefined;
}

// Lease failures mean another put moved the lock between our read and our push: read again.
const MAX_LOCK_ROUNDS = 6;

/** Opens (or adopts) the release PR of the checkout's new final release, under the lock. */
export async function putOut(input: OutInput, deps: OutDeps): Promise<InOutResponse> {
  const work = await mkdtemp(join(tmpdir(), 'bosh-release-pr-out-'));
  const cache = memoryCache();
  try {
    const delivery = await deliver(input, { ...deps, cache }, work);
    const version = await currentVersion({ ...deps, cache }, input.source, delivery);
    const { pull, payload } = delivery;
    deps.log.info(
      pull === undefined
        ? `${delivery.operation}: ${payload.label} adds no .final_builds entry ${delivery.target.base} lacks, so no PR was opened (source.track: final_builds)`
        : `${delivery.operation} ${pull.htmlUrl} (${payload.label})`,
    );
    if (delivery.backport !== undefined) deps.log.warn(delivery.backport);
    return { version, metadata: metadata(delivery) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function deliver(
  input: OutInput,
  deps: OutDeps & { cache: EtagCache },
  work: string,
): Promise<Delivery> {
  const { source, params } = input;
  const { github, git, log, cache } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const sources = deps.args[0] ?? '.';

  const checkout = await checkoutDir(deps.args, params.repository, git);
  const files = await readMetadataDir(checkout);
  const read = { checkout, files, git, github, log, source, cache };
  const payload = params.import ? await importPayload(read) : await releasePayload(read, params);
  await expectVersion(params.version, payload.version, sources);
  const target = await resolveTarget({
    github,
    cache: noEtagCache,
    source,
    releaseName: payload.name,
  });
  await payload.verify(target);
  log.info(
    `${payload.label} for ${source.owner}/${source.repo}:${target.base} (lock ${target.lockBranch})`,
  );

  const text = await renderPullText({
    params,
    sources,
    env: deps.env,
    name: payload.name,
    version: payload.version,
    kind: payload.kind,
  });
  const pulls: PullOptions = {
    github,
    log,
    source,
    params,
    target,
    text,
    key: payload.key,
    sleep,
    decorateRetryDelaysMs: deps.decorateRetryDelaysMs ?? [1000, 3000],
  };
  const settled = { payload, target };
  // One wait_timeout for every wait of the put, from the first.
  let waitStarted: number | undefined;
  const deadline = (): number => (waitStarted ??= now().getTime()) + params.waitTimeoutMs;
  const waiting = { log, now, sleep, pollIntervalMs: params.waitIntervalMs, target };
  const lock: LockWriter = { deps, work, target, sleep };

  for (let round = 1; round <= MAX_LOCK_ROUNDS; round++) {
    const { state, parent } = await readLock(github, target, {
      key: payload.key,
      identity: source.gitAuthor,
      now: now(),
      staleLockAfterMs: params.staleLockAfterMs,
    });
    log.debug({ state: state.kind }, 'lock state');

    switch (state.kind) {
      case 'ours': {
        const backport = await payload.backport(target);
        if (state.pull !== undefined) {
          const pull = await adopt(pulls, payload, state.pull);
          return { ...settled, operation: 'adopted', pull, baseSha: parent, backport };
        }
        const content = noting(payload.content, backport);
        const outcome = await openPull(pulls, content, state.sha);
        const pull = await settle(outcome, { pulls, content, reclaimed: undefined, lock });
        if (pull === undefined) break;
        return { ...settled, operation: 'created', pull, baseSha: parent, backport };
      }
      case 'delivered':
        if (await onBase(github, target, payload, source.track)) {
          log.info(`this ${payload.kind} was already merged by ${state.pull.htmlUrl}`);
          return {
            ...settled,
            operation: 'delivered',
            pull: state.pull,
            baseSha: parent,
            backport: undefined,
          };
        }
        log.warn(
          `${state.pull.htmlUrl} merged ${payload.label}, but ${target.base} no longer lists it (reverted?): delivering it again`,
        );
        break;
      case 'held':
        if (params.onOpenPr === 'fail') throw new UserError(heldMessage(state, target, now()));
        await waitForRelease(state.pull, { ...waiting, github, deadline: deadline() });
        round = 0; // the lock changed hands: start over (rounds count lease races, not waits)
        continue;
      case 'contested':
        // Our PR carries another put's commit: that put puts its own back or repairs the text.
        await waitForContested(state, { github, log, now, sleep });
        round = 0;
        continue;
      case 'foreign':
        throw new UserError(foreignMessage(state, target));
      case 'orphan':
        if (!state.stale && params.onOpenPr === 'wait') {
          await waitForYoungLock(state, { ...waiting, deadline: deadline() });
          round = 0;
          continue;
        }
        break;
      case 'free':
      case 'merged':
      case 'abandoned':
        break;
    }
    if (state.kind === 'ours') continue; // its PR belonged to someone else: read the lock again

    if (state.kind !== 'free' && state.kind !== 'delivered') {
      const refusal = reclaimRefusal(state, params, target);
      if (refusal !== undefined) throw new UserError(refusal);
    }
    const taken = await takeLock(state, { input, deps, work, payload, pulls, lock });
    if (taken !== undefined) return { ...settled, ...taken };
  }
  throw new Error(
    `the lock ${target.lockBranch} kept changing hands: gave up after ${MAX_LOCK_ROUNDS} rounds`,
  );
}

// How long a put waits for another put to settle a PR both of them touched, and how often it looks.
const CONTESTED_WAIT_MS = 60_000;
const CONTESTED_POLL_MS = 1000;

/**
 * Waits until a PR named for this put's release but carrying another put's commit changes (its
 * head or text, or it closes): the put that owns its head puts its own commit back or repairs
 * the text. Fails if nothing changes within CONTESTED_WAIT_MS.
 */
async function waitForContested(
  state: Extract<LockState, { kind: 'contested' }>,
  options: {
    github: GitHub;
    log: Logger;
    now: () => Date;
    sleep: (ms: number) => Promise<void>;
  },
): Promise<void> {
  const { pull } = state;
  const deadline = options.now().getTime() + CONTESTED_WAIT_MS;
  options.log.info(
    `release PR #${pull.number} names this release but carries ${state.sha.slice(0, 7)} of another put: waiting for that put to settle it`,
  );
  for (;;) {
    if (options.now().getTime() > deadline) {
      throw new UserError(
        `release PR #${pull.number} (${pull.htmlUrl}) names this release but carries another put's commit ${state.sha.slice(0, 7)}${state.owner?.build === undefined ? '' : ` (${state.owner.build})`}: the lock was reclaimed while this put opened it; re-running that put settles the PR, or close it`,
      );
    }
    await options.sleep(CONTESTED_POLL_MS);
    const now = await options.github.getPull(pull.number);
    if (now.state !== 'open' || now.headSha !== pull.headSha || now.body !== pull.body) return;
  }
}

/**
 * Takes the lock for the payload: builds its commit on the base as it is now (not on the commit
 * the release was cut from), pushes it with a lease on what the lock was read at, and opens the
 * PR. FREE, MERGED, ABANDONED, a stale ORPHAN, or a release of ours that merged but is no longer
 * on the base. Undefined when the lock changed hands meanwhile: read it again.
 */
async function takeLock(
  state: Extract<LockState, { kind: 'free' | 'merged' | 'abandoned' | 'orphan' | 'delivered' }>,
  context: {
    input: OutInput;
    deps: OutDeps;
    work: string;
    payload: Payload;
    pulls: PullOptions;
    lock: LockWriter;
  },
): Promise<Pick<Delivery, 'operation' | 'pull' | 'baseSha' | 'backport'> | undefined> {
  const { input, deps, payload, pulls, lock } = context;
  const { source } = input;
  const { github, git, log } = deps;
  const { target, text } = pulls;
  const baseDir = await mkdtemp(join(context.work, 'base-'));
  const baseSha = await git.fetchMetadata({ remote: deps.remote, ref: target.base, dir: baseDir });
  const plan = await payload.onBase(await readMetadataDir(baseDir), target);
  const backport = plan.content.kind === 'release' ? plan.content.release.backport : undefined;
  if (plan.files.size === 0) {
    return { operation: 'nothing-to-commit', pull: undefined, baseSha, backport: undefined };
  }
  if (state.kind !== 'free' && state.kind !== 'delivered') {
    log.info(`reclaiming ${target.lockBranch} (${describeReclaim(state)})`);
  }
  const sha = await git.commitFiles({
    dir: baseDir,
    parent: baseSha,
    files: plan.files,
    message: formatCommitMessage(text.commitSubject, {
      version: payload.version,
      source: payload.source,
      key: payload.key,
      build: text.buildUrl,
    }),
    author: source.gitAuthor,
  });
  const lease: Lease = state.kind === 'free' ? { kind: 'absent' } : { kind: 'at', sha: state.sha };
  const pushed = await pushLock(deps, { dir: baseDir, sha, lease, target, sleep: lock.sleep });
  if (pushed === 'lease-rejected') {
    log.info(`${target.lockBranch} changed while this put was taking it: reading the lock again`);
    return undefined;
  }
  const reclaimed = lease.kind === 'at' ? { old: lease.sha, sha } : undefined;
  // A PR someone reopened, or another put opened, just before this push now shows this
  // release's commit under its own text: put its commit back and read the lock again.
  if (reclaimed !== undefined) {
    const crossed = (await openOrAnyPulls(github, target, 'open')).find(
      (pull) => !textIsOurs(pull, payload.key),
    );
    if (crossed !== undefined) {
      await putBack(lock, reclaimed, crossed);
      return undefined;
    }
  }
  const outcome = await openPull(pulls, plan.content, sha);
  const pull = await settle(outcome, { pulls, content: plan.content, reclaimed, lock });
  return pull === undefined ? undefined : { operation: 'created', pull, baseSha, backport };
}

/** Adopts this put's open PR: repairs its text if it names another release, says where it goes. */
async function adopt(
  pulls: PullOptions,
  payload: Payload,
  pull: PullRequest,
): Promise<PullRequest> {
  const { log, target } = pulls;
  log.info(`the lock already holds this ${payload.kind}: adopting ${pull.htmlUrl}`);
  const block = parsePullBlock(pull.body);
  const adopted =
    block !== undefined && block.key !== payload.key
      ? await repairPull(pulls, payload.content, pull)
      : pull;
  if (adopted.baseRef !== target.base) {
    log.warn(
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
    pulls: PullOptions;
    content: PullContent;
    reclaimed: Reclaimed | undefined;
    lock: LockWriter;
  },
): Promise<PullRequest | undefined> {
  const { pulls, reclaimed } = context;
  const { target, log } = pulls;
  if (outcome.kind === 'ours') return outcome.pull;
  if (outcome.kind === 'other-head') {
    log.warn(
      `PR #${outcome.pull.number} from ${target.lockBranch} shows ${outcome.pull.headSha.slice(0, 7)}, not this put's commit: reading the lock again`,
    );
    return undefined;
  }
  if (reclaimed !== undefined) {
    await putBack(context.lock, reclaimed, outcome.pull);
    return undefined;
  }
  return repairPull(pulls, context.content, outcome.pull);
}

/** What a put needs to write the lock branch. */
interface LockWriter {
  deps: OutDeps;
  /** The put's scratch directory. */
  work: string;
  target: ReleaseTarget;
  sleep: (ms: number) => Promise<void>;
}

/** A reclaim push: the commit it replaced and the one it pushed. */
interface Reclaimed {
  old: string;
  sha: string;
}

/** Puts back the commit a reclaim replaced, under a PR that was open across the push. */
async function putBack(lock: LockWriter, reclaimed: Reclaimed, pull: PullRequest): Promise<void> {
  const { deps, target } = lock;
  deps.log.warn(
    `PR #${pull.number} (${pull.htmlUrl}) was open from ${target.lockBranch} across this put's push (reopened, or opened by another put): putting its commit ${reclaimed.old.slice(0, 7)} back and reading the lock again`,
  );
  // git pushes only what it has: fetch the old commit (GitHub keeps it as refs/pull/N/head)
  // with its parent, since a receiving repository refuses a commit at a shallow boundary.
  const dir = await mkdtemp(join(lock.work, 'put-back-'));
  await deps.git.fetchMetadata({
    remote: deps.remote,
    ref: reclaimed.old,
    dir,
    sparse: ['/config/final.yml'],
    depth: 2,
  });
  const restored = await pushLock(deps, {
    dir,
    sha: reclaimed.old,
    lease: { kind: 'at', sha: reclaimed.sha },
    target,
    sleep: lock.sleep,
  });
  if (restored === 'lease-rejected') {
    deps.log.warn(`${target.lockBranch} moved again meanwhile: reading the lock again`);
  }
}

/** Whether the base's release index still lists the payload's version (a revert removes it). */
async function onBase(
  github: GitHub,
  target: ReleaseTarget,
  payload: Payload,
  track: 'both' | 'final_builds',
): Promise<boolean> {
  // With only .final_builds in git, merged release PRs are the record of versions (README).
  if (track === 'final_builds') return true;
  const path = releaseIndexPath(target.releaseName);
  const answer = await github.getFileConditional(path, target.base, undefined);
  if (!answer.modified || answer.value === undefined) return false;
  const index = parseReleaseIndex(answer.value, `${path} on ${target.base}`);
  return [...index.builds.values()].some((version) => sameBoshVersion(version, payload.version));
}

const PUSH_ATTEMPTS = 3;

// A push that failed on the way may still have landed: read the branch before trying again, and
// never push twice blindly. Only the lease's own expectation allows a retry.
async function pushLock(
  deps: OutDeps,
  options: {
    dir: string;
    sha: string;
    lease: Lease;
    target: ReleaseTarget;
    sleep: (ms: number) => Promise<void>;
  },
): Promise<PushOutcome> {
  const { dir, sha, lease, target } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.git.push({
        dir,
        remote: deps.remote,
        sha,
        branch: target.lockBranch,
        lease,
      });
    } catch (error) {
      if (error instanceof UserError) throw error;
      const now = await deps.github.getBranchSha(target.lockBranch);
      if (now === sha) return 'pushed';
      if (now !== (lease.kind === 'absent' ? undefined : lease.sha)) return 'lease-rejected';
      const reason = gitFailure(error);
      if (attempt >= PUSH_ATTEMPTS) {
        throw new UserError(
          `pushing the lock branch ${target.lockBranch} failed ${attempt} times (${reason}); nothing was changed: re-run the build`,
        );
      }
      deps.log.warn(
        `pushing ${target.lockBranch} failed (${reason}); the branch is unchanged, trying again`,
      );
      await options.sleep(attempt * 1000);
    }
  }
}

/** The line of a git failure that says what went wrong. */
function gitFailure(error: unknown): string {
  const text = [
    error instanceof Error ? error.message : '',
    String((error as Error | undefined)?.cause ?? ''),
  ].join('\n');
  const line =
    text.split('\n').find((l) => /^(fatal|error):/.test(l.trim())) ?? text.split('\n')[0] ?? '';
  return line.trim().replace(/^(fatal|error):\s*/, '');
}

// DESIGN §4: a put returns the newest version check would report — an existing one — so that it
// triggers nothing; only a base without any final release gets a new, empty version.
async function currentVersion(
  deps: OutDeps & { cache: EtagCache },
  source: OutInput['source'],
  delivery: Delivery,
): Promise<Version> {
  const { newest } = await readNewestReported({
    github: deps.github,
    cache: deps.cache,
    log: deps.log,
    target: delivery.target,
    apiUrl: source.apiUrl,
    reportLowerVersions: source.reportLowerVersions,
    track: source.track,
  });
  if (newest !== undefined) return newest.version;
  const start = await startingVersion({
    github: deps.github,
    cache: noEtagCache,
    target: delivery.target,
  });
  return start ?? { version: '', pr: '', ref: delivery.baseSha };
}

/** The release PR's content with what check will do with a lower release (backport.ts). */
function noting(content: PullContent, backport: string | undefined): PullContent {
  return content.kind === 'release'
    ? { ...content, release: { ...content.release, backport } }
    : content;
}

/**
 * What one put remembers: the facts of merged release PRs it read for its history (under
 * `track: final_builds`) are not read again for the version it returns. Pages stay conditional.
 */
function memoryCache(): EtagCache {
  const entries = new Map<string, CacheEntry<unknown>>();
  return {
    get: async <T>(key: string) => entries.get(key) as CacheEntry<T> | undefined,
    set: async <T>(key: string, entry: CacheEntry<T>) => {
      entries.set(key, entry);
    },
  };
}

function metadata(delivery: Delivery): MetadataField[] {
  const { pull, payload } = delivery;
  return [
    ...(pull === undefined
      ? []
      : [
          { name: 'pr', value: String(pull.number) },
          { name: 'pr_url', value: pull.htmlUrl },
        ]),
    { name: 'operation', value: delivery.operation },
    { name: 'release', value: payload.name },
    { name: 'version', value: payload.version },
    { name: 'lock_branch', value: delivery.target.lockBranch },
    { name: 'base_sha', value: delivery.baseSha },
    ...(delivery.backport === undefined ? [] : [{ name: 'backport', value: delivery.backport }]),
  ];
}

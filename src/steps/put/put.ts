import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReleaseIndex, releaseIndexPath, sameBoshVersion } from '../../bosh/index.js';
import type { GetPutResponse, MetadataField, ResourceVersion } from '../../concourse/contract.js';
import type { PutInput } from '../../concourse/settings.js';
import type { Git, GitRemote } from '../../git/git.js';
import type { GitHub } from '../../github/github.js';
import { readNewestReported } from '../../history/merged-releases.js';
import { resolveTarget } from '../../history/release-target.js';
import { startingVersion } from '../../history/starting-version.js';
import { noEtagCache, type CacheEntry, type EtagCache } from '../../io/etag-cache.js';
import type { Logger } from '../../io/log.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import { resourceVersionOf } from '../../rules/versions.js';
import { checkoutDir, expectVersion } from './checkout.js';
import { deliver, type Delivered, type PutContext } from './deliver.js';
import { importPayload, releasePayload, type Payload } from './payload.js';
import { pullMetadata, renderPullText } from './pull-request.js';
import { refresh, refreshMetadata } from './refresh.js';
import {
  reportDelivered,
  statusQueue,
  statusReporter,
  type StatusQueue,
  type StatusReporter,
} from './status.js';
import { createWaiting } from './wait.js';
import { pendingVerdict } from '../../rules/commit-status.js';

export interface PutDeps {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  log: Logger;
  /** The put's argument: the build's directory holding the artifacts. */
  args: string[];
  env: NodeJS.ProcessEnv;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Pauses between the brief retries of labels, reviewers and assignees. */
  decorateRetryDelaysMs?: readonly number[];
}

/** The put's context, and where its commit statuses go. */
type Prepared = PutContext & { status: StatusReporter; statuses: StatusQueue };

/** What the put delivered, and what it delivered it for. */
interface Delivery extends Delivered {
  payload: Payload;
  target: ReleaseTarget;
}

/** Opens (or adopts) the release PR of the checkout's new final release, under the lock. */
export async function put(input: PutInput, deps: PutDeps): Promise<GetPutResponse> {
  const work = await mkdtemp(join(tmpdir(), 'bosh-release-pr-out-'));
  const cache = memoryCache();
  let statuses: StatusQueue | undefined;
  try {
    if (input.params.refresh) {
      const refreshed = await refresh(input, { ...deps, cache }, work);
      const version = await currentVersion({ ...deps, cache }, input.source, refreshed);
      return { version, metadata: refreshMetadata(refreshed) };
    }
    const context = await prepare(input, { ...deps, cache }, work);
    statuses = context.statuses;
    const delivery: Delivery = {
      ...(await deliver(context)),
      payload: context.payload,
      target: context.target,
    };
    const version = await currentVersion({ ...deps, cache }, input.source, delivery);
    const { pull, payload } = delivery;
    await vouch(context, delivery, input.source.gitAuthor);
    deps.log.info(
      pull === undefined
        ? `${delivery.operation}: ${payload.label} adds no .final_builds entry ${delivery.target.base} lacks, so no PR was opened (source.track: final_builds)`
        : `${delivery.operation} ${pull.htmlUrl} (${payload.label})`,
    );
    if (delivery.backport !== undefined) deps.log.warn(delivery.backport);
    return { version, metadata: metadata(delivery) };
  } finally {
    // A pending status still on its way is not cut off by the step's exit.
    await statuses?.drain();
    await rm(work, { recursive: true, force: true });
  }
}

/** Says on the PR's head that the release is safe, after the put's pending status (status.ts). */
async function vouch(
  context: Prepared,
  delivery: Delivery,
  identity: { name: string; email: string },
): Promise<void> {
  const { pull, operation } = delivery;
  if (pull === undefined || (operation !== 'created' && operation !== 'adopted')) return;
  await context.statuses.drain();
  await reportDelivered(context.status, {
    pull,
    base: delivery.target.base,
    baseSha: delivery.baseSha,
    identity,
  });
}

/**
 * Everything checked before the lock is touched: the checkout and its payload, the version it
 * expects, the target, the source commit on GitHub, and the PR's texts.
 */
async function prepare(
  input: PutInput,
  deps: PutDeps & { cache: EtagCache },
  work: string,
): Promise<Prepared> {
  const { source, params } = input;
  const { github, git, log, cache } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const sources = deps.args[0] ?? '.';

  const checkout = await checkoutDir(deps.args, params.repository ?? '', git);
  const read = { checkout, git, github, log, source, cache };
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
  const status = statusReporter(input, deps);
  const statuses = statusQueue(status);
  const text = await renderPullText({
    params,
    sources,
    env: deps.env,
    name: payload.name,
    version: payload.version,
    kind: payload.kind,
  });
  return {
    source,
    params,
    payload,
    target,
    text,
    pulls: {
      github,
      log,
      source,
      params,
      target,
      text,
      key: payload.key,
      sleep,
      decorateRetryDelaysMs: deps.decorateRetryDelaysMs ?? [1000, 3000],
    },
    writer: {
      github,
      git,
      remote: deps.remote,
      log,
      target,
      work,
      sleep,
      onPushed: async (sha) => statuses.post(sha, pendingVerdict(payload.label, target.base)),
    },
    status,
    statuses,
    waiting: createWaiting({
      log,
      now,
      sleep,
      pollIntervalMs: params.waitIntervalMs,
      waitTimeoutMs: params.waitTimeoutMs,
      target,
    }),
    now,
    stillOnBase: () => stillOnBase(github, target, payload, source.track),
  };
}

/** Whether the base's release index still lists the payload's version (a revert removes it). */
async function stillOnBase(
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

// A put returns the newest version check would report — an existing one — so that it triggers
// nothing; only a base without any final release gets a new, empty version (docs/versions.md).
async function currentVersion(
  deps: PutDeps & { cache: EtagCache },
  source: PutInput['source'],
  delivery: { target: ReleaseTarget; baseSha: string },
): Promise<ResourceVersion> {
  const { newest } = await readNewestReported({
    github: deps.github,
    cache: deps.cache,
    log: deps.log,
    target: delivery.target,
    apiUrl: source.apiUrl,
    reportLowerVersions: source.reportLowerVersions,
    track: source.track,
  });
  if (newest !== undefined) return resourceVersionOf(newest);
  const start = await startingVersion({
    github: deps.github,
    cache: noEtagCache,
    target: delivery.target,
  });
  return start ?? { version: '', pr: '', ref: delivery.baseSha };
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
    ...pullMetadata(pull),
    { name: 'operation', value: delivery.operation },
    { name: 'release', value: payload.name },
    { name: 'version', value: payload.version },
    { name: 'lock_branch', value: delivery.target.lockBranch },
    { name: 'base_sha', value: delivery.baseSha },
    ...(delivery.backport === undefined ? [] : [{ name: 'backport', value: delivery.backport }]),
  ];
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InOutResponse, MetadataField, Version } from '../contract.js';
import { noEtagCache } from '../etag-cache.js';
import { UserError } from '../errors.js';
import type { Git, GitRemote, Lease, PushOutcome } from '../git.js';
import type { GitHub, PullRequest } from '../github.js';
import type { Logger } from '../log.js';
import { readMetadataDir } from '../metadata-reader.js';
import { formatCommitMessage } from '../release-commit.js';
import { readMergedReleases, type ReleaseTarget } from '../release-history.js';
import { resolveTarget } from '../release-target.js';
import type { OutInput } from '../settings.js';
import { startingVersion } from '../starting-version.js';
import { checkoutDir, expectVersion } from './checkout.js';
import {
  describeReclaim,
  heldMessage,
  readLock,
  reclaimRefusal,
  waitForRelease,
} from './lock-policy.js';
import { importPayload, releasePayload, type Payload } from './payload.js';
import { openPull, renderPullText, type PullOptions } from './pull-request.js';

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
  /** How often `on_open_pr: wait` asks GitHub again. */
  pollIntervalMs?: number;
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
  apiUrl: string;
}

// Lease failures mean another put moved the lock between our read and our push: read again.
const MAX_LOCK_ROUNDS = 6;

/** Opens (or adopts) the release PR of the checkout's new final release, under the lock. */
export async function putOut(input: OutInput, deps: OutDeps): Promise<InOutResponse> {
  const work = await mkdtemp(join(tmpdir(), 'bosh-release-pr-out-'));
  try {
    const delivery = await deliver(input, deps, work);
    const version = await currentVersion(deps, delivery);
    const { pull, payload } = delivery;
    deps.log.info(
      pull === undefined
        ? `${delivery.operation}: ${payload.label} adds no .final_builds entry ${delivery.target.base} lacks, so no PR was opened (source.track: final_builds)`
        : `${delivery.operation} ${pull.htmlUrl} (${payload.label})`,
    );
    return { version, metadata: metadata(delivery) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function deliver(input: OutInput, deps: OutDeps, work: string): Promise<Delivery> {
  const { source, params } = input;
  const { github, git, log } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const sources = deps.args[0] ?? '.';

  const checkout = await checkoutDir(deps.args, params.repository, git);
  const read = { checkout, files: await readMetadataDir(checkout), git, github, log, source };
  const payload = params.import ? await importPayload(read) : await releasePayload(read);
  await expectVersion(params.version, payload.version, sources);
  const target = await resolveTarget({
    github,
    cache: noEtagCache,
    source,
    releaseName: payload.name,
  });
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
    sleep,
    decorateRetryDelaysMs: deps.decorateRetryDelaysMs ?? [1000, 3000],
  };
  const settled = { payload, target, apiUrl: source.apiUrl };
  let waitStarted: number | undefined;

  for (let round = 1; round <= MAX_LOCK_ROUNDS; round++) {
    const { state, parent } = await readLock(github, target, {
      key: payload.key,
      now: now(),
      staleLockAfterMs: params.staleLockAfterMs,
    });
    log.debug({ state: state.kind }, 'lock state');

    switch (state.kind) {
      case 'ours': {
        if (state.pull !== undefined) {
          log.info(`the lock already holds this ${payload.kind}: adopting ${state.pull.htmlUrl}`);
          return { ...settled, operation: 'adopted', pull: state.pull, baseSha: parent };
        }
        const pull = await openPull(pulls, payload.content, state.sha);
        return { ...settled, operation: 'created', pull, baseSha: parent };
      }
      case 'delivered':
        log.info(`this ${payload.kind} was already merged by ${state.pull.htmlUrl}`);
        return { ...settled, operation: 'delivered', pull: state.pull, baseSha: parent };
      case 'held':
        if (params.onOpenPr === 'fail') throw new UserError(heldMessage(state, target, now()));
        waitStarted ??= now().getTime();
        await waitForRelease(state.pull, {
          github,
          log,
          now,
          sleep,
          pollIntervalMs: deps.pollIntervalMs ?? 30_000,
          deadline: waitStarted + params.waitTimeoutMs,
          target,
        });
        round = 0; // the lock changed hands: start over (rounds count lease races, not waits)
        break;
      case 'free':
      case 'merged':
      case 'abandoned':
      case 'orphan': {
        if (state.kind !== 'free') {
          const refusal = reclaimRefusal(state, params, target);
          if (refusal !== undefined) throw new UserError(refusal);
        }
        // The PR commit is built on the base as it is now, not on the commit the release was cut from.
        const baseDir = await mkdtemp(join(work, 'base-'));
        const baseSha = await git.fetchMetadata({
          remote: deps.remote,
          ref: target.base,
          dir: baseDir,
        });
        const plan = await payload.onBase(await readMetadataDir(baseDir), target);
        if (plan.files.size === 0) {
          return { ...settled, operation: 'nothing-to-commit', pull: undefined, baseSha };
        }
        if (state.kind !== 'free') {
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
        const lease =
          state.kind === 'free'
            ? ({ kind: 'absent' } as const)
            : ({ kind: 'at', sha: state.sha } as const);
        const pushed = await pushLock(deps, { dir: baseDir, sha, lease, target, sleep });
        if (pushed === 'lease-rejected') {
          log.info(
            `${target.lockBranch} changed while this put was taking it: reading the lock again`,
          );
          break;
        }
        const pull = await openPull(pulls, plan.content, sha);
        return { ...settled, operation: 'created', pull, baseSha };
      }
    }
  }
  throw new Error(
    `the lock ${target.lockBranch} kept changing hands: gave up after ${MAX_LOCK_ROUNDS} rounds`,
  );
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
async function currentVersion(deps: OutDeps, delivery: Delivery): Promise<Version> {
  const history = {
    github: deps.github,
    cache: noEtagCache,
    log: deps.log,
    target: delivery.target,
  };
  const newest = (
    await readMergedReleases({ ...history, apiUrl: delivery.apiUrl, only: 'newest' })
  ).at(-1)?.version;
  if (newest !== undefined) return newest;
  const start = await startingVersion(history);
  return start ?? { version: '', pr: '', ref: delivery.baseSha };
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
  ];
}

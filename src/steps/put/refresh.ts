import type { MetadataField } from '../../concourse/contract.js';
import type { PutInput } from '../../concourse/settings.js';
import { UserError } from '../../errors.js';
import type { CommitInfo, PullRequest } from '../../github/github.js';
import { noEtagCache, type EtagCache } from '../../io/etag-cache.js';
import { resolveTarget } from '../../history/release-target.js';
import { pendingVerdict, safeVerdict, unsafeVerdict } from '../../rules/commit-status.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import { decideRefresh } from '../../rules/refresh-state.js';
import { parseCommitTrailers } from '../../rules/release-commit.js';
import { openOrAnyPulls, takeLock } from './lock.js';
import { pullMetadata } from './pull-request.js';
import type { Payload } from './payload.js';
import type { PutDeps } from './put.js';
import { payloadOfCommit } from './refresh-payload.js';
import { reportStatus, statusReporter, type StatusReporter } from './status.js';

// `params.refresh: true` (docs/lock.md, "Refreshing the release PR"): the open release PR's
// release, read from its commit, re-planned onto the base's current head by the put's own path
// (takeLock: the semantic rebase, a commit on the base, a push with a lease on the old commit).
// Like Renovate, never over a person's commit; unlike git, by meaning rather than by text.

/** What a refresh did. */
type RefreshOperation =
  'nothing-to-refresh' | 'up-to-date' | 'refreshed' | 'left' | 'unsafe' | 'superseded';

/** A refresh's outcome. */
interface Refreshed {
  operation: RefreshOperation;
  target: ReleaseTarget;
  pull: PullRequest | undefined;
  /** The base commit the PR's commit is built on after the refresh (the base's head without one). */
  baseSha: string;
  /** The release's version, when a release commit was read. */
  version: string | undefined;
  /** Why nothing was pushed: a person's commits, the unsafe release, the lease it lost. */
  reason: string | undefined;
}

/** A refusal of the release on the current base (its planCommit's), told apart from other errors. */
class UnsafeRelease extends Error {}

/** Re-plans the open release PR onto the base's current head; see the module comment. */
export async function refresh(
  input: PutInput,
  deps: PutDeps & { cache: EtagCache },
  work: string,
): Promise<Refreshed> {
  const { source } = input;
  const { github } = deps;
  if (source.track === 'final_builds') {
    throw new UserError(
      'params.refresh needs source.track: both: under final_builds the release manifest is not in git, so a release PR cannot be re-planned from the repository; remove the refresh job until releases/ is in git',
    );
  }
  const target = await resolveTarget({ github, cache: noEtagCache, source });
  const [branchSha, baseSha] = await Promise.all([
    github.getBranchSha(target.lockBranch),
    github.getBranchSha(target.base),
  ]);
  if (baseSha === undefined) {
    throw new UserError(`the base branch ${target.base} does not exist: check source.base_branch`);
  }
  const [pulls, comparison] =
    branchSha === undefined
      ? [[], undefined]
      : await Promise.all([
          openOrAnyPulls(github, target, 'open'),
          github.compareCommits(target.base, branchSha),
        ]);
  const state = decideRefresh({
    base: target.base,
    lockBranch: target.lockBranch,
    branchSha,
    baseSha,
    pulls,
    commits: comparison?.commits ?? [],
    identity: source.gitAuthor,
  });
  const finish = (operation: RefreshOperation, more: Partial<Refreshed> = {}): Refreshed =>
    told(deps, {
      operation,
      target,
      baseSha,
      pull: undefined,
      version: undefined,
      reason: undefined,
      ...more,
    });
  if (state.kind === 'none') return finish('nothing-to-refresh', { reason: state.reason });
  const { pull } = state;
  if (state.kind === 'left') return finish('left', { pull, reason: state.reason });
  const trailers = parseCommitTrailers(state.commit.message);
  const reporter = statusReporter(input, deps);
  const head = state.commit.sha;
  if (state.kind === 'current') {
    await reportStatus(reporter, head, safeVerdict(target.base, baseSha));
    return finish('up-to-date', { pull, version: trailers.version });
  }
  const payload = await payloadOfCommit(
    { sha: head, parent: state.commit.parents[0] ?? '', trailers },
    { ...deps, source, target, work, pull: pull.number },
  );
  await reportStatus(reporter, head, pendingVerdict(`re-planning ${payload.label}`, target.base));
  const done = await replan({ input, deps, work, target, payload, commit: state.commit, reporter });
  return finish(done.operation, { ...done, pull, version: payload.version });
}

/** Logs a refresh's outcome in one line and returns it. */
function told(deps: PutDeps, refreshed: Refreshed): Refreshed {
  const { operation, pull, reason } = refreshed;
  deps.log.info(
    `${operation}${pull === undefined ? '' : ` ${pull.htmlUrl}`}${reason === undefined ? '' : `: ${reason}`}`,
  );
  return refreshed;
}

/**
 * Pushes the release re-planned onto the base's head (with a lease on the commit it replaces),
 * or says why not: the release is unsafe there, or another writer moved the branch first.
 */
async function replan(options: {
  input: PutInput;
  deps: PutDeps;
  work: string;
  target: ReleaseTarget;
  payload: Payload;
  /** The release commit on the lock branch. */
  commit: CommitInfo;
  reporter: StatusReporter;
}): Promise<Pick<Refreshed, 'operation' | 'reason' | 'baseSha'>> {
  const { deps, target, payload, commit, reporter } = options;
  const parent = commit.parents[0] ?? '';
  let result: Awaited<ReturnType<typeof takeLock>>;
  try {
    result = await takeLock(
      {
        ...deps,
        target,
        work: options.work,
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms))),
      },
      {
        payload: refusingUnsafe(payload),
        // The release keeps its subject and the build that cut it; only the commit is new.
        text: {
          commitSubject: commit.message.split('\n')[0] ?? '',
          buildUrl: parseCommitTrailers(commit.message).build,
        },
        author: options.input.source.gitAuthor,
        at: commit.sha,
        reclaiming: undefined,
      },
    );
  } catch (error) {
    if (!(error instanceof UnsafeRelease)) throw error;
    await reportStatus(reporter, commit.sha, unsafeVerdict(error.message));
    return { operation: 'unsafe', reason: error.message, baseSha: parent };
  }
  if (result.kind === 'raced') {
    const reason = `${target.lockBranch} moved during the refresh (another put or refresh pushed first): nothing was pushed`;
    return { operation: 'superseded', reason, baseSha: parent };
  }
  if (result.kind === 'nothing') {
    const reason = `${target.base} already has every file of ${payload.label}: close the PR`;
    await reportStatus(reporter, commit.sha, unsafeVerdict(reason));
    return { operation: 'unsafe', reason, baseSha: parent };
  }
  const { sha, baseSha } = result.taken;
  await reportStatus(reporter, sha, safeVerdict(target.base, baseSha));
  return { operation: 'refreshed', reason: undefined, baseSha };
}

/** The payload whose planning refusals (the release is unsafe on the base) are UnsafeRelease. */
function refusingUnsafe(payload: Payload): Payload {
  return {
    ...payload,
    async planCommit(files, onto) {
      try {
        return await payload.planCommit(files, onto);
      } catch (error) {
        if (error instanceof UserError) throw new UnsafeRelease(error.message, { cause: error });
        throw error;
      }
    },
  };
}

/** The put's metadata for a refresh. */
export function refreshMetadata(refreshed: Refreshed): MetadataField[] {
  const { pull } = refreshed;
  return [
    ...pullMetadata(pull),
    { name: 'operation', value: refreshed.operation },
    { name: 'release', value: refreshed.target.releaseName },
    ...(refreshed.version === undefined ? [] : [{ name: 'version', value: refreshed.version }]),
    { name: 'lock_branch', value: refreshed.target.lockBranch },
    { name: 'base_sha', value: refreshed.baseSha },
    ...(refreshed.reason === undefined ? [] : [{ name: 'reason', value: refreshed.reason }]),
  ];
}

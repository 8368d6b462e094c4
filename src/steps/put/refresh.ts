import type { MetadataField } from '../../concourse/contract.js';
import type { PutInput } from '../../concourse/settings.js';
import { UserError } from '../../errors.js';
import type { CommitInfo, PullRequest } from '../../github/github.js';
import type { EtagCache } from '../../io/etag-cache.js';
import { noEtagCache } from '../../io/etag-cache.js';
import { resolveTarget } from '../../history/release-target.js';
import { pendingVerdict, safeVerdict, unsafeVerdict } from '../../rules/commit-status.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import { isResourceCommit, parseCommitTrailers } from '../../rules/release-commit.js';
import { openOrAnyPulls, takeLock, type LockWriter } from './lock.js';
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
  /** Why nothing was pushed: a person's commits, the unsafe release, the push that lost the lease. */
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
  const { github, log } = deps;
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
  const outcome = (operation: RefreshOperation, more: Partial<Refreshed> = {}): Refreshed => {
    const done = {
      operation,
      target,
      pull: undefined,
      baseSha,
      version: undefined,
      reason: undefined,
      ...more,
    };
    log.info(
      `${operation}${done.pull === undefined ? '' : ` ${done.pull.htmlUrl}`}${done.reason === undefined ? '' : `: ${done.reason}`}`,
    );
    return done;
  };
  const pull =
    branchSha === undefined ? undefined : (await openOrAnyPulls(github, target, 'open'))[0];
  if (branchSha === undefined || pull === undefined) {
    return outcome('nothing-to-refresh', {
      reason: `no release PR is open from ${target.lockBranch}`,
    });
  }
  if (pull.baseRef !== target.base) {
    return outcome('left', {
      pull,
      reason: `PR #${pull.number} was retargeted to ${pull.baseRef}; a refresh re-plans onto ${target.base} only`,
    });
  }
  const commits = (await github.compareCommits(target.base, branchSha))?.commits ?? [];
  const refusal = unrewritable(commits, source.gitAuthor, pull);
  const [commit] = commits;
  if (refusal !== undefined || commit === undefined) {
    return outcome('left', { pull, reason: refusal ?? `PR #${pull.number} has no commit` });
  }
  const trailers = parseCommitTrailers(commit.message);
  const version = trailers.version;
  const reporter = statusReporter(input, deps);
  // Built on the base's head already: the put (or refresh) that made it planned it there.
  if (commit.parents[0] === baseSha) {
    await reportStatus(reporter, branchSha, safeVerdict(target.base, baseSha));
    return outcome('up-to-date', { pull, version });
  }
  const payload = await payloadOfCommit(
    { sha: commit.sha, parent: commit.parents[0] ?? '', trailers },
    { ...deps, target, work, pull: pull.number, source },
  );
  await reportStatus(
    reporter,
    branchSha,
    pendingVerdict(`re-planning ${payload.label}`, target.base),
  );
  return replan({ payload, commit, branchSha, reporter, pull, outcome, input, deps, work, target });
}

/** Why a refresh must not rewrite the branch, or undefined when it carries only the release commit. */
function unrewritable(
  commits: readonly CommitInfo[],
  identity: { name: string; email: string },
  pull: PullRequest,
): string | undefined {
  const foreign = commits.filter((commit) => !isResourceCommit(commit, identity));
  if (foreign.length > 0) {
    const authors = [...new Set(foreign.map((commit) => commit.author?.name ?? 'someone'))];
    return `PR #${pull.number} carries ${foreign.length === 1 ? '1 commit' : `${foreign.length} commits`} by ${authors.join(', ')} that this resource did not make: a refresh never rewrites a person's work; merge or close the PR, or drop those commits`;
  }
  if (commits.length > 1) {
    return `PR #${pull.number} carries ${commits.length} release commits; a refresh re-plans a branch of one`;
  }
  return undefined;
}

/** Pushes the release re-planned onto the base's head, or reports why it is not safe there. */
async function replan(options: {
  payload: Payload;
  commit: CommitInfo;
  branchSha: string;
  reporter: StatusReporter;
  pull: PullRequest;
  outcome: (operation: RefreshOperation, more?: Partial<Refreshed>) => Refreshed;
  input: PutInput;
  deps: PutDeps;
  work: string;
  target: ReleaseTarget;
}): Promise<Refreshed> {
  const { payload, commit, branchSha, reporter, pull, outcome, deps, target } = options;
  const version = payload.version;
  const writer: LockWriter = {
    github: deps.github,
    git: deps.git,
    remote: deps.remote,
    log: deps.log,
    target,
    work: options.work,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms))),
  };
  const guarded: Payload = {
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
  const trailers = parseCommitTrailers(commit.message);
  let result: Awaited<ReturnType<typeof takeLock>>;
  try {
    result = await takeLock(writer, {
      payload: guarded,
      // The release keeps its subject and the build that cut it; the commit is new.
      text: { commitSubject: commit.message.split('\n')[0] ?? '', buildUrl: trailers.build },
      author: options.input.source.gitAuthor,
      at: branchSha,
      reclaiming: undefined,
    });
  } catch (error) {
    if (!(error instanceof UnsafeRelease)) throw error;
    await reportStatus(reporter, branchSha, unsafeVerdict(error.message));
    return outcome('unsafe', {
      pull,
      version,
      reason: error.message,
      baseSha: commit.parents[0] ?? '',
    });
  }
  if (result.kind === 'raced') {
    return outcome('superseded', {
      pull,
      version,
      reason: `${target.lockBranch} moved during the refresh (another put or refresh pushed first): nothing was pushed`,
    });
  }
  if (result.kind === 'nothing') {
    const reason = `${target.base} already has every file of ${payload.label}: close PR #${pull.number}`;
    await reportStatus(reporter, branchSha, unsafeVerdict(reason));
    return outcome('unsafe', { pull, version, reason, baseSha: commit.parents[0] ?? '' });
  }
  const { sha, baseSha } = result.taken;
  await reportStatus(reporter, sha, safeVerdict(target.base, baseSha));
  return outcome('refreshed', { pull: { ...pull, headSha: sha }, version, baseSha });
}

/** The put's metadata for a refresh. */
export function refreshMetadata(refreshed: Refreshed): MetadataField[] {
  const { pull } = refreshed;
  return [
    ...(pull === undefined
      ? []
      : [
          { name: 'pr', value: String(pull.number) },
          { name: 'pr_url', value: pull.htmlUrl },
        ]),
    { name: 'operation', value: refreshed.operation },
    { name: 'release', value: refreshed.target.releaseName },
    ...(refreshed.version === undefined ? [] : [{ name: 'version', value: refreshed.version }]),
    { name: 'lock_branch', value: refreshed.target.lockBranch },
    { name: 'base_sha', value: refreshed.baseSha },
    ...(refreshed.reason === undefined ? [] : [{ name: 'reason', value: refreshed.reason }]),
  ];
}

import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { FINAL_CONFIG_PATH } from '../../bosh/index.js';
import { UserError } from '../../errors.js';
import { GitCommandError } from '../../git/failures.js';
import type { Git, GitRemote, Lease, PushOutcome } from '../../git/git.js';
import type { CommitInfo, GitHub, PullRequest } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import { decideLockState, type LockState, type ReleaseTarget } from '../../rules/lock-state.js';
import { formatCommitMessage } from '../../rules/release-commit.js';
import { fetchBase } from './base-files.js';
import type { Payload, PlannedCommit } from './payload.js';
import type { PullText } from '../../rules/pull-text.js';

// Reading the lock, taking it and giving a crossed reclaim back: the lock's I/O (docs/lock.md).
// Deciding its state is pure (rules/lock-state.ts); what a put does in each state is deliver.ts.

/** The lock's state as GitHub tells it now, and the base commit its owner was built on. */
export interface LockReading {
  state: LockState;
  parent: string;
}

/** What writing the lock branch needs. */
export interface LockWriter {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  log: Logger;
  target: ReleaseTarget;
  /** The put's scratch directory. */
  work: string;
  sleep: (ms: number) => Promise<void>;
  /** Called with the commit a push put on the lock branch (the put's pending status). */
  onPushed?: (sha: string) => Promise<void>;
}

/** Reads the lock: the branch, its commits not on the base, and its PRs into any base. */
export async function readLock(
  github: GitHub,
  target: ReleaseTarget,
  options: {
    key: string;
    identity: { name: string; email: string };
    now: Date;
    staleLockAfterMs: number;
  },
): Promise<LockReading> {
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

/** A lock push: the commit it replaced (none when the branch was free) and the one it pushed. */
interface Taken {
  baseSha: string;
  sha: string;
  replaced: string | undefined;
  plan: PlannedCommit;
}

/**
 * Takes the lock for the payload: builds its commit on the base as it is now (not on the commit
 * the release was cut from) and pushes it with a lease on what the lock was read at. `nothing`
 * when the base has every file already; `raced` when the lock changed hands meanwhile.
 */
export async function takeLock(
  writer: LockWriter,
  options: {
    payload: Payload;
    text: Pick<PullText, 'commitSubject' | 'buildUrl'>;
    author: { name: string; email: string };
    /** The branch's sha when the lock was read; undefined when it was free. */
    at: string | undefined;
    /** Why the lock is taken over from another put, for the log; undefined when it is not. */
    reclaiming: string | undefined;
  },
): Promise<
  { kind: 'taken'; taken: Taken } | { kind: 'nothing'; baseSha: string } | { kind: 'raced' }
> {
  const { git, target, log } = writer;
  const { payload, text } = options;
  const dir = await mkdtemp(join(writer.work, 'base-'));
  const base = await fetchBase(git, {
    remote: writer.remote,
    ref: target.base,
    dir,
    choose: (paths) => payload.basePaths(paths),
  });
  const baseSha = base.sha;
  const plan = await payload.planCommit(base, target);
  if (plan.files.size === 0) return { kind: 'nothing', baseSha };
  if (options.reclaiming !== undefined) {
    log.info(`reclaiming ${target.lockBranch} (${options.reclaiming})`);
  }
  const sha = await git.commitFiles({
    dir,
    parent: baseSha,
    files: plan.files,
    message: formatCommitMessage(text.commitSubject, {
      version: payload.version,
      source: payload.source,
      key: payload.key,
      build: text.buildUrl,
    }),
    author: options.author,
  });
  const lease: Lease =
    options.at === undefined ? { kind: 'absent' } : { kind: 'at', sha: options.at };
  if ((await pushLock(writer, { dir, sha, lease })) === 'lease-rejected') {
    log.info(`${target.lockBranch} changed while this put was taking it: reading the lock again`);
    return { kind: 'raced' };
  }
  await writer.onPushed?.(sha);
  return { kind: 'taken', taken: { baseSha, sha, replaced: options.at, plan } };
}

/** Puts back the commit a reclaim replaced, under a PR that was open across the push. */
export async function putBack(
  writer: LockWriter,
  reclaimed: { replaced: string; sha: string },
  pull: PullRequest,
): Promise<void> {
  const { target, log } = writer;
  log.warn(
    `PR #${pull.number} (${pull.htmlUrl}) was open from ${target.lockBranch} across this put's push (reopened, or opened by another put): putting its commit ${reclaimed.replaced.slice(0, 7)} back and reading the lock again`,
  );
  // git pushes only what it has: fetch the old commit (GitHub keeps it as refs/pull/N/head)
  // with its parent, since a receiving repository refuses a commit at a shallow boundary.
  const dir = await mkdtemp(join(writer.work, 'put-back-'));
  await writer.git.fetchCommit({
    remote: writer.remote,
    ref: reclaimed.replaced,
    dir,
    sparse: [`/${FINAL_CONFIG_PATH}`],
    depth: 2,
  });
  const restored = await pushLock(writer, {
    dir,
    sha: reclaimed.replaced,
    lease: { kind: 'at', sha: reclaimed.sha },
  });
  if (restored === 'lease-rejected') {
    log.warn(`${target.lockBranch} moved again meanwhile: reading the lock again`);
  }
}

const PUSH_ATTEMPTS = 3;

// A push that failed on the way may still have landed: read the branch before trying again, and
// never push twice blindly. Only the lease's own expectation allows a retry.
async function pushLock(
  writer: LockWriter,
  options: { dir: string; sha: string; lease: Lease },
): Promise<PushOutcome> {
  const { dir, sha, lease } = options;
  const { target } = writer;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writer.git.push({
        dir,
        remote: writer.remote,
        sha,
        branch: target.lockBranch,
        lease,
      });
    } catch (error) {
      if (error instanceof UserError) throw error;
      const now = await writer.github.getBranchSha(target.lockBranch);
      if (now === sha) return 'pushed';
      if (now !== (lease.kind === 'absent' ? undefined : lease.sha)) return 'lease-rejected';
      const reason =
        error instanceof GitCommandError
          ? error.reason
          : (String(error instanceof Error ? error.message : error).split('\n')[0] ?? '');
      if (attempt >= PUSH_ATTEMPTS) {
        throw new UserError(
          `pushing the lock branch ${target.lockBranch} failed ${attempt} times (${reason}); nothing was changed: re-run the build`,
        );
      }
      writer.log.warn(
        `pushing ${target.lockBranch} failed (${reason}); the branch is unchanged, trying again`,
      );
      await writer.sleep(attempt * 1000);
    }
  }
}

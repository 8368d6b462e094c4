// `params.refresh: true` (docs/lock.md) keeps the open release PR safe to merge as its base moves, and
// every put and refresh says so in the commit status `bosh-release-pr` on the PR's head.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { parsePutRequest } from '../../src/concourse/settings.js';
import type { Git } from '../../src/git/git.js';
import { put, type PutDeps } from '../../src/steps/put/put.js';
import { git } from '../support/git.js';
import { meta, succeeded } from '../support/outcome.js';
import { BUILD_ENV, LOCK, OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const APP_INDEX = '.final_builds/packages/app/index.yml';
// An app build nobody's release uses, inserted where cut-a inserts its own (after af54…): two
// insertions at one place of a sorted index, which git reports as a conflict.
const UNRELATED_APP_BUILD = [
  '  e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0:',
  '    version: e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0',
  '    blobstore_id: 0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e',
  '    sha1: sha256:0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e',
].join('\n');

/** A put of `params.refresh: true`, as a refresh-release-pr job runs it (no checkout). */
async function refresh(
  repo: string,
  options: { source?: Record<string, unknown>; deps?: Partial<PutDeps> } = {},
): Promise<StepRun<GetPutResponse>> {
  const log = world.log();
  const lines = log.lines;
  try {
    const input = parsePutRequest({
      source: world.source(repo, options.source),
      params: { refresh: true },
    });
    const deps: PutDeps = {
      ...world.connect(input.source, log),
      log: log.logger,
      args: [await world.tempDir('brp-refresh-build-')],
      env: { ...BUILD_ENV, BUILD_JOB_NAME: 'refresh-release-pr', BUILD_NAME: '9' },
      sleep: () => new Promise((done) => setTimeout(done, 5)),
      ...options.deps,
    };
    return { result: await put(input, deps), logs: lines.join('') };
  } catch (error) {
    return { error: error as Error, logs: lines.join('') };
  }
}

/** Opens the release PR of cut-a on a fresh repository; its number and head. */
async function openRelease(
  branches?: string[],
): Promise<{ repo: string; number: number; head: string }> {
  const repo = await world.repository({ branches });
  const opened = succeeded(await world.put(repo, await world.buildDir('cut-a')));
  const head = await world.branchSha(repo, LOCK);
  return { repo, number: Number(meta(opened).pr), head: head ?? '' };
}

/** Adds an app build next to the release's own in main's index, as a person's commit. */
async function addUnrelatedBuild(repo: string): Promise<string> {
  const bare = world.sandbox.bareRepoPath(OWNER, repo);
  const index = await git(bare, ['show', `main:${APP_INDEX}`]);
  const moved = index.replace('format-version: "2"', `${UNRELATED_APP_BUILD}\nformat-version: "2"`);
  return world.sandbox.commitToBranch(OWNER, repo, 'main', {
    files: { [APP_INDEX]: moved },
    message: 'app: a build vendored from elsewhere',
  });
}

/** Whether `git merge` of the lock branch into main conflicts, in a clone of the repository. */
async function gitMergeConflicts(repo: string): Promise<boolean> {
  const dir = await world.tempDir('brp-merge-');
  await git(dir, ['clone', '--quiet', world.sandbox.bareRepoPath(OWNER, repo), 'clone']);
  const clone = `${dir}/clone`;
  await git(clone, ['fetch', '--quiet', 'origin', `${LOCK}:lock`]);
  try {
    await git(clone, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'merge',
      '--no-edit',
      'lock',
    ]);
    return false;
  } catch (error) {
    return /CONFLICT/.test(String(error)) || /conflict/i.test(await git(clone, ['status']));
  }
}

function statusOf(repo: string, sha: string) {
  return world.sandbox.commitStatuses(OWNER, repo, sha);
}

describe('refresh with no open release PR', () => {
  it('does nothing and says so', async () => {
    const repo = await world.repository();
    const since = world.sandbox.log().length;
    const run = succeeded(await refresh(repo));
    expect(meta(run)).toMatchObject({ operation: 'nothing-to-refresh', lock_branch: LOCK });
    expect(run.version).toMatchObject({ version: '2' });
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });
});

describe('refusals', () => {
  it('a resource that tracks only .final_builds: no manifest in git to re-plan from', async () => {
    const repo = await world.repository();
    const run = await refresh(repo, { source: { track: 'final_builds' } });
    expect(run.error?.message).toContain('params.refresh needs source.track: both');
  });

  it('a refresh that also names a checkout', () => {
    expect(() =>
      parsePutRequest({
        source: world.source('any'),
        params: { refresh: true, repository: 'release-repo' },
      }),
    ).toThrow('takes no checkout: remove params.repository');
  });
});

describe('a base moved by an unrelated .final_builds addition', () => {
  it('re-plans the release onto it: same PR, a commit that merges cleanly, status success', async () => {
    const { repo, number, head } = await openRelease();
    expect(statusOf(repo, head)).toEqual([expect.objectContaining({ state: 'success' })]);
    const base = await addUnrelatedBuild(repo);
    // For git the two insertions into one sorted index conflict, and so does GitHub's merge.
    expect(await gitMergeConflicts(repo)).toBe(true);
    await expect(world.sandbox.mergePull(OWNER, repo, number)).rejects.toThrow(
      'Pull Request is not mergeable',
    );

    const run = succeeded(await refresh(repo));
    expect(meta(run)).toMatchObject({ operation: 'refreshed', pr: String(number), base_sha: base });
    const refreshed = await world.branchSha(repo, LOCK);
    expect(refreshed).not.toBe(head);
    expect(world.sandbox.pull(OWNER, repo, number)).toMatchObject({
      state: 'open',
      headSha: refreshed,
    });
    const bare = world.sandbox.bareRepoPath(OWNER, repo);
    expect((await git(bare, ['rev-parse', `${refreshed}^`])).trim()).toBe(base);
    expect(statusOf(repo, refreshed ?? '')).toEqual([
      expect.objectContaining({
        state: 'success',
        description: `safe to merge onto main at ${base}`,
        targetUrl: expect.stringContaining('/jobs/refresh-release-pr/builds/9'),
      }),
    ]);

    // Required in branch protection, the status lets the merge through; both builds land.
    world.sandbox.setRequiredStatusChecks(OWNER, repo, 'main', ['bosh-release-pr']);
    await world.sandbox.mergePull(OWNER, repo, number);
    const merged = await git(bare, ['show', `main:${APP_INDEX}`]);
    expect(merged).toContain('e0e0e0e0');
    expect(merged).toContain('c57548c37210786b4b1b015338c907aab49bc868afa7bb8c3d776c4f2ea20978');
  });

  it('pushes nothing when the base has not moved since: up-to-date', async () => {
    const { repo, head } = await openRelease();
    const run = succeeded(await refresh(repo));
    expect(meta(run)).toMatchObject({ operation: 'up-to-date' });
    expect(await world.branchSha(repo, LOCK)).toBe(head);
  });
});

describe('a base moved by another release of the same version', () => {
  it('pushes nothing, fails the status naming it, and a required status blocks the merge', async () => {
    const { repo, number, head } = await openRelease(['main', 'cut-b']);
    const other = await world.sandbox.createPull(OWNER, repo, {
      head: 'cut-b',
      base: 'main',
      title: 'Final release 3 (by hand)',
    });
    await world.sandbox.mergePull(OWNER, repo, other);

    const run = succeeded(await refresh(repo));
    expect(meta(run)).toMatchObject({ operation: 'unsafe', pr: String(number) });
    expect(meta(run)['reason']).toContain('version 3 is already on main');
    expect(await world.branchSha(repo, LOCK)).toBe(head);
    const [status] = statusOf(repo, head);
    expect(status).toMatchObject({ state: 'failure' });
    expect(status?.description).toContain('version 3 is already on main');
    expect([...(status?.description ?? '')].length).toBeLessThanOrEqual(140);

    world.sandbox.setRequiredStatusChecks(OWNER, repo, 'main', ['bosh-release-pr']);
    await expect(world.sandbox.mergePull(OWNER, repo, number)).rejects.toThrow(
      'Required status check "bosh-release-pr" is failing.',
    );
  });
});

describe('a reviewer’s commit on the release branch', () => {
  it('is never rewritten: the refresh reports it and leaves the branch', async () => {
    const { repo, number } = await openRelease();
    await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
      files: { 'NOTES.md': 'a reviewer’s note\n' },
      message: 'Note',
      by: 'alice',
    });
    const fixedUp = await world.branchSha(repo, LOCK);
    await addUnrelatedBuild(repo);
    const since = world.sandbox.log().length;

    const run = succeeded(await refresh(repo));
    expect(meta(run)).toMatchObject({ operation: 'left', pr: String(number) });
    expect(meta(run)['reason']).toContain('1 commit by alice');
    expect(await world.branchSha(repo, LOCK)).toBe(fixedUp);
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });
});

describe('concurrent writers of the lock branch', () => {
  it('a refresh whose lease is lost pushes nothing: the other writer’s commit stays', async () => {
    const { repo } = await openRelease();
    await addUnrelatedBuild(repo);
    let moved: string | undefined;
    // Another writer pushes between the refresh's read of the branch and its push.
    const racing = (real: Git): Git =>
      Object.assign(Object.create(real) as Git, {
        push: async (options: Parameters<Git['push']>[0]) => {
          moved = await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
            files: { 'NOTES.md': 'another writer\n' },
            message: 'Another writer',
          });
          return real.push(options);
        },
      });
    const log = world.log();
    const input = parsePutRequest({ source: world.source(repo), params: { refresh: true } });
    const real = world.connect(input.source, log).git;

    const run = succeeded(await refresh(repo, { deps: { git: racing(real) } }));
    expect(meta(run)).toMatchObject({ operation: 'superseded' });
    expect(await world.branchSha(repo, LOCK)).toBe(moved);
  });

  it('a put and two refreshes at once: one push at most, and the PR’s head is vouched for', async () => {
    const { repo, number } = await openRelease();
    await addUnrelatedBuild(repo);
    const since = world.sandbox.log().length;
    const runs = await Promise.all([
      refresh(repo),
      refresh(repo),
      world.put(repo, await world.buildDir('cut-a')),
    ]);
    const operations = runs.map((run) => meta(succeeded(run))['operation']);
    // Two refreshes that read the same branch build the same commit here (the tests' git dates
    // are fixed), so both may say refreshed; the lease lets only one ref update through.
    expect(operations.slice(0, 2)).toContain('refreshed');
    for (const operation of operations.slice(0, 2)) {
      expect(['refreshed', 'up-to-date', 'superseded']).toContain(operation);
    }
    expect(operations[2]).toBe('adopted');
    const pushes = world
      .requests(repo, since, { writes: true })
      .filter((entry) => entry.gitService === 'git-receive-pack' && entry.refUpdates.length > 0);
    expect(pushes).toHaveLength(1);
    const head = world.sandbox.pull(OWNER, repo, number).headSha;
    expect(statusOf(repo, head)).toEqual([expect.objectContaining({ state: 'success' })]);
  });
});

describe('statuses that cannot be set', () => {
  it('do not fail the put that opened the PR: a warning names the permission', async () => {
    const repo = await world.repository();
    const token = world.sandbox.addToken({ statuses: false });
    const run = await world.put(
      repo,
      await world.buildDir('cut-a'),
      {},
      {
        source: { access_token: token },
      },
    );
    expect(meta(succeeded(run))).toMatchObject({ operation: 'created' });
    expect(run.logs).toContain('Commit statuses: read and write');
  });
});

// The lock survives what people and GitHub do to a release PR (docs/lock.md). A reviewer's
// commit on the branch, a retarget, a reopen, two puts crossing, a pulls list that lags, a transient 422,
// a revert: each ends with one green put whose PR's title, block and commit agree.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { parsePullBlock } from '../../src/rules/pull-block.js';
import { parseCommitTrailers } from '../../src/rules/release-commit.js';
import { git } from '../support/git.js';
import { failure, meta, succeeded } from '../support/outcome.js';
import { LOCK, OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const later = () => new Date(Date.now() + 3_600_000);

/** The release a PR's title, block and head commit each name: they must agree. */
async function pullStory(repo: string, number: number) {
  const pull = world.sandbox.pull(OWNER, repo, number);
  const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
    'log',
    '-1',
    '--format=%B',
    pull.headSha,
  ]);
  return {
    state: pull.state,
    title: pull.title,
    block: parsePullBlock(pull.body ?? '')?.version,
    commit: parseCommitTrailers(message).version,
  };
}

function agreeing(version: string) {
  return { title: `Final release ${version}`, block: version, commit: version };
}

/** A reviewer (alice) pushes a fix-up commit onto the release PR's branch. */
async function pushFixUp(repo: string): Promise<void> {
  await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
    files: { 'NOTES.md': 'a reviewer’s fix-up\n' },
    message: 'Fix-up',
    by: 'alice',
  });
}

describe('a person’s commit on the release branch', () => {
  it('does not turn the lock against its own put: a re-run adopts the PR, writing nothing', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await pushFixUp(repo);
    const since = world.sandbox.log().length;
    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'adopted', pr: meta(first).pr });
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('in wait mode the re-run does not wait for itself', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await pushFixUp(repo);
    const run = await world.put(repo, build, { on_open_pr: 'wait', wait_timeout: '3s' });
    expect(meta(succeeded(run))).toMatchObject({ operation: 'adopted', pr: meta(first).pr });
    expect(run.logs).not.toMatch(/waiting for/);
  });

  it('another release still sees the lock held by the release under the commit', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await pushFixUp(repo);
    expect(failure(await world.put(repo, await world.buildDir('cut-c', 'moved')))).toMatch(
      new RegExp(`^release PR #${meta(first).pr} \\(example 3, opened .* holds the lock on main`),
    );
  });

  it('is never rewritten: a closed PR’s branch with a person’s commit is refused, nothing pushed', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await pushFixUp(repo);
    await world.sandbox.closePull(OWNER, repo, Number(meta(first).pr));
    const since = world.sandbox.log().length;
    expect(failure(await world.put(repo, await world.buildDir('cut-c', 'moved')))).toMatch(
      /^the lock branch bosh-release-pr\/main\/example carries 1 commit by alice that this resource did not make, and its PR #1 was closed without merging/,
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });
});

describe('adopting only what is ours', () => {
  it('race (a): a slow PR creation while another put reclaims the "stale" lock ends with one green put', async () => {
    const repo = await world.repository();
    // The first put's POST /pulls lands after the second put's push; the second put's after that.
    world.sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'delay',
      delayMs: 4000,
      repository: `${OWNER}/${repo}`,
    });
    world.sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'delay',
      delayMs: 8000,
      repository: `${OWNER}/${repo}`,
    });
    const slow = world.put(repo, await world.buildDir('cut-a'));
    const deadline = Date.now() + 20_000;
    while ((await world.branchSha(repo, LOCK)) === undefined && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 20));
    // Its worker's clock is an hour ahead: the first put's branch looks stale.
    const reclaiming = world.put(
      repo,
      await world.buildDir('cut-c', 'moved'),
      {},
      {
        deps: { now: later },
      },
    );
    const runs = await Promise.all([slow, reclaiming]);
    if (process.env.DEBUG_RACE) for (const run of runs) console.log(run.error?.message, run.logs);
    const green = runs.filter((run) => run.error === undefined);
    expect(green).toHaveLength(1);
    const red = runs.find((run) => run.error !== undefined);
    expect(red?.error?.name).toBe('UserError');
    expect(red?.error?.message).toMatch(
      /^release PR #1 \(example [\d.]+, opened .* holds the lock/,
    );
    const pulls = world.sandbox.pulls(OWNER, repo);
    expect(pulls).toHaveLength(1);
    const version = meta(succeeded(green[0] as StepRun<GetPutResponse>)).version ?? '';
    expect(await pullStory(repo, 1)).toMatchObject({ state: 'open', ...agreeing(version) });
  }, 150_000);

  it('race (b): a PR reopened while a new put reclaims the branch keeps its own commit', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const number = Number(meta(first).pr);
    await world.sandbox.closePull(OWNER, repo, number);
    world.sandbox.injectFault({
      route: 'git-receive-pack',
      kind: 'delay',
      delayMs: 2000,
      repository: `${OWNER}/${repo}`,
    });
    const logged = world.transcript.length;
    const reclaiming = world.put(repo, await world.buildDir('cut-c', 'moved'));
    await world.untilLogged(/reclaiming bosh-release-pr\/main\/example/, logged);
    await world.sandbox.reopenPull(OWNER, repo, number, { by: 'alice' });
    const message = failure(await reclaiming);
    expect(message).toMatch(
      new RegExp(`^release PR #${number} \\(example 3, opened .* holds the lock on main`),
    );
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
    expect(await pullStory(repo, number)).toMatchObject({ state: 'open', ...agreeing('3') });
  }, 60_000);

  it('repairs the text of its own PR when the block was changed to name another release', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const number = Number(meta(succeeded(await world.put(repo, build))).pr);
    const body = world.sandbox.pull(OWNER, repo, number).body ?? '';
    await world.sandbox.editPull(OWNER, repo, number, {
      body: body
        .replace(/"key":"[0-9a-f]+"/, '"key":"another"')
        .replace('"version":"3"', '"version":"2"'),
      title: 'Final release 2',
    });
    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'adopted', pr: String(number) });
    expect(await pullStory(repo, number)).toMatchObject(agreeing('3'));
  });
});

describe('a retargeted PR', () => {
  it('still holds the lock: a stale reclaim never force-pushes under it', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const number = Number(meta(first).pr);
    await world.sandbox.editPull(OWNER, repo, number, { base: 'moved', by: 'alice' });
    const head = await world.branchSha(repo, LOCK);
    const since = world.sandbox.log().length;
    const message = failure(
      await world.put(repo, await world.buildDir('cut-c', 'moved'), {}, { deps: { now: later } }),
    );
    expect(message).toMatch(
      new RegExp(
        `^release PR #${number} \\(example 3, opened .*, now into moved\\) holds the lock on main`,
      ),
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
    expect(await world.branchSha(repo, LOCK)).toBe(head);
  });
});

describe('GitHub is eventually consistent', () => {
  it('a lagging pulls list: wait mode waits for the young lock, then for its PR, then goes on', async () => {
    const repo = await world.repository();
    world.sandbox.setPullListLag(2000);
    try {
      const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
      const logged = world.transcript.length;
      const waiting = world.put(repo, await world.buildDir('cut-c', 'moved'), {
        on_open_pr: 'wait',
        wait_timeout: '1m',
      });
      await world.untilLogged(/waiting for release PR #1 on main/, logged);
      await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
      const second = succeeded(await waiting);
      expect(meta(second)).toMatchObject({ operation: 'created', version: '3.1.0', pr: '2' });
      expect(world.transcript.slice(logged).join('')).toMatch(
        /waiting for the lock branch bosh-release-pr\/main\/example \(example 3\), pushed \d+s ago by https:\/\/ci\.example\.com\/.* and without a PR yet/,
      );
    } finally {
      world.sandbox.setPullListLag(0);
    }
  });

  it('a lagging pulls list in fail mode: fails without advising to delete the branch of a running put', async () => {
    const repo = await world.repository();
    world.sandbox.setPullListLag(60_000);
    try {
      succeeded(await world.put(repo, await world.buildDir('cut-a')));
      const message = failure(await world.put(repo, await world.buildDir('cut-c', 'moved')));
      expect(message).toMatch(
        /^the lock branch bosh-release-pr\/main\/example \(example 3\) was pushed \d+s ago by .* and has no PR yet: that put is probably opening it/,
      );
      expect(message).not.toMatch(/delete/);
    } finally {
      world.sandbox.setPullListLag(0);
    }
  });

  it('a list lagging a second in fail mode: the put looks again and names the PR, not a branch without one', async () => {
    const repo = await world.repository();
    world.sandbox.setPullListLag(1500);
    try {
      succeeded(await world.put(repo, await world.buildDir('cut-a')));
      const realSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
      const run = await world.put(
        repo,
        await world.buildDir('cut-c', 'moved'),
        {},
        {
          deps: { sleep: realSleep },
        },
      );
      expect(failure(run)).toMatch(/^release PR #1 \(example 3, opened .*holds the lock on main/);
    } finally {
      world.sandbox.setPullListLag(0);
    }
  });

  it('a transient "No commits between" right after the push is asked again, not called a duplicate', async () => {
    const repo = await world.repository();
    world.sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'no-commits',
      repository: `${OWNER}/${repo}`,
    });
    const run = await world.put(repo, await world.buildDir('cut-a'));
    expect(meta(succeeded(run))).toMatchObject({ operation: 'created', pr: '1' });
    expect(run.logs).toMatch(
      /GitHub answered "No commits between main and bosh-release-pr\/main\/example"/,
    );
    expect(world.sandbox.pendingFaults()).toEqual([]);
  });
});

describe('delivered means on the base', () => {
  it('a re-run whose PR merged but was reverted delivers the release again through a new PR', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
    // Someone reverts the release on main.
    const bare = world.sandbox.bareRepoPath(OWNER, repo);
    const before = await git(bare, ['rev-parse', 'main~1']);
    const files: Record<string, string | null> = {};
    for (const path of (await git(bare, ['diff', '--name-only', before.trim(), 'main'])).split(
      '\n',
    )) {
      if (path === '') continue;
      const old = await git(bare, ['show', `${before.trim()}:${path}`]).catch(() => null);
      files[path] = old;
    }
    await world.sandbox.commitToBranch(OWNER, repo, 'main', { files, message: 'Revert release 3' });

    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'created', version: '3', pr: '2' });
    expect(await pullStory(repo, 2)).toMatchObject({ state: 'open', ...agreeing('3') });
  });

  it('a re-run whose PR merged and is still on the base reports delivered', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
    const since = world.sandbox.log().length;
    expect(meta(succeeded(await world.put(repo, build)))).toMatchObject({
      operation: 'delivered',
      pr: meta(first).pr,
    });
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });
});

// out against the GitHub sandbox with the example-release bundle: every lock state reached for
// real, the races, the refusals, and what the sandbox's request log proves about writes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { formatCommitMessage } from '../../src/rules/release-commit.js';
import { git } from '../support/git.js';
import { failure, meta, succeeded } from '../support/outcome.js';
import { LOCK, OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

describe('FREE', () => {
  it('commits cut-a onto main, takes the lock and opens the PR', async () => {
    const repo = await world.repository();
    const since = world.sandbox.log().length;
    const response = succeeded(
      await world.put(repo, await world.buildDir('cut-a'), {
        labels: ['release'],
        reviewers: ['alice'],
        team_reviewers: ['release-engineers'],
        assignees: ['bob'],
      }),
    );
    const pr = world.sandbox.pull(OWNER, repo, Number(meta(response).pr));

    expect(meta(response)).toMatchObject({
      operation: 'created',
      version: '3',
      release: 'example',
      lock_branch: LOCK,
    });
    expect(pr).toMatchObject({
      state: 'open',
      head: LOCK,
      base: 'main',
      title: 'Final release 3',
      labels: ['release'],
      draft: false,
    });
    expect(pr.body).toContain('Final release **example 3**');
    expect(pr.body).toContain(
      'https://ci.example.com/teams/main/pipelines/example-release/jobs/cut-final-release/builds/7',
    );

    // The PR commit sits on main's head and carries exactly cut-a's metadata files.
    const head = await world.branchSha(repo, LOCK);
    const main = await world.branchSha(repo, 'main');
    expect(head).toBe(pr.headSha);
    expect(meta(response).base_sha).toBe(main);
    expect(
      (await git(world.sandbox.bareRepoPath(OWNER, repo), ['rev-parse', `${head}^`])).trim(),
    ).toBe(main);
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      LOCK,
    ]);
    expect(message).toMatch(
      /^Final release 3\n\nBosh-Release-Version: 3\nBosh-Release-Source: 5f04a60[0-9a-f]{33}\nBosh-Release-Key: [0-9a-f]{64}\nConcourse-Build: https:\/\/ci\.example\.com\//,
    );

    // Writes: one push creating the lock branch, the PR, its decorations; nothing to main.
    const writes = world.requests(repo, since, { writes: true });
    const pushes = writes.filter((entry) => entry.gitService === 'git-receive-pack');
    expect(pushes.flatMap((entry) => entry.refUpdates)).toEqual([
      expect.objectContaining({ ref: `refs/heads/${LOCK}`, created: true, forced: false }),
    ]);
    // The commit status (docs/lock.md) is pending from the push (sent beside the PR's creation, which
    // it never holds up) until the PR is open and decorated; then success.
    const routes = writes.map((entry) => entry.route).filter((route) => !route.includes('.git'));
    const status = 'POST /repos/{owner}/{repo}/statuses/{sha}';
    expect(routes.filter((route) => route !== status)).toEqual([
      'POST /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/assignees',
    ]);
    expect(routes.filter((route) => route === status)).toHaveLength(2);
    expect(routes.at(-1)).toBe(status);
    expect(world.sandbox.commitStatuses(OWNER, repo, head ?? '')).toEqual([
      expect.objectContaining({ context: 'bosh-release-pr', state: 'success' }),
    ]);
  });

  it('opens cut-c against moved with the files of the semantic rebase', async () => {
    const repo = await world.repository();
    const response = succeeded(
      await world.put(
        repo,
        await world.buildDir('cut-c', 'moved'),
        {},
        { source: { base_branch: 'moved' } },
      ),
    );
    expect(meta(response)).toMatchObject({
      operation: 'created',
      version: '3.1.0',
      lock_branch: 'bosh-release-pr/moved/example',
    });
    expect(await world.metadataDiff(repo, 'moved', 'bosh-release-pr/moved/example')).toEqual(
      await world.bundleDiff('moved', 'cut-c'),
    );
  });

  it('rebases cut-a onto a base that moved, keeping the base nginx entry', async () => {
    const repo = await world.repository();
    succeeded(
      await world.put(
        repo,
        await world.buildDir('cut-a'),
        {},
        { source: { base_branch: 'moved' } },
      ),
    );
    const files = await world.metadataDiff(repo, 'moved', 'bosh-release-pr/moved/example');
    expect([...files.keys()].sort()).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      'releases/example/example-3.yml',
      'releases/example/index.yml',
    ]);
  });
});

describe('a release a task committed', () => {
  it('finds the source in the manifest and delivers the same PR commit', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const checkout = `${build}/release-repo`;
    await git(checkout, ['add', '.final_builds', 'releases']);
    await git(checkout, ['commit', '--quiet', '-m', 'Final release 3']);
    const response = succeeded(await world.put(repo, build));
    expect(meta(response)).toMatchObject({ operation: 'created', version: '3' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      LOCK,
    ]);
    expect(message).toContain(
      `Bosh-Release-Source: ${(await git(checkout, ['rev-parse', 'HEAD^'])).trim()}`,
    );
  });
});

describe('OURS', () => {
  it('adopts its own PR on a re-run: same PR, no new commit, no write but its status', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    const head = await world.branchSha(repo, LOCK);
    const since = world.sandbox.log().length;

    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'adopted', pr: meta(first).pr });
    expect(await world.branchSha(repo, LOCK)).toBe(head);
    // Every put (docs/lock.md) says on the PR's head that it is safe to merge.
    expect(world.requests(repo, since, { writes: true }).map((entry) => entry.route)).toEqual([
      'POST /repos/{owner}/{repo}/statuses/{sha}',
    ]);
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
  });

  it('adopts after the base moved since the PR was opened', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { 'README.md': 'moved on\n' },
      message: 'docs',
    });
    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'adopted', pr: meta(first).pr });
  });
});

describe('HELD', () => {
  it('refuses a second cut while the first PR is open, naming it, and writes nothing', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const since = world.sandbox.log().length;
    const message = failure(await world.put(repo, await world.buildDir('cut-b')));
    expect(message).toMatch(
      new RegExp(
        `^release PR #${meta(first).pr} \\(example 3, opened \\d+s ago by https://ci\\.example\\.com/teams/main/pipelines/example-release/jobs/cut-final-release/builds/7\\) holds the lock on main: merge or close ${(meta(first).pr_url ?? '').replace(/[.]/g, '\\.')} and re-run, or set params\\.on_open_pr: wait$`,
      ),
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('waits for the open PR, then refuses the duplicate once it merged', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const logged = world.transcript.length;
    const waiting = world.put(repo, await world.buildDir('cut-b'), {
      on_open_pr: 'wait',
      wait_timeout: '1m',
    });
    await world.untilLogged(/waiting for release PR #1 on main/, logged);
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
    const run = await waiting;
    expect(failure(run)).toBe(
      `version 3 is already on main (PR #1 ${meta(first).pr_url}): re-run bosh create-release --final on the current main`,
    );
    expect(run.logs).toMatch(/waiting for release PR #1 on main to be merged or closed/);
  });

  it('waits for the open PR, then opens its own when the versions differ', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const logged = world.transcript.length;
    const waiting = world.put(repo, await world.buildDir('cut-c', 'moved'), {
      on_open_pr: 'wait',
      wait_timeout: '1m',
    });
    await world.untilLogged(/waiting for release PR #1 on main/, logged);
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr), { method: 'squash' });
    const second = succeeded(await waiting);
    expect(meta(second)).toMatchObject({ operation: 'created', version: '3.1.0', pr: '2' });
  });

  it('gives up after wait_timeout', async () => {
    const repo = await world.repository();
    succeeded(await world.put(repo, await world.buildDir('cut-a')));
    const message = failure(
      await world.put(repo, await world.buildDir('cut-b'), {
        on_open_pr: 'wait',
        wait_timeout: '100ms',
      }),
    );
    expect(message).toMatch(
      /^gave up waiting for release PR #1 \(.*\/pull\/1\) after params\.wait_timeout/,
    );
  });
});

describe('MERGED', () => {
  it('refuses a duplicate version after the first PR merged, pushing nothing', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
    const since = world.sandbox.log().length;
    const message = failure(await world.put(repo, await world.buildDir('cut-b')));
    expect(message).toBe(
      `version 3 is already on main (PR #1 ${meta(first).pr_url}): re-run bosh create-release --final on the current main`,
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('reclaims the lock branch of a merged PR with a lease, for the next release', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr), { method: 'rebase' });
    const old = await world.branchSha(repo, LOCK);
    const since = world.sandbox.log().length;
    const second = succeeded(await world.put(repo, await world.buildDir('cut-c', 'moved')));
    expect(meta(second)).toMatchObject({ operation: 'created', version: '3.1.0', pr: '2' });
    const updates = world
      .requests(repo, since, { writes: true })
      .flatMap((entry) => entry.refUpdates);
    expect(updates).toEqual([
      expect.objectContaining({ ref: `refs/heads/${LOCK}`, oldSha: old, created: false }),
    ]);
  });

  it('reports a re-run of a put whose PR has merged as delivered', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const first = succeeded(await world.put(repo, build));
    await world.sandbox.mergePull(OWNER, repo, Number(meta(first).pr));
    const again = succeeded(await world.put(repo, build));
    expect(meta(again)).toMatchObject({ operation: 'delivered', pr: meta(first).pr });
  });
});

describe('ABANDONED', () => {
  it('reclaims the lock of a PR closed unmerged (on_closed_pr: reclaim)', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await world.sandbox.closePull(OWNER, repo, Number(meta(first).pr));
    const second = succeeded(await world.put(repo, await world.buildDir('cut-b')));
    expect(meta(second)).toMatchObject({ operation: 'created', version: '3', pr: '2' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-b'),
    );
  });

  it('refuses with on_closed_pr: fail', async () => {
    const repo = await world.repository();
    const first = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    await world.sandbox.closePull(OWNER, repo, Number(meta(first).pr));
    const message = failure(
      await world.put(repo, await world.buildDir('cut-b'), { on_closed_pr: 'fail' }),
    );
    expect(message).toMatch(
      /^the last release PR #1 of bosh-release-pr\/main\/example was closed without merging/,
    );
  });
});

describe('ORPHAN', () => {
  async function orphanLock(repo: string, key: string): Promise<string> {
    const main = await world.branchSha(repo, 'main');
    // Another put's commit, with the resource's git identity.
    return world.sandbox.commitToBranch(OWNER, repo, LOCK, {
      parent: main,
      identity: { name: 'bosh-release-pr', email: 'bosh-release-pr@users.noreply.github.com' },
      files: { 'releases/example/example-3.yml': 'name: example\n' },
      message: formatCommitMessage('Final release 3', {
        version: '3',
        key,
        build: 'https://ci.example.com/builds/99',
      }),
    });
  }

  it('refuses a fresh lock branch without a PR, naming its owner', async () => {
    const repo = await world.repository();
    await orphanLock(repo, 'someone-else');
    const message = failure(await world.put(repo, await world.buildDir('cut-a')));
    expect(message).toMatch(
      /^the lock branch bosh-release-pr\/main\/example \(example 3\) was pushed \d+s ago by https:\/\/ci\.example\.com\/builds\/99 and has no PR yet/,
    );
  });

  it('reclaims it once older than stale_lock_after', async () => {
    const repo = await world.repository();
    const orphan = await orphanLock(repo, 'someone-else');
    const later = () => new Date(Date.now() + 3_600_000);
    const response = succeeded(
      await world.put(repo, await world.buildDir('cut-a'), {}, { deps: { now: later } }),
    );
    expect(meta(response).operation).toBe('created');
    expect(await world.branchSha(repo, LOCK)).not.toBe(orphan);
  });

  it('adopts its own lock branch and opens the PR a crashed put never opened', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    world.sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'status',
      status: 502,
      times: 5, // every attempt of a put: GitHub never confirms the PR
    });
    const crashed = await world.put(repo, build);
    expect(crashed.error).toBeDefined();
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(0);
    const head = await world.branchSha(repo, LOCK);

    const response = succeeded(await world.put(repo, build));
    expect(meta(response)).toMatchObject({ operation: 'created', pr: '1' });
    expect(world.sandbox.pull(OWNER, repo, 1).headSha).toBe(head);
  });
});

describe('races and faults', () => {
  it('lets exactly one of two concurrent cuts of version 3 open a PR; the other names it', async () => {
    const repo = await world.repository();
    const [a, b] = await Promise.all([
      world.put(repo, await world.buildDir('cut-a')),
      world.put(repo, await world.buildDir('cut-b')),
    ]);
    const winners = [a, b].filter((run) => run.result !== undefined);
    const losers = [a, b].filter((run) => run.error !== undefined);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
    expect(losers[0]?.error?.message).toMatch(
      /^release PR #1 \(example 3, opened .*holds the lock on main/,
    );
  });

  it('survives a lost PR-creation response: one PR, adopted on the re-run', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    world.sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'lost' });
    const first = await world.put(repo, build);
    const again = succeeded(await world.put(repo, build));
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
    expect(meta(again)).toMatchObject({ operation: 'adopted', pr: '1' });
    if (first.result !== undefined) expect(meta(first.result).pr).toBe('1');
  });
});

describe('refusals before any write', () => {
  it.each([
    [
      'a version param that disagrees',
      { version: '4' },
      /^params\.version says 4, but the checkout's new final release is 3/,
    ],
    ['a missing artifact', { repository: 'nope' }, /^params\.repository: nope is not in the build/],
  ])('%s', async (_what, params, pattern) => {
    const repo = await world.repository();
    const since = world.sandbox.log().length;
    expect(failure(await world.put(repo, await world.buildDir('cut-a'), params))).toMatch(pattern);
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('reads params.version from a file in the build', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    await git(build, ['init', '--quiet', 'version']);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${build}/version/number`, '3\n');
    succeeded(await world.put(repo, build, { version: 'version/number' }));
  });

  it('refuses a planted config/private.yml', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      `${build}/release-repo/config/private.yml`,
      'blobstore: {options: {secret: x}}\n',
    );
    await git(`${build}/release-repo`, ['add', '--force', 'config/private.yml']);
    const message = failure(await world.put(repo, build));
    expect(message).toMatch(
      /config\/private\.yml \(blobstore credentials\), which must never be committed/,
    );
  });
});

describe('secrets', () => {
  it('never passes the token in argv, the remote URL, .git/config, logs, metadata or PR bodies', async () => {
    const repo = await world.repository();
    const run = await world.put(repo, await world.buildDir('cut-a'));
    const response = succeeded(run);
    const argv = await readFile(world.argvLog(), 'utf8');
    expect(argv).toContain('git push');
    for (const text of [
      argv,
      run.logs,
      JSON.stringify(response),
      ...world.sandbox.pulls(OWNER, repo).map((pull) => pull.body ?? ''),
    ]) {
      expect(text).not.toContain(world.token);
    }
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      LOCK,
    ]);
    expect(message).not.toContain(world.token);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import {
  authedGit,
  BUNDLE,
  client,
  failure,
  mustGit,
  OWNER,
  startTestSandbox,
  stopTestSandbox,
  tempDir,
} from './support.js';

let sandbox: Sandbox;
let counter = 0;

async function freshRepo(): Promise<string> {
  const repo = `faults-${++counter}`;
  await sandbox.createRepository({ owner: OWNER, repo, bundle: BUNDLE });
  return repo;
}

function entriesFor(repo: string) {
  return sandbox.log().filter((entry) => entry.repository === `${OWNER}/${repo}`);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterEach(() => {
  sandbox.clearFaults();
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('REST faults', () => {
  test.each([500, 502, 503])(
    'status %i: answered without effect; plugin-retry gets through',
    async (status) => {
      const repo = await freshRepo();
      sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'status', status });
      const octokit = client(sandbox, { retries: 2 });
      const created = await octokit.rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 't',
      });
      expect(created.status).toBe(201);
      expect(entriesFor(repo).map((entry) => [entry.status, entry.fault])).toEqual([
        [status, 'status'],
        [201, null],
      ]);
      expect(sandbox.pulls(OWNER, repo)).toHaveLength(1);
      expect(sandbox.pendingFaults()).toEqual([]);
    },
  );

  test('status without retries reaches the caller as that status', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({ route: 'GET /repos/{owner}/{repo}', kind: 'status', status: 502 });
    const error = await failure(client(sandbox).rest.repos.get({ owner: OWNER, repo }));
    expect(error.status).toBe(502);
  });

  test('reset: the connection dies before anything happens', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'reset' });
    const error = await failure(
      client(sandbox).rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 't',
      }),
    );
    // Octokit reports a network failure as status 500 without a response.
    expect(error.status).toBe(500);
    expect(error.data).toBeUndefined();
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(0);
    expect(entriesFor(repo)).toMatchObject([{ status: 0, fault: 'reset', write: true }]);
  });

  test('lost: the pull request is created, the client never hears; its retry meets 422', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'lost' });
    const error = await failure(
      client(sandbox, { retries: 1 }).rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 't',
      }),
    );
    expect(error.status).toBe(422);
    expect(error.data).toMatchObject({
      errors: [{ message: `A pull request already exists for ${OWNER}:cut-a.` }],
    });
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(1);
    expect(entriesFor(repo).map((entry) => [entry.status, entry.fault])).toEqual([
      [201, 'lost'],
      [422, null],
    ]);
  });

  test('secondary rate limit: 403 with retry-after and GitHub’s message; plugin-throttling retries', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'secondary-rate-limit',
      retryAfter: 7,
    });
    const raw = await failure(
      client(sandbox).rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 't',
      }),
    );
    expect(raw.status).toBe(403);
    expect(raw.headers['retry-after']).toBe('7');
    expect(raw.data).toMatchObject({
      message: expect.stringMatching(
        /^You have exceeded a secondary rate limit\. Please wait a few minutes/,
      ),
    });
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(0);

    sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'secondary-rate-limit',
      retryAfter: 7,
    });
    const retried: number[] = [];
    const throttled = client(sandbox, {
      onSecondaryRateLimit: (retryCount) => {
        retried.push(retryCount);
        return retryCount < 1;
      },
    });
    const created = await throttled.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    expect(created.status).toBe(201);
    expect(retried).toEqual([0]);
  });

  test('content-creation limit: 422 "was submitted too quickly" without effect; the same POST then works', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'content-creation-limit',
    });
    const request = { owner: OWNER, repo, head: 'cut-a', base: 'main', title: 't' };
    const refused = await failure(client(sandbox).rest.pulls.create(request));
    expect(refused.status).toBe(422);
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(refused.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'was submitted too quickly' }],
    });
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(0);
    sandbox.injectFault({
      route: 'POST /repos/{owner}/{repo}/pulls',
      kind: 'content-creation-limit',
      retryAfter: 30,
    });
    expect((await failure(client(sandbox).rest.pulls.create(request))).headers['retry-after']).toBe(
      '30',
    );
    expect((await client(sandbox).rest.pulls.create(request)).status).toBe(201);
    expect(entriesFor(repo).map((entry) => [entry.status, entry.fault])).toEqual([
      [422, 'content-creation-limit'],
      [422, 'content-creation-limit'],
      [201, null],
    ]);
  });

  test('delay: the answer comes late but complete', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({ route: 'GET /repos/{owner}/{repo}', kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const { data } = await client(sandbox).rest.repos.get({ owner: OWNER, repo });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(data.name).toBe(repo);
    expect(entriesFor(repo)).toMatchObject([{ status: 200, fault: 'delay' }]);
  });

  test('skip, times, repository and * select which requests a fault hits', async () => {
    const repo = await freshRepo();
    const other = await freshRepo();
    const octokit = client(sandbox);
    sandbox.injectFault({
      route: '*',
      kind: 'status',
      status: 503,
      skip: 1,
      times: 2,
      repository: `${OWNER}/${repo}`,
    });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) {
      statuses.push(
        await octokit.rest.repos.get({ owner: OWNER, repo }).then(
          (response) => response.status,
          (error: { status: number }) => error.status,
        ),
      );
    }
    expect((await octokit.rest.repos.get({ owner: OWNER, repo: other })).status).toBe(200);
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect(sandbox.pendingFaults()).toEqual([]);
  });
});

describe('git faults', () => {
  async function cloneWithCommit(repo: string): Promise<{ dir: string; sha: string }> {
    const dir = join(tempDir(), 'clone');
    await mustGit([
      '-c',
      `http.extraHeader=Authorization: Bearer ${sandbox.token}`,
      'clone',
      '--quiet',
      sandbox.gitUrl(OWNER, repo),
      dir,
    ]);
    writeFileSync(join(dir, 'x.txt'), 'x\n');
    await mustGit(['add', 'x.txt'], { cwd: dir });
    await mustGit(['commit', '--quiet', '-m', 'x'], { cwd: dir });
    return { dir, sha: await mustGit(['rev-parse', 'HEAD'], { cwd: dir }) };
  }

  test('lost push: the ref moved on the server though git reports a failure', async () => {
    const repo = await freshRepo();
    const { dir, sha } = await cloneWithCommit(repo);
    sandbox.injectFault({ route: 'git-receive-pack', kind: 'lost' });
    const push = await authedGit(sandbox.token, ['push', 'origin', 'HEAD:refs/heads/lock'], {
      cwd: dir,
    });
    expect(push.code).not.toBe(0);
    expect(
      await mustGit([
        '--git-dir',
        sandbox.bareRepoPath(OWNER, repo),
        'rev-parse',
        'refs/heads/lock',
      ]),
    ).toBe(sha);
    const entry = entriesFor(repo).find((item) => item.fault === 'lost');
    expect(entry).toMatchObject({
      gitService: 'git-receive-pack',
      refUpdates: [{ ref: 'refs/heads/lock', created: true }],
    });
  });

  test('reset on upload-pack fails the fetch; 503 on the advertisement fails ls-remote', async () => {
    const repo = await freshRepo();
    const url = sandbox.gitUrl(OWNER, repo);
    const dir = tempDir();
    // git (curl) silently retries a request whose reused keep-alive connection was reset, so a
    // fetch fails only while every service call is reset.
    sandbox.injectFault({ route: 'git-upload-pack', kind: 'reset', times: Infinity });
    const broken = await authedGit(sandbox.token, ['clone', '--quiet', url, join(dir, 'a')]);
    expect(broken.code).not.toBe(0);
    sandbox.clearFaults();
    sandbox.injectFault({
      route: 'GET /{owner}/{repo}.git/info/refs',
      kind: 'status',
      status: 503,
    });
    const refused = await authedGit(sandbox.token, ['ls-remote', url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('503');
    expect((await authedGit(sandbox.token, ['clone', '--quiet', url, join(dir, 'b')])).code).toBe(
      0,
    );
    const faults = entriesFor(repo).map((entry) => entry.fault);
    expect(faults).toContain('reset');
    expect(faults).toContain('status');
  });
});

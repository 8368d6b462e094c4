// A GitHub App's installation tokens in-process, with the sandbox's clock: renewed ahead of
// their expiry, renewed after GitHub refuses one (a worker whose clock disagrees), and a put that
// waits longer than a token lives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppCredentials } from '../../sandbox/index.js';
import { check } from '../../src/steps/check/check.js';
import { connect, type ConnectOptions } from '../../src/steps/connect.js';
import { SecretRegistry } from '../../src/io/log.js';
import { parseCheckRequest } from '../../src/concourse/settings.js';
import type { GitHub } from '../../src/github/github.js';
import { OWNER, World } from '../support/world.js';

const MINUTE = 60 * 1000;
const MINT = 'POST /app/installations/{installation_id}/access_tokens';
const FIND = 'GET /repos/{owner}/{repo}/installation';

let world: World;
let app: AppCredentials;

beforeAll(async () => {
  world = await World.start();
  app = world.sandbox.createApp({ slug: 'release-app' });
  world.sandbox.installApp(app.id, { owner: OWNER });
});

afterAll(async () => {
  world.sandbox.clock.set(null);
  await world.stop();
});

/** The real connections for an App source, with zero waits; `now` defaults to the real clock. */
/** GET /repos/{owner}/{repo}, unconditionally: a request every step makes. */
async function readRepository(github: GitHub): Promise<{ defaultBranch: string }> {
  const answer = await github.getRepositoryConditional(undefined);
  if (!answer.modified) throw new Error('GitHub answered 304 to an unconditional request');
  return answer.value;
}

function appConnections(
  repo: string,
  extra: Record<string, unknown> = {},
  options: ConnectOptions = {},
) {
  const { source } = parseCheckRequest({
    source: {
      repository: `${OWNER}/${repo}`,
      app_id: app.id,
      private_key: app.privateKey,
      github_api_url: world.sandbox.apiUrl,
      ...extra,
    },
  });
  const secrets = new SecretRegistry();
  const connections = connect(
    source,
    { log: world.log().logger, secrets, env: world.gitEnv() },
    { github: { retryAfterBaseValue: 1, throttleWrites: false }, gitRetryDelayMs: 1, ...options },
  );
  return { ...connections, secrets, source };
}

const routes = (repo: string, since: number) =>
  world.sandbox
    .log()
    .slice(since)
    .filter((entry) => entry.repository === `${OWNER}/${repo}` || entry.route === MINT)
    .map((entry) => `${entry.route} ${entry.status}`);

describe('installation tokens', () => {
  it('are made once for concurrent first requests, and registered as secrets', async () => {
    const repo = await world.repository();
    const since = world.sandbox.log().length;
    const { github, secrets } = appConnections(repo);
    await Promise.all([
      readRepository(github),
      readRepository(github),
      github.getBranchSha('main'),
    ]);
    const seen = routes(repo, since);
    expect(seen.filter((route) => route.startsWith(MINT))).toEqual([`${MINT} 201`]);
    expect(seen.filter((route) => route.startsWith(FIND))).toEqual([`${FIND} 200`]);
    expect(secrets.scrub('ghs_sandbox0123')).toBe('ghs_sandbox0123'); // only real tokens are scrubbed
    const minted = /ghs_sandbox[0-9a-f]{32}/.exec(JSON.stringify(world.sandbox.log()));
    expect(minted).toBeNull(); // the sandbox's log never holds one either
  });

  it('are not looked up with source.installation_id', async () => {
    const repo = await world.repository();
    const installation = world.sandbox.installApp(app.id, { owner: OWNER, repositories: [repo] });
    const since = world.sandbox.log().length;
    await readRepository(appConnections(repo, { installation_id: installation }).github);
    expect(routes(repo, since)).toEqual([`${MINT} 201`, 'GET /repos/{owner}/{repo} 200']);
  });

  it('are renewed when they come within minutes of expiring, on the clock given', async () => {
    const repo = await world.repository();
    world.sandbox.clock.set(new Date());
    try {
      const since = world.sandbox.log().length;
      const { github } = appConnections(
        repo,
        {},
        { now: () => world.sandbox.clock.now().getTime() },
      );
      await readRepository(github);
      world.sandbox.clock.advance(50 * MINUTE);
      await readRepository(github);
      world.sandbox.clock.advance(6 * MINUTE); // 4 minutes left
      await readRepository(github);
      expect(routes(repo, since)).toEqual([
        `${FIND} 200`,
        `${MINT} 201`,
        'GET /repos/{owner}/{repo} 200',
        'GET /repos/{owner}/{repo} 200',
        `${MINT} 201`,
        'GET /repos/{owner}/{repo} 200',
      ]);
    } finally {
      world.sandbox.clock.set(null);
    }
  });

  it('are renewed after GitHub refuses one, when the local clock disagrees', async () => {
    const repo = await world.repository();
    world.sandbox.clock.set(new Date());
    try {
      const since = world.sandbox.log().length;
      const { github } = appConnections(repo); // the real clock: it never sees the expiry coming
      await readRepository(github);
      world.sandbox.clock.advance(61 * MINUTE);
      expect((await readRepository(github)).defaultBranch).toBe('main');
      expect(routes(repo, since)).toEqual([
        `${FIND} 200`,
        `${MINT} 201`,
        'GET /repos/{owner}/{repo} 200',
        'GET /repos/{owner}/{repo} 401',
        // The JWT is an hour behind GitHub's clock too: refused, then made on GitHub's time.
        `${MINT} 401`,
        `${MINT} 201`,
        'GET /repos/{owner}/{repo} 200',
      ]);
    } finally {
      world.sandbox.clock.set(null);
    }
  });

  it('keep a put working that waits longer than a token lives', async () => {
    const repo = await world.repository();
    const first = await world.put(repo, await world.buildDir('cut-a'));
    expect(first.error).toBeUndefined();
    world.sandbox.clock.set(new Date());
    try {
      const { github, remote } = appConnections(repo);
      const waiting = world.put(
        repo,
        await world.buildDir('cut-c', 'moved'),
        { on_open_pr: 'wait', wait_timeout: '1m' },
        { deps: { github, remote } },
      );
      await world.until(repo, FIND);
      await new Promise((done) => setTimeout(done, 100));
      world.sandbox.clock.advance(2 * 60 * MINUTE);
      await world.sandbox.mergePull(OWNER, repo, 1, { method: 'squash' });
      const second = await waiting;
      expect(second.error).toBeUndefined();
      expect(second.result?.metadata).toContainEqual({ name: 'operation', value: 'created' });
      expect(world.sandbox.pull(OWNER, repo, 2).user).toBe('release-app[bot]');
      const mints = world.sandbox.log().filter((entry) => entry.route === MINT);
      expect(mints.length).toBeGreaterThanOrEqual(2);
      expect(world.requests(repo).some((entry) => entry.status === 401)).toBe(true);
      expect(second.logs).not.toMatch(/ghs_sandbox[0-9a-f]{8}/);
    } finally {
      world.sandbox.clock.set(null);
    }
  });
});

describe('an idle check with a GitHub App', () => {
  const named = { base_branch: 'main', release_name: 'example' };

  /** check as its entrypoint runs it, with a /tmp cache shared by the checks of one test. */
  async function appCheck(repo: string, cacheDir: string, now?: () => number) {
    const { source, github, cache } = appConnections(repo, named, {
      cacheDir,
      keepAppToken: true,
      ...(now === undefined ? {} : { now }),
    });
    return check({ source, version: undefined }, { github, cache, log: world.log().logger });
  }

  /** The kept token: the cache file and what it holds. */
  async function keptToken(cacheDir: string): Promise<{ file: string; token: string }> {
    for (const name of await readdir(cacheDir)) {
      const entry = JSON.parse(await readFile(join(cacheDir, name), 'utf8')) as {
        key: string;
        value: { token: string };
      };
      if (entry.key === 'installation token') {
        return { file: join(cacheDir, name), token: entry.value.token };
      }
    }
    throw new Error('no installation token in the cache');
  }

  const seen = (repo: string, since: number) =>
    routes(repo, since).map((route) => route.replace(/^(GET|POST) /, ''));

  it('costs one request that GitHub does not count: the installation token is kept in /tmp', async () => {
    const repo = await world.repository();
    const cacheDir = await world.tempDir('brp-app-cache-');
    const [start] = await appCheck(repo, cacheDir);
    expect(start).toMatchObject({ version: '2', pr: '' });
    const since = world.sandbox.log().length;
    for (let i = 0; i < 3; i++) expect(await appCheck(repo, cacheDir)).toEqual([start]);
    const requests = world.sandbox
      .log()
      .slice(since)
      .filter((entry) => entry.repository === `${OWNER}/${repo}` || entry.route === MINT);
    expect(
      requests.map((entry) => [entry.route, entry.status, entry.countedAgainstRateLimit]),
    ).toEqual([
      ['GET /repos/{owner}/{repo}/pulls', 304, false],
      ['GET /repos/{owner}/{repo}/pulls', 304, false],
      ['GET /repos/{owner}/{repo}/pulls', 304, false],
    ]);
    const { file, token } = await keptToken(cacheDir);
    expect(token).toMatch(/^ghs_sandbox/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(cacheDir)).mode & 0o077).toBe(0);
  });

  it('renews the kept token before it expires, and after GitHub refuses it', async () => {
    const repo = await world.repository();
    const cacheDir = await world.tempDir('brp-app-cache-');
    world.sandbox.clock.set(new Date());
    try {
      const now = () => world.sandbox.clock.now().getTime();
      await appCheck(repo, cacheDir, now);
      const first = (await keptToken(cacheDir)).token;
      world.sandbox.clock.advance(56 * MINUTE); // 4 minutes left
      let since = world.sandbox.log().length;
      await appCheck(repo, cacheDir, now);
      // A new token: its ETags start over (GitHub's belong to the token), once.
      expect(seen(repo, since)).toEqual([
        '/repos/{owner}/{repo}/installation 200',
        '/app/installations/{installation_id}/access_tokens 201',
        '/repos/{owner}/{repo}/pulls 200',
      ]);
      const second = (await keptToken(cacheDir)).token;
      expect(second).not.toBe(first);

      world.sandbox.revokeToken(second);
      since = world.sandbox.log().length;
      await appCheck(repo, cacheDir, now);
      expect(seen(repo, since)).toEqual([
        '/repos/{owner}/{repo}/pulls 401',
        '/repos/{owner}/{repo}/installation 200',
        '/app/installations/{installation_id}/access_tokens 201',
        '/repos/{owner}/{repo}/pulls 200',
      ]);
      expect((await keptToken(cacheDir)).token).not.toBe(second);
      since = world.sandbox.log().length;
      await appCheck(repo, cacheDir, now);
      expect(seen(repo, since)).toEqual(['/repos/{owner}/{repo}/pulls 304']);
    } finally {
      world.sandbox.clock.set(null);
    }
  });
});

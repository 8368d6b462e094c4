import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  BUNDLE,
  client,
  createExampleRepository,
  failure,
  mustGit,
  OWNER,
  REPO,
  startTestSandbox,
  stopTestSandbox,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

async function raw(
  path: string,
  init: RequestInit = {},
  token: string | null = sandbox.token,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `token ${token}`);
  return fetch(`${sandbox.apiUrl}${path}`, { ...init, headers });
}

describe('authentication', () => {
  test('a wrong token gets 401 Bad credentials', async () => {
    const error = await failure(
      client(sandbox, { token: 'ghs_wrong' }).rest.repos.get({ owner: OWNER, repo: REPO }),
    );
    expect(error.status).toBe(401);
    expect(error.data).toEqual({
      message: 'Bad credentials',
      documentation_url: expect.any(String),
      status: '401',
    });
  });

  test('Bearer and token schemes both authenticate', async () => {
    const bearer = await fetch(`${sandbox.apiUrl}/repos/${OWNER}/${REPO}`, {
      headers: { authorization: `Bearer ${sandbox.token}` },
    });
    expect(bearer.status).toBe(200);
    expect((await raw(`/repos/${OWNER}/${REPO}`)).status).toBe(200);
  });

  test('anonymous callers cannot see a private repository (404) nor /user (401)', async () => {
    const anonymous = client(sandbox, { token: null });
    expect((await failure(anonymous.rest.repos.get({ owner: OWNER, repo: REPO }))).status).toBe(
      404,
    );
    const user = await failure(anonymous.rest.users.getAuthenticated());
    expect(user.status).toBe(401);
    expect(user.data).toMatchObject({ message: 'Requires authentication' });
  });

  test('a read-only token reads, and its writes get 403 without effect', async () => {
    const readOnly = client(sandbox, { token: sandbox.addToken({ readOnly: true }) });
    const { data } = await readOnly.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(data.permissions).toMatchObject({ push: false, pull: true });
    const before = sandbox.pulls(OWNER, REPO).length;
    const error = await failure(
      readOnly.rest.pulls.create({
        owner: OWNER,
        repo: REPO,
        head: 'cut-a',
        base: 'main',
        title: 't',
      }),
    );
    expect(error.status).toBe(403);
    expect(error.data).toMatchObject({ message: 'Resource not accessible by integration' });
    expect(sandbox.pulls(OWNER, REPO)).toHaveLength(before);
  });

  test('/user is the token’s account', async () => {
    const { data } = await octokit.rest.users.getAuthenticated();
    expect(data).toMatchObject({ login: 'release-bot', type: 'User' });
    const other = client(sandbox, { token: sandbox.addToken({ login: 'ci-bot[bot]' }) });
    expect((await other.rest.users.getAuthenticated()).data).toMatchObject({
      login: 'ci-bot[bot]',
      type: 'Bot',
    });
  });

  test('unknown routes and repositories are 404 Not Found', async () => {
    expect((await raw('/repos/acme/nothing-here')).status).toBe(404);
    const response = await raw('/no/such/route');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: 'Not Found' });
  });
});

describe('rate limits', () => {
  test('every response carries the x-ratelimit headers; each request uses one', async () => {
    const token = sandbox.addToken();
    const first = await raw(`/repos/${OWNER}/${REPO}`, {}, token);
    const second = await raw(`/repos/${OWNER}/${REPO}/pulls`, {}, token);
    for (const response of [first, second]) {
      expect(response.headers.get('x-ratelimit-limit')).toBe('5000');
      expect(response.headers.get('x-ratelimit-resource')).toBe('core');
      expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(second.headers.get('x-ratelimit-used')).toBe('2');
    const status = await client(sandbox, { token }).rest.rateLimit.get();
    expect(status.data.resources.core).toMatchObject({ used: 2, remaining: 4998 });
  });

  test('an exhausted primary limit answers 403 with remaining 0', async () => {
    const token = sandbox.addToken();
    sandbox.setRateLimit(token, { remaining: 1 });
    expect((await raw(`/repos/${OWNER}/${REPO}`, {}, token)).status).toBe(200);
    const limited = await raw(`/repos/${OWNER}/${REPO}`, {}, token);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await limited.json()) as { message: string }).message).toMatch(
      /^API rate limit exceeded for user ID \d+\.$/,
    );
  });
});

describe('conditional requests', () => {
  test('a GET has a weak ETag; If-None-Match gives 304 that costs no rate limit', async () => {
    const token = sandbox.addToken();
    const first = await raw(`/repos/${OWNER}/${REPO}/pulls?state=all`, {}, token);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const again = await raw(
      `/repos/${OWNER}/${REPO}/pulls?state=all`,
      { headers: { 'if-none-match': etag } },
      token,
    );
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('x-ratelimit-used')).toBe('1');
    const log = sandbox.log().filter((entry) => entry.tokenId !== null && entry.status === 304);
    expect(log.at(-1)).toMatchObject({ countedAgainstRateLimit: false });
  });

  test('an ETag belongs to the token that got it (Vary: Authorization): another token gets 200', async () => {
    const path = `/repos/${OWNER}/${REPO}/pulls?state=all`;
    const [mine, other] = [sandbox.addToken(), sandbox.addToken()];
    const first = await raw(path, {}, mine);
    expect(first.headers.get('vary')).toMatch(/\bAuthorization\b/);
    const etag = first.headers.get('etag') ?? '';
    const theirs = await raw(path, { headers: { 'if-none-match': etag } }, other);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('etag')).not.toBe(etag);
    expect(await theirs.json()).toEqual(await first.json());
    expect((await raw(path, { headers: { 'if-none-match': etag } }, mine)).status).toBe(304);
    const counted = sandbox
      .log()
      .slice(-2)
      .map((entry) => entry.countedAgainstRateLimit);
    expect(counted).toEqual([true, false]);
  });

  test('Octokit sees a 304 as an error with status 304; the ETag changes when the list changes', async () => {
    const repo = 'etags';
    await sandbox.createRepository({ owner: OWNER, repo, bundle: BUNDLE });
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const query = {
      owner: OWNER,
      repo,
      state: 'closed' as const,
      head: `${OWNER}:cut-a`,
      base: 'main',
    };
    const first = await octokit.rest.pulls.list(query);
    expect(first.data).toEqual([]);
    const etag = first.headers.etag ?? '';
    const unchanged = await failure(
      octokit.rest.pulls.list({ ...query, headers: { 'if-none-match': etag } }),
    );
    expect(unchanged.status).toBe(304);
    await sandbox.mergePull(OWNER, repo, number);
    const changed = await octokit.rest.pulls.list({ ...query, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.data.map((pull) => pull.number)).toEqual([number]);
    const edited = await octokit.rest.pulls.update({
      owner: OWNER,
      repo,
      pull_number: number,
      title: 'renamed',
    });
    expect(edited.data.title).toBe('renamed');
    const afterEdit = await octokit.rest.pulls.list({
      ...query,
      headers: { 'if-none-match': changed.headers.etag ?? '' },
    });
    expect(afterEdit.status).toBe(200);
  });
});

describe('pagination', () => {
  const repo = 'many';
  beforeAll(async () => {
    await sandbox.createRepository({
      owner: OWNER,
      repo,
      bundle: BUNDLE,
      branches: ['main', 'cut-a'],
    });
    const gitDir = sandbox.bareRepoPath(OWNER, repo);
    const sha = await mustGit(['--git-dir', gitDir, 'rev-parse', 'cut-a']);
    const commands = Array.from(
      { length: 250 },
      (_, index) => `create refs/heads/topic-${index} ${sha}`,
    ).join('\n');
    await mustGit(['--git-dir', gitDir, 'update-ref', '--stdin'], { input: `${commands}\n` });
    sandbox.clock.set(new Date('2025-06-01T00:00:00Z'));
    for (let index = 0; index < 250; index++) {
      sandbox.clock.advance(1000);
      await sandbox.createPull(OWNER, repo, {
        head: `topic-${index}`,
        base: 'main',
        title: `PR ${index}`,
      });
    }
    sandbox.clock.set(null);
  });

  test('30 per page by default, Link headers with next/last/prev/first', async () => {
    const first = await raw(`/repos/${OWNER}/${repo}/pulls?state=all`);
    expect(((await first.json()) as unknown[]).length).toBe(30);
    const link = first.headers.get('link') ?? '';
    const id = (await octokit.rest.repos.get({ owner: OWNER, repo })).data.id;
    expect(link).toBe(
      `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&page=2>; rel="next", ` +
        `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&page=9>; rel="last"`,
    );
    const middle = await raw(`/repos/${OWNER}/${repo}/pulls?state=all&per_page=100&page=2`);
    expect(middle.headers.get('link')).toBe(
      [
        `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&per_page=100&page=1>; rel="prev"`,
        `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&per_page=100&page=3>; rel="next"`,
        `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&per_page=100&page=3>; rel="last"`,
        `<${sandbox.apiUrl}/repositories/${id}/pulls?state=all&per_page=100&page=1>; rel="first"`,
      ].join(', '),
    );
    const last = await raw(`/repos/${OWNER}/${repo}/pulls?state=all&per_page=100&page=3`);
    expect(((await last.json()) as unknown[]).length).toBe(50);
  });

  test('octokit.paginate follows the links through all 250, newest first, without duplicates', async () => {
    sandbox.clearLog();
    const all = await octokit.paginate(octokit.rest.pulls.list, {
      owner: OWNER,
      repo,
      state: 'all',
      per_page: 100,
    });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((pull) => pull.number)).size).toBe(250);
    expect(all[0]?.title).toBe('PR 249');
    expect(all.at(-1)?.title).toBe('PR 0');
    const requests = sandbox
      .log()
      .filter((entry) => entry.route === 'GET /repos/{owner}/{repo}/pulls');
    expect(requests.map((entry) => entry.path)).toEqual([
      `/api/v3/repos/${OWNER}/${repo}/pulls?state=all&per_page=100`,
      expect.stringMatching(/^\/api\/v3\/repositories\/\d+\/pulls\?state=all&per_page=100&page=2$/),
      expect.stringMatching(/^\/api\/v3\/repositories\/\d+\/pulls\?state=all&per_page=100&page=3$/),
    ]);
  });

  test('per_page is capped at 100', async () => {
    const response = await raw(`/repos/${OWNER}/${repo}/pulls?state=all&per_page=500`);
    expect(((await response.json()) as unknown[]).length).toBe(100);
  });
});

// How the resource treats remote failures, proven against the sandbox: 4xx are answers and never
// retried (rate limits excepted); 5xx and network failures are retried a bounded number of times;
// writes are sent once; retry-after is honoured; every attempt has a timeout; git fetches retry
// transient failures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { createGit } from '../../src/git/client.js';
import { METADATA_SPARSE_PATTERNS } from '../../src/io/metadata-dir.js';
import { createGitHub } from '../../src/github/client.js';
import { fixedCredential } from '../../src/github/credential.js';
import type { GitHub } from '../../src/github/github.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import { OWNER, World } from '../support/world.js';

let world: World;
let repo: string;
const lines: string[] = [];
const log = createLogger({
  debug: false,
  secrets: new SecretRegistry(),
  write: (line) => lines.push(line),
});

function client(options: { retryAfterBaseValue?: number; requestTimeoutMs?: number } = {}): GitHub {
  return createGitHub({
    apiUrl: world.sandbox.apiUrl,
    credential: fixedCredential(world.token),
    owner: OWNER,
    repo,
    log,
    throttleWrites: false,
    retryAfterBaseValue: options.retryAfterBaseValue ?? 1,
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: options.requestTimeoutMs }),
  });
}

const PULLS = 'GET /repos/{owner}/{repo}/pulls';
const filter = { head: `${OWNER}:x`, base: 'main', state: 'all' } as const;

function calls(route: string, since: number): number {
  return world.requests(repo, since).filter((entry) => entry.route === route).length;
}

beforeAll(async () => {
  world = await World.start();
  repo = await world.repository();
});

afterAll(async () => {
  await world.stop();
});

describe('the GitHub client', () => {
  it.each([404, 409, 422])('does not retry a %d', async (status) => {
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'status',
      status,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client().listPulls(filter)).rejects.toThrow();
    expect(calls(PULLS, since)).toBe(1);
  });

  it('retries a 5xx and succeeds', async () => {
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'status',
      status: 502,
      times: 2,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client().listPulls(filter)).resolves.toEqual([]);
    expect(calls(PULLS, since)).toBe(3);
  });

  it('gives up after a bounded number of attempts', async () => {
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'status',
      status: 500,
      times: 10,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client().listPulls(filter)).rejects.toThrow(/listing pull requests/);
    expect(calls(PULLS, since)).toBe(4);
    world.sandbox.clearFaults();
  });

  it('sends a write once, whatever the answer', async () => {
    const route = 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels';
    const pull = await world.sandbox.createPull(OWNER, repo, {
      head: 'moved',
      base: 'main',
      title: 'x',
    });
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route,
      kind: 'status',
      status: 502,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client().addLabels(pull, ['a'])).rejects.toThrow();
    expect(calls(route, since)).toBe(1);
  });

  it('honours retry-after on a secondary rate limit', async () => {
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'secondary-rate-limit',
      retryAfter: 2,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client({ retryAfterBaseValue: 100 }).listPulls(filter)).resolves.toEqual([]);
    const [limited, retried] = world.requests(repo, since).filter((entry) => entry.route === PULLS);
    expect(limited?.status).toBe(403);
    expect(retried?.status).toBe(200);
    // retry-after 2 (seconds, scaled to 100 ms each here) was waited before the retry.
    expect(
      Date.parse(retried?.time ?? '') - Date.parse(limited?.time ?? ''),
    ).toBeGreaterThanOrEqual(200);
  });

  it('fails clearly instead of waiting out a long rate limit', async () => {
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'secondary-rate-limit',
      retryAfter: 3600,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client().listPulls(filter)).rejects.toThrow(
      'GitHub rate-limited listing pull requests for longer than a build should wait: re-run the build later',
    );
  });

  it('times out an attempt that hangs, and bounds the attempts', async () => {
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: PULLS,
      kind: 'delay',
      delayMs: 1500,
      times: 10,
      repository: `${OWNER}/${repo}`,
    });
    await expect(client({ requestTimeoutMs: 100 }).listPulls(filter)).rejects.toThrow(
      /listing pull requests/,
    );
    expect(calls(PULLS, since)).toBeLessThanOrEqual(4);
    world.sandbox.clearFaults();
  });
});

describe('git', () => {
  it('retries a fetch that failed on the way', async () => {
    const git = createGit({ log, env: world.gitEnv(), retryDelayMs: 1 });
    const since = world.sandbox.log().length;
    world.sandbox.injectFault({
      route: 'git-upload-pack',
      kind: 'status',
      status: 502,
      repository: `${OWNER}/${repo}`,
    });
    const sha = await git.fetchCommit({
      remote: { url: world.sandbox.gitUrl(OWNER, repo), token: fixedCredential(world.token) },
      ref: 'main',
      dir: join(world.root, 'retried-fetch'),
      sparse: METADATA_SPARSE_PATTERNS,
    });
    expect(sha).toBe(await world.branchSha(repo, 'main'));
    expect(world.requests(repo, since).filter((entry) => entry.status === 502)).toHaveLength(1);
    expect(lines.join('')).toMatch(/fetching main failed \(attempt 1 of 3\), retrying/);
  });
});

import { sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { expect } from '@jest/globals';
import type { Sandbox, SandboxOptions } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { OpenApiValidator } from '../../sandbox/openapi/validator.js';
import type { GitResult } from '../support/git.js';
import { git, TEST_GIT_ENV, tryGit } from '../support/git.js';

export const BUNDLE = resolve('test/fixtures/example-release/example-release.bundle');
export const OWNER = 'acme';
export const REPO = 'example-release';

const Client = Octokit.plugin(retry, throttling);
export type Client = InstanceType<typeof Client>;

/**
 * The project's real client stack (Octokit + retry + throttling) against the sandbox, with the
 * plugins' waits set to zero so that retries and throttling cost no wall time in tests.
 */
export function client(
  sandbox: Sandbox,
  options: {
    token?: string | null;
    retries?: number;
    onSecondaryRateLimit?: (retryCount: number) => boolean;
  } = {},
): Client {
  const zero = (): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 10, minTime: 0 });
  return new Client({
    baseUrl: sandbox.apiUrl,
    ...(options.token === null ? {} : { auth: options.token ?? sandbox.token }),
    retry: { retryAfterBaseValue: 0, retries: options.retries ?? 0 },
    request: { retries: options.retries ?? 0 },
    throttle: {
      retryAfterBaseValue: 0,
      write: zero(),
      notifications: zero(),
      search: zero(),
      onRateLimit: () => false,
      onSecondaryRateLimit: (_retryAfter, _options, _octokit, retryCount) =>
        options.onSecondaryRateLimit?.(retryCount) ?? false,
    },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
}

/** Every temporary directory a test made, removed by `cleanTemp()` in afterAll. */
const temps: string[] = [];

export function tempDir(prefix = 'sandbox-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function cleanTemp(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** git with the token as a command-scoped bearer header, like the resource sends it; never throws. */
export function authedGit(
  token: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<GitResult> {
  return tryGit(options.cwd, ['-c', `http.extraHeader=Authorization: Bearer ${token}`, ...args]);
}

/** git's trimmed stdout, `env` added to the tests' git environment; throws when git fails. */
export async function mustGit(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<string> {
  const env = { ...TEST_GIT_ENV, ...options.env };
  return (await git(options.cwd, args, { env, input: options.input })).trim();
}

/** The standard fixture repository: the example release bundle as acme/example-release. */
export async function createExampleRepository(
  sandbox: Sandbox,
  options: {
    deleteBranchOnMerge?: boolean;
    repo?: string;
    collaborators?: string[];
    teams?: string[];
  } = {},
): Promise<void> {
  await sandbox.createRepository({
    owner: OWNER,
    repo: options.repo ?? REPO,
    bundle: BUNDLE,
    defaultBranch: 'main',
    protectedBranches: ['main'],
    deleteBranchOnMerge: options.deleteBranchOnMerge ?? false,
    collaborators: options.collaborators ?? ['alice', 'bob'],
    teams: options.teams ?? ['release-managers'],
  });
}

/** The error an Octokit call rejected with (status and data), failing if it resolved. */
export async function failure(promise: Promise<unknown>): Promise<{
  status: number;
  data: unknown;
  message: string;
  headers: Record<string, string | undefined>;
}> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      status?: number;
      response?: { data?: unknown; headers?: Record<string, string | undefined> };
      message?: string;
    };
    return {
      status: e.status ?? -1,
      data: e.response?.data,
      message: e.message ?? '',
      headers: e.response?.headers ?? {},
    };
  }
  throw new Error('expected the call to fail');
}

const conformance = new WeakMap<Sandbox, string[]>();

/**
 * A sandbox whose every REST answer is checked against GitHub's OpenAPI description while the
 * tests run; `stopTestSandbox` fails the file if any answer did not match.
 */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const validator = new OpenApiValidator();
  const problems: string[] = [];
  const sandbox = await startSandbox({
    ...options,
    observe: (observation) => {
      options.observe?.(observation);
      if (observation.operationId === null) return;
      const check = validator.check(observation.operationId, observation.status, observation.body);
      if (check.errors.length > 0) {
        problems.push(
          `${observation.route} ${observation.status}: ${check.errors.slice(0, 3).join('; ')}`,
        );
      }
    },
  });
  conformance.set(sandbox, problems);
  return sandbox;
}

export async function stopTestSandbox(sandbox: Sandbox): Promise<void> {
  await sandbox.stop();
  cleanTemp();
  expect(conformance.get(sandbox)).toEqual([]);
}

/** A JWT signed RS256 with `privateKey`, as a GitHub App signs one (claims as given). */
export function signJwt(claims: Record<string, unknown>, privateKey: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

/** A JWT for `app` valid at the sandbox's "now" (issued a minute ago, expiring in nine). */
export function appJwt(sandbox: Sandbox, app: { id: number; privateKey: string }): string {
  const now = Math.floor(sandbox.clock.now().getTime() / 1000);
  return signJwt({ iat: now - 60, exp: now + 540, iss: app.id }, app.privateKey);
}

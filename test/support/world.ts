// A GitHub sandbox with the example release repository, and the resource's steps run in-process
// against it with their real dependencies, built by connect() as the entrypoints build them —
// only the waits are shortened.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type CheckDeps } from '../../src/steps/check/check.js';
import type { GetPutResponse, ResourceVersion } from '../../src/concourse/contract.js';
import type { EtagCache } from '../../src/io/etag-cache.js';
import { get } from '../../src/steps/get/get.js';
import { createLogger, SecretRegistry, type Logger } from '../../src/io/log.js';
import { put, type PutDeps } from '../../src/steps/put/put.js';
import { connect, type ConnectOptions, type Connections } from '../../src/steps/connect.js';
import {
  parseCheckRequest,
  parseGetRequest,
  parsePutRequest,
  type SourceSettings,
} from '../../src/concourse/settings.js';
import { startSandbox, type RequestLogEntry, type Sandbox } from '../../sandbox/index.js';
import { EXAMPLE_BUNDLE, releaseCheckout, removeDir, tempDir } from './repos.js';
import { git, TEST_GIT_ENV } from './git.js';

export const OWNER = 'acme';
export const LOCK = 'bosh-release-pr/main/example';

export const BUILD_ENV = {
  ATC_EXTERNAL_URL: 'https://ci.example.com',
  BUILD_TEAM_NAME: 'main',
  BUILD_PIPELINE_NAME: 'example-release',
  BUILD_JOB_NAME: 'cut-final-release',
  BUILD_NAME: '7',
  BUILD_ID: '1234',
};

export interface StepRun<T> {
  result?: T;
  error?: Error;
  logs: string;
}

export class World {
  private repoCount = 0;
  readonly dirs: string[] = [];
  /** Every log line and argument any step printed or ran, for the secret scan. */
  readonly transcript: string[] = [];
  private gitBin = '';

  /** The sandbox's read-write token: a test fails if it ever shows up where it must not. */
  get token(): string {
    return this.sandbox.token;
  }

  private constructor(
    readonly sandbox: Sandbox,
    readonly root: string,
  ) {}

  static async start(): Promise<World> {
    const sandbox = await startSandbox();
    const world = new World(sandbox, await tempDir('brp-world-'));
    await world.installGitRecorder();
    return world;
  }

  async stop(): Promise<void> {
    await this.sandbox.stop();
    await removeDir(this.root);
    for (const dir of this.dirs) await removeDir(dir);
  }

  /** A temporary directory removed when the world stops. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await tempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  /** A fresh copy of the example repository (main and moved; both protected). */
  async repository(
    options: { deleteBranchOnMerge?: boolean; branches?: string[] } = {},
  ): Promise<string> {
    const repo = `example-release-${++this.repoCount}`;
    await this.sandbox.createRepository({
      owner: OWNER,
      repo,
      bundle: EXAMPLE_BUNDLE,
      branches: options.branches ?? ['main', 'moved'],
      defaultBranch: 'main',
      protectedBranches: ['main', 'moved'],
      collaborators: ['alice', 'bob'],
      teams: ['release-engineers'],
      deleteBranchOnMerge: options.deleteBranchOnMerge ?? false,
    });
    return repo;
  }

  /** A fresh repository whose base has config/final.yml but no final release. */
  async repositoryWithoutReleases(): Promise<string> {
    const repo = await this.repository();
    await this.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: {
        'releases/example/index.yml': null,
        'releases/example/example-1.yml': null,
        'releases/example/example-2.yml': null,
      },
      message: 'forget the releases',
    });
    return repo;
  }

  source(repo: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      repository: `${OWNER}/${repo}`,
      access_token: this.token,
      github_api_url: this.sandbox.apiUrl,
      ...extra,
    };
  }

  /** A build directory holding `release-repo`: the checkout after cutting `cut` on `base`. */
  async buildDir(cut: string, base = 'main'): Promise<string> {
    const dir = await tempDir('brp-build-');
    this.dirs.push(dir);
    await releaseCheckout(dir, cut, { base, name: 'release-repo' });
    return dir;
  }

  log(): { logger: Logger; lines: string[]; secrets: SecretRegistry } {
    const lines: string[] = [];
    // As in the steps: the token registered for scrubbing, debug on (the most verbose case).
    const secrets = new SecretRegistry();
    secrets.add(this.token);
    const logger = createLogger({
      debug: true,
      secrets,
      write: (line) => {
        lines.push(line);
        this.transcript.push(line);
      },
    });
    return { logger, lines, secrets };
  }

  /**
   * The real GitHub client, git and cache of a step, as its entrypoint builds them (connect()),
   * with the waits of tests: no spacing of writes, short retries; git recorded (gitEnv).
   */
  connect(
    source: SourceSettings,
    log: { logger: Logger; secrets: SecretRegistry },
    options: ConnectOptions = {},
  ): Connections {
    return connect(
      source,
      { log: log.logger, secrets: log.secrets, env: this.gitEnv() },
      {
        github: { retryAfterBaseValue: 1, throttleWrites: false },
        gitRetryDelayMs: 1,
        cacheDir: join(this.root, `cache-${source.repo}`),
        ...options,
      },
    );
  }

  async put(
    repo: string,
    buildDir: string,
    params: Record<string, unknown> = {},
    options: { source?: Record<string, unknown>; deps?: Partial<PutDeps> } = {},
  ): Promise<StepRun<GetPutResponse>> {
    const log = this.log();
    const input = parsePutRequest({
      source: this.source(repo, options.source),
      params: { repository: 'release-repo', ...params },
    });
    const deps: PutDeps = {
      ...this.connect(input.source, log),
      log: log.logger,
      args: [buildDir],
      env: BUILD_ENV,
      sleep: () => new Promise((done) => setTimeout(done, 5)),
      decorateRetryDelaysMs: [5, 5],
      ...options.deps,
    };
    return settle(() => put(input, deps), log.lines);
  }

  async check(
    repo: string,
    version?: Partial<ResourceVersion>,
    options: { source?: Record<string, unknown>; cache?: EtagCache; now?: () => number } = {},
  ): Promise<StepRun<ResourceVersion[]>> {
    const log = this.log();
    const input = parseCheckRequest({ source: this.source(repo, options.source), version });
    const { github, cache } = this.connect(input.source, log);
    const deps: CheckDeps = {
      github,
      cache: options.cache ?? cache,
      log: log.logger,
      now: options.now,
    };
    return settle(() => check(input, deps), log.lines);
  }

  async get(
    repo: string,
    version: Partial<ResourceVersion>,
    dest: string,
    params: Record<string, unknown> = {},
  ): Promise<StepRun<GetPutResponse>> {
    const log = this.log();
    const input = parseGetRequest({ source: this.source(repo), version, params });
    const deps = { ...this.connect(input.source, log), log: log.logger, args: [dest] };
    return settle(() => get(input, deps), log.lines);
  }

  /**
   * Runs a step on a raw request exactly as it would arrive on stdin (parsed inside, so that a
   * parse failure is a result too), with the credentials and URLs the request names.
   */
  async runRaw(
    step: 'check' | 'in' | 'out',
    raw: unknown,
    args: string[],
  ): Promise<StepRun<unknown>> {
    const log = this.log();
    const connections = (source: SourceSettings) => ({
      ...this.connect(source, log, { cacheDir: join(this.root, 'cache-raw') }),
      log: log.logger,
      args,
    });
    return settle(async () => {
      if (step === 'check') {
        const input = parseCheckRequest(raw);
        return check(input, connections(input.source));
      }
      if (step === 'in') {
        const input = parseGetRequest(raw);
        return get(input, connections(input.source));
      }
      const input = parsePutRequest(raw);
      return put(input, {
        ...connections(input.source),
        env: BUILD_ENV,
        sleep: async () => undefined,
        decorateRetryDelaysMs: [],
      });
    }, log.lines);
  }

  /** Requests to one repository since `since` (a log length), optionally writes only. */
  requests(repo: string, since = 0, filter: { writes?: boolean } = {}): RequestLogEntry[] {
    return this.sandbox
      .log()
      .slice(since)
      .filter(
        (entry) => entry.repository === `${OWNER}/${repo}` && (!filter.writes || entry.write),
      );
  }

  /** Resolves once the sandbox has served `route` for the repository (polls its log). */
  async until(repo: string, route: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.requests(repo).some((entry) => entry.route === route)) {
      if (Date.now() > deadline) throw new Error(`the sandbox never saw ${route}`);
      await new Promise((done) => setTimeout(done, 10));
    }
  }

  /** Resolves once a step logged a line matching `pattern` after transcript position `since`. */
  async untilLogged(pattern: RegExp, since: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.transcript.slice(since).some((line) => pattern.test(line))) {
      if (Date.now() > deadline) throw new Error(`no step logged ${String(pattern)}`);
      await new Promise((done) => setTimeout(done, 10));
    }
  }

  /** The sha a branch points at in the sandbox's bare repository, or undefined. */
  async branchSha(repo: string, branch: string): Promise<string | undefined> {
    try {
      return (
        await git(this.sandbox.bareRepoPath(OWNER, repo), [
          'rev-parse',
          '--verify',
          `refs/heads/${branch}`,
        ])
      ).trim();
    } catch {
      return undefined;
    }
  }

  /** The metadata files a commit changes against another, with their contents. */
  async metadataDiff(repo: string, from: string, to: string): Promise<Map<string, string>> {
    const bare = this.sandbox.bareRepoPath(OWNER, repo);
    const names = (
      await git(bare, ['diff', '--name-only', from, to, '--', '.final_builds', 'releases'])
    )
      .split('\n')
      .filter(Boolean);
    const files = new Map<string, string>();
    for (const name of names) files.set(name, await git(bare, ['show', `${to}:${name}`]));
    return files;
  }

  /** The same as metadataDiff, read from the example bundle's own branches. */
  async bundleDiff(from: string, to: string): Promise<Map<string, string>> {
    const dir = join(this.root, 'bundle');
    await git(this.root, ['clone', '--quiet', '--bare', EXAMPLE_BUNDLE, dir]).catch(
      () => undefined,
    );
    const names = (
      await git(dir, ['diff', '--name-only', from, to, '--', '.final_builds', 'releases'])
    )
      .split('\n')
      .filter(Boolean);
    const files = new Map<string, string>();
    for (const name of names) files.set(name, await git(dir, ['show', `${to}:${name}`]));
    return files;
  }

  /** git with argv recorded into the transcript (to prove the token is never an argument). */
  gitEnv(): NodeJS.ProcessEnv {
    return { ...TEST_GIT_ENV, PATH: `${this.gitBin}:${process.env.PATH ?? ''}` };
  }

  private async installGitRecorder(): Promise<void> {
    this.gitBin = join(this.root, 'bin');
    await mkdir(this.gitBin, { recursive: true });
    const realGit = join((await git(this.root, ['--exec-path'])).trim(), 'git');
    const script = `#!/bin/sh\nprintf '%s\\n' "git $*" >> "${join(this.root, 'argv.log')}"\nexec ${realGit} "$@"\n`;
    await writeFile(join(this.gitBin, 'git'), script);
    await chmod(join(this.gitBin, 'git'), 0o755);
  }

  argvLog(): string {
    return join(this.root, 'argv.log');
  }
}

async function settle<T>(action: () => Promise<T>, lines: string[]): Promise<StepRun<T>> {
  try {
    const result = await action();
    return { result, logs: lines.join('') };
  } catch (error) {
    return { error: error as Error, logs: lines.join('') };
  }
}

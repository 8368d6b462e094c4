// What every benchmark shares: where the project and the cache are, which Node runs the resource,
// and how a step is run — the built bundle, spawned with one JSON request on stdin, as Concourse
// runs /opt/resource/<step>.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '../sandbox/index.js';
import { git, run, type Finished } from './process.js';
import type { SyntheticRepo } from './synthetic-repo.js';

/** The project root: dist/tools/bench.mjs lives two levels below it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const OWNER = 'acme';

/** Options and shared facts of one harness run. */
export interface BenchContext {
  quick: boolean;
  /** Whether to trace where the time of a step goes, where a benchmark can (`--trace`). */
  trace: boolean;
  /** Rounds of each measurement, when given on the command line. */
  runs: number | undefined;
  /** Generated repositories, kept between runs. */
  cacheDir: string;
  /** Scratch space of this run, removed at its end. */
  scratch: string;
  /** The Node that runs the bundles, and its version. */
  resourceNode: string;
  resourceNodeVersion: string;
  say: (line: string) => void;
}

/** A step's request as Concourse sends it: the source every benchmark uses, plus extras. */
export function sourceFor(sandbox: Sandbox, repo: string): Record<string, unknown> {
  return {
    repository: `${OWNER}/${repo}`,
    access_token: sandbox.token,
    github_api_url: sandbox.apiUrl,
  };
}

/** Concourse's build metadata for in and out. */
export const BUILD_ENV = {
  ATC_EXTERNAL_URL: 'https://ci.example.com',
  BUILD_TEAM_NAME: 'main',
  BUILD_PIPELINE_NAME: 'bench',
  BUILD_JOB_NAME: 'bench',
  BUILD_NAME: '1',
  BUILD_ID: '1',
};

/**
 * Runs `dist/<step>.mjs` with the resource's Node as the image does: its own /tmp (`tmp`, where
 * check keeps its ETags, and HOME unless given), a compile cache as the image has one (Node ≥
 * 22.1; ignored by 20); `nodeArgs` go to Node itself.
 */
export function runStep(
  context: BenchContext,
  step: 'check' | 'in' | 'out',
  request: unknown,
  options: { args?: string[]; tmp: string; home?: string; nodeArgs?: string[] },
): Promise<Finished> {
  return run(
    context.resourceNode,
    [
      ...(options.nodeArgs ?? []),
      join(PROJECT_ROOT, 'dist', `${step}.mjs`),
      ...(options.args ?? []),
    ],
    {
      cwd: options.tmp,
      input: JSON.stringify(request),
      env: {
        PATH: process.env.PATH,
        HOME: options.home ?? options.tmp,
        TMPDIR: options.tmp,
        NODE_COMPILE_CACHE: join(context.scratch, 'compile-cache'),
        ...BUILD_ENV,
      },
    },
  );
}

/** Throws with the step's last stderr line unless it succeeded. */
export function expectSuccess(step: string, finished: Finished): Finished {
  if (finished.code !== 0) {
    const last = finished.stderr.trim().split('\n').at(-1) ?? '';
    throw new Error(`${step} failed (exit ${finished.code}): ${last}`);
  }
  return finished;
}

/** A fresh directory under the run's scratch space. */
export async function scratchDir(context: BenchContext, prefix: string): Promise<string> {
  await mkdir(context.scratch, { recursive: true });
  return mkdtemp(join(context.scratch, `${prefix}-`));
}

/** Removes a directory made by `scratchDir`. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Serves a cached repository from the sandbox without copying it: the sandbox's bare repository
 * borrows the cache's objects (git alternates) and gets the branches. Importing a GiB through
 * `createRepository({directory})` would copy it on every run; the served bytes are the same.
 */
export async function serveRepo(
  sandbox: Sandbox,
  repo: Pick<SyntheticRepo, 'path' | 'lockBranch'>,
  options: { name: string; withLockBranch: boolean },
): Promise<void> {
  await sandbox.createRepository({
    owner: OWNER,
    repo: options.name,
    defaultBranch: 'main',
    protectedBranches: ['main'],
    deleteBranchOnMerge: true,
  });
  const bare = sandbox.bareRepoPath(OWNER, options.name);
  await writeFile(join(bare, 'objects', 'info', 'alternates'), `${join(repo.path, 'objects')}\n`);
  const branches = options.withLockBranch ? ['main', repo.lockBranch] : ['main'];
  await git(bare, [
    'fetch',
    '--quiet',
    '--no-tags',
    repo.path,
    ...branches.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`),
  ]);
}

/** git's command-scoped auth header for the sandbox, as the resource passes it (never argv). */
export function gitAuthEnv(token: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
  };
}

/** The scratch space of a run, under the system's temporary directory. */
export async function newScratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'brp-bench-'));
}

import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './run-bundle.js';

export const EXAMPLE_BUNDLE = join(
  PROJECT_ROOT,
  'test/fixtures/example-release/example-release.bundle',
);
export const EXAMPLE_BRANCHES = ['main', 'cut-a', 'cut-b', 'moved', 'cut-c'] as const;

/** A fixed identity and clock for every git command a test runs, and no machine config. */
export const TEST_GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Runs git asynchronously (never spawnSync: an in-process sandbox would deadlock) and returns stdout. */
export function git(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = TEST_GIT_ENV,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`git ${args.join(' ')} failed (${code}): ${err}`)),
    );
  });
}

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(prefix = 'brp-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A bare repository with every branch of the example-release bundle, serving partial clones. */
export async function exampleBareRepo(parent: string): Promise<string> {
  const bare = join(parent, 'example-release.git');
  await git(parent, ['clone', '--quiet', '--bare', EXAMPLE_BUNDLE, bare]);
  await git(bare, ['config', 'uploadpack.allowFilter', 'true']);
  await git(bare, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  return bare;
}

/**
 * The checkout `bosh create-release --final` leaves behind: a clone at `base` (main's tip S by
 * default) with the files of `cut` laid over it, uncommitted.
 */
export async function releaseCheckout(
  parent: string,
  cut: string,
  options: { base?: string; name?: string } = {},
): Promise<string> {
  const dir = join(parent, options.name ?? `checkout-${cut}`);
  await git(parent, ['clone', '--quiet', EXAMPLE_BUNDLE, dir]);
  await git(dir, ['checkout', '--quiet', '-B', 'work', `origin/${options.base ?? 'main'}`]);
  await git(dir, ['checkout', `origin/${cut}`, '--', '.final_builds', 'releases']);
  await git(dir, ['reset', '--quiet']); // leave the release files unstaged, as the CLI does
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export { cp };

// The one way tests run git, on one environment: no system or user configuration, no prompts,
// English messages, and a fixed identity and clock, so that commits are reproducible.
import { execFileSync, spawn } from 'node:child_process';

/** The environment of every git command a test runs (and of the resource's git in tests). */
export const TEST_GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LC_ALL: 'C',
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

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  /** The whole environment (TEST_GIT_ENV by default): extend it, do not replace it. */
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

/**
 * Runs git asynchronously and returns its exit code and output, whatever the code. Never a
 * synchronous spawn here: a sandbox in the test's own process must keep serving the very
 * fetch or push git is making.
 */
export function tryGit(
  cwd: string | undefined,
  args: string[],
  options: GitOptions = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: options.env ?? TEST_GIT_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git asynchronously and returns its stdout; rejects with git's stderr when it fails. */
export async function git(
  cwd: string | undefined,
  args: string[],
  options: GitOptions = {},
): Promise<string> {
  const result = await tryGit(cwd, args, options);
  if (result.code !== 0) {
    throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Runs git synchronously and returns its stdout (throws on failure, with git's `status`). Only
 * for the BOSH core's unit tests: they read the example release in synchronous, table-driven
 * helpers and never have a sandbox in their process, so nothing can wait on the blocked loop.
 */
export function gitSync(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: TEST_GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

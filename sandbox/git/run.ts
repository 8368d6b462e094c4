import { spawn } from 'node:child_process';

/** The all-zero object name git uses for "no such ref" in push commands and hooks. */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Resolve with the failing result instead of rejecting. */
  allowFailure?: boolean;
}

/**
 * The environment for every git process the sandbox starts: no system or global configuration,
 * no prompts, stable output, and nothing inherited from a git process that may have started
 * the tests (GIT_DIR and friends).
 */
export function isolatedGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

interface GitRawResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git asynchronously: the sandbox usually lives in the test's own process, where a
 * synchronous spawn would block the event loop that serves the very push git is making.
 * The output stays bytes, for blobs and `cat-file --batch` sizes.
 */
export function runGitRaw(args: string[], options: GitRunOptions = {}): Promise<GitRawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: isolatedGitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = {
        code: code ?? 1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (result.code !== 0 && options.allowFailure !== true) {
        reject(new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** `runGitRaw` with the output as text. */
export async function runGit(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  const result = await runGitRaw(args, options);
  return { ...result, stdout: result.stdout.toString('utf8') };
}

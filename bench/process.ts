// Child processes for the harness, always asynchronous: the sandbox serves git and REST from this
// very process, so a synchronous spawn would deadlock it.
import { spawn } from 'node:child_process';

/** What a finished child printed, its exit code and how long it ran (spawn to exit). */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (empty by default). */
  input?: string;
}

/** Runs a command to its end; never throws for a non-zero exit (see `mustRun`). */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ms: performance.now() - start,
      }),
    );
    child.stdin.on('error', () => undefined); // a child that exits early may close stdin first
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command and throws, with its stderr, unless it exits 0. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<Finished> {
  const finished = await run(command, args, options);
  if (finished.code !== 0) {
    const tail = finished.stderr.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited ${finished.code}: ${tail}`);
  }
  return finished;
}

/** git with no machine or user configuration, never prompting. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git in `cwd` and returns its stdout; throws unless it exits 0. */
export async function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = GIT_ENV,
): Promise<string> {
  return (await mustRun('git', args, { cwd, env })).stdout;
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Node binary that runs the bundles: RESOURCE_NODE (Node 24 in CI) or this process's. */
export const RESOURCE_NODE = process.env.RESOURCE_NODE ?? process.execPath;

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs an executable with `stdin` as Concourse does and collects what it printed. */
export function runProcess(
  command: string,
  stdin: string,
  options: RunOptions = {},
): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, options.args ?? [], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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
      }),
    );
    child.stdin.on('error', () => undefined); // a step that fails early may close stdin first
    child.stdin.end(stdin);
  });
}

/** Runs the built bundle `dist/<step>.mjs` with the resource's Node. */
export function runBundle(
  step: 'check' | 'in' | 'out',
  request: unknown,
  options: RunOptions = {},
): Promise<StepResult> {
  const stdin = typeof request === 'string' ? request : JSON.stringify(request);
  return runProcess(RESOURCE_NODE, stdin, {
    ...options,
    args: [`${PROJECT_ROOT}/dist/${step}.mjs`, ...(options.args ?? [])],
  });
}

/** The last non-empty line of stderr: what a Concourse user reads first. */
export function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

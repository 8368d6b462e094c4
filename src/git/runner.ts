import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { GitCommandError, failureLine } from './failures.js';

/** What a git command answered: its exit code and what it printed. */
export interface GitOutput {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs one git command in `dir`; see createRunner. */
export type GitRunner = (
  dir: string,
  args: readonly string[],
  options?: {
    /** Variables for this command only (GIT_INDEX_FILE, an identity, a remote's auth). */
    env?: Record<string, string>;
    /** What git reads on stdin. */
    input?: string;
    /** Configuration for this command only, added to the command-scoped settings below. */
    config?: ReadonlyArray<readonly [string, string]>;
  },
) => Promise<GitOutput>;

// Set for every command, never written to a file. Automatic maintenance is off: `git fetch` may
// otherwise start `gc --auto` or `maintenance run --auto` detached, writing into a temporary
// repository while the step removes it.
const COMMAND_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
];

/**
 * The one way the resource runs git: simple-git, with `env` cleaned of the caller's GIT_*
 * variables, no prompt, no system configuration, automatic maintenance off, and the command's
 * directory trusted (see trusting). A command that prints nothing for `idleTimeoutMs` is killed.
 * Resolves with the exit code and output whatever the code: callers read "no" from an exit code
 * and classify failures from git's words (failures.ts).
 */
export function createRunner(options: {
  env: NodeJS.ProcessEnv;
  idleTimeoutMs: number;
}): GitRunner {
  const base = cleanEnv(options.env);
  return async (dir, args, command = {}) => {
    const env = withConfig({ ...base, ...command.env }, [
      ...COMMAND_CONFIG,
      ...(command.config ?? []),
      trusting(dir),
    ]);
    let output: GitOutput | undefined;
    const git = simpleGit({
      baseDir: dir,
      // Every GIT_* variable here was put by this module: the caller's were removed above.
      allowEnvironment: Object.keys(env).filter((key) => key.startsWith('GIT_')),
      unsafe: { allowUnsafeConfigEnvCount: true },
      timeout: { block: options.idleTimeoutMs },
      // simple-git 4.0.2 waits 50 ms after a command that printed nothing, whatever `completion`
      // says: commands here print something where they can (no --quiet, --verbose); read-tree
      // and merge-base --is-ancestor, once a put each, cannot.
      completion: { onClose: true, onExit: false },
      ...(command.input === undefined ? {} : { input: () => command.input }),
      errors: (error, result) => {
        output = {
          exitCode: result.exitCode,
          stdout: Buffer.concat(result.stdOut),
          stderr: Buffer.concat(result.stdErr).toString('utf8'),
        };
        // Any exit code is an answer for the caller; only a git that did not run to its end
        // (killed at its idle timeout, not started) is an error here.
        return Number.isInteger(result.exitCode) && result.exitCode >= 0 && result.exitCode < 256
          ? undefined
          : (error ?? new Error(`git ${args[0] ?? ''} did not finish`));
      },
    }).env(env);
    try {
      await git.raw([...args]);
    } catch (error) {
      const reason = /block timeout/.test(String(error))
        ? `printed nothing for ${options.idleTimeoutMs / 1000} s and was stopped`
        : failureLine(error instanceof Error ? error.message : String(error));
      throw new GitCommandError(`git ${args[0] ?? ''}`, reason, { cause: error });
    }
    if (output === undefined) throw new Error(`git ${args[0] ?? ''} gave no result`);
    return output;
  };
}

/** The output of a command that must succeed, as text; a GitCommandError with git's words otherwise. */
export function succeeded(output: GitOutput, what: string): string {
  if (output.exitCode === 0) return output.stdout.toString('utf8');
  throw new GitCommandError(
    what,
    failureLine(`${output.stderr}\n${output.stdout.toString('utf8')}`),
  );
}

/**
 * `env` with `settings` added to the command-scoped configuration it may already carry
 * (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n, GIT_CONFIG_VALUE_n): no `-c` in argv, no file written.
 */
function withConfig(
  env: Record<string, string>,
  settings: ReadonlyArray<readonly [string, string]>,
): Record<string, string> {
  const count = Number(env.GIT_CONFIG_COUNT ?? '0');
  const added: Record<string, string> = { GIT_CONFIG_COUNT: String(count + settings.length) };
  settings.forEach(([key, value], i) => {
    added[`GIT_CONFIG_KEY_${count + i}`] = key;
    added[`GIT_CONFIG_VALUE_${count + i}`] = value;
  });
  return { ...env, ...added };
}

/**
 * safe.directory for `dir`, for one command. A release checkout made by a task that ran as
 * another user reaches the put owned by that user, and git (>= 2.35.2) then refuses every command
 * in it as "dubious ownership". The entry is command-scoped, never written to a config file, and
 * names only the directory the command runs in; git honours it there from 2.38 (commit
 * 6061601d9f, "safe.directory: use git_protected_config()"), before which only the system and
 * global files counted. Trusting the checkout means its .git/config counts, as it does whenever
 * the task ran as root.
 */
function trusting(dir: string): readonly [string, string] {
  let path: string;
  try {
    path = realpathSync(dir); // git compares the physical path of the work tree
  } catch {
    path = resolve(dir);
  }
  return ['safe.directory', path];
}

function cleanEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.toUpperCase().startsWith('GIT_')) clean[key] = value;
  }
  // Fail instead of prompting for credentials; ignore the machine's git configuration.
  clean.GIT_TERMINAL_PROMPT = '0';
  clean.GIT_CONFIG_NOSYSTEM = '1';
  return clean;
}

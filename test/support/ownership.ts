// A release checkout handed over by a task that ran as another user, and what a step must leave
// of it: for the tests and scripts/image/steps.ts, which run as root (only root can chown).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from './run-bundle.js';

/** Gives `dir` and everything in it to `owner` (`uid:gid`), as a task's non-root user leaves it. */
export async function handTo(owner: string, dir: string): Promise<void> {
  const result = await runProcess('chown', '', { args: ['-R', owner, dir] });
  if (result.code !== 0) throw new Error(`chown -R ${owner} ${dir}: ${result.stderr}`);
}

/** Every path of a directory with its owner, mode and mtime: what a step must not change. */
export async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return Promise.all(
    ['.', ...entries].sort().map(async (path) => {
      const info = await lstat(join(dir, path));
      return `${path} ${info.uid}:${info.gid} ${info.mode.toString(8)} ${info.mtimeMs}`;
    }),
  );
}

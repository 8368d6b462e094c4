import { appendFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BareRepo } from './bare-repo.js';
import type { GitIdentity } from './objects.js';
import { runGit } from './run.js';

/**
 * Creates a bare repository set up to be served by `git http-backend` as GitHub serves one, with
 * the sandbox's hooks (`hooksDir`).
 */
export async function createBareRepo(
  path: string,
  options: { defaultBranch: string; hooksDir: string },
): Promise<BareRepo> {
  await runGit(['init', '--quiet', '--bare', `--initial-branch=${options.defaultBranch}`, path]);
  // Written in one go rather than one `git config` process per key.
  appendFileSync(
    join(path, 'config'),
    [
      // Blobless and sparse fetches of any reachable commit.
      '[uploadpack]',
      '\tallowFilter = true',
      '\tallowAnySHA1InWant = true',
      '[http]',
      '\treceivepack = true',
      // GitHub advertises refs/pull/* to fetches but refuses pushes to them.
      '[receive]',
      '\thideRefs = refs/pull/',
      '\tautogc = false',
      '[core]',
      `\thooksPath = ${options.hooksDir}`,
      '[gc]',
      '\tauto = 0',
      '',
    ].join('\n'),
  );
  return new BareRepo(path);
}

/** Whether `directory` is a git repository (a work tree's or a bare one). */
export function isGitRepository(directory: string): boolean {
  return (
    existsSync(join(directory, '.git')) ||
    (existsSync(join(directory, 'HEAD')) && statSync(join(directory, 'objects')).isDirectory())
  );
}

/** Fetches branches (all, or the ones named) from a bundle or repository into `git`. */
export async function importBranches(
  git: BareRepo,
  source: string,
  branches?: string[],
): Promise<void> {
  const refspecs =
    branches === undefined
      ? ['refs/heads/*:refs/heads/*']
      : branches.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`);
  await git.git(['fetch', '--quiet', '--no-tags', source, ...refspecs]);
}

/** Commits a plain directory's files (honouring its .gitignore) as the first commit of `branch`. */
export async function commitDirectory(
  git: BareRepo,
  directory: string,
  branch: string,
  identity: GitIdentity,
): Promise<void> {
  const index = join(git.path, 'sandbox-import.index');
  const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: directory };
  await git.git(['add', '--all', '.'], { env, cwd: directory });
  const tree = (await git.git(['write-tree'], { env })).stdout.trim();
  const sha = await git.commitTree({
    tree,
    parents: [],
    message: 'Initial commit\n',
    author: identity,
    committer: identity,
  });
  await git.updateRef(`refs/heads/${branch}`, sha, null);
  rmSync(index, { force: true });
}

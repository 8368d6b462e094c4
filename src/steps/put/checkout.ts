import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../../errors.js';
import type { Git } from '../../git/git.js';

/** The checkout a put was given: `params.repository` under the build directory, a git work tree. */
export async function checkoutDir(
  args: readonly string[],
  repository: string,
  git: Git,
): Promise<string> {
  const sources = args[0];
  if (sources === undefined) {
    throw new UserError('out needs the build directory as its argument (Concourse passes it)');
  }
  const dir = resolve(sources, repository);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UserError(
      `params.repository: ${repository} is not in the build: name the task output that holds the checkout after bosh create-release --final`,
    );
  }
  const top = await git.topLevel(dir);
  if (top === undefined || resolve(top) !== dir) {
    throw new UserError(
      `params.repository: ${repository} is not the top of a git checkout: give the release repository itself`,
    );
  }
  return dir;
}

/** Checks `params.version`: a literal or, when such a file exists in the build, a path to one. */
export async function expectVersion(
  expected: string | undefined,
  actual: string,
  sources: string,
): Promise<void> {
  if (expected === undefined) return;
  const fromFile = await readFile(resolve(sources, expected), 'utf8').catch(() => undefined);
  const wanted = (fromFile ?? expected).trim();
  if (wanted !== actual) {
    throw new UserError(
      `params.version says ${wanted}${fromFile === undefined ? '' : ` (from ${expected})`}, but the checkout's new final release is ${actual}: re-run bosh create-release --final --version ${wanted}, or fix params.version`,
    );
  }
}

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.js';
import { PROJECT_ROOT } from './run-bundle.js';

export const EXAMPLE_BUNDLE = join(
  PROJECT_ROOT,
  'test/fixtures/example-release/example-release.bundle',
);
export const EXAMPLE_BRANCHES = ['main', 'cut-a', 'cut-b', 'moved', 'cut-c'] as const;

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

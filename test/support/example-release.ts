// Test support: the example-release bundle (made by the real bosh CLI, see
// test/fixtures/example-release/README.md) and the bosh-real samples, read with real git.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMetadataPath } from '../../src/bosh/index.js';
import { gitSync } from './git.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const BOSH_REAL = join(FIXTURES, 'bosh-real');
export const YAML_V2 = join(FIXTURES, 'yaml-v2');
const BUNDLE = join(FIXTURES, 'example-release', 'example-release.bundle');

/** A clone of the example-release bundle in a temp dir. */
export interface ExampleRelease {
  readonly dir: string;
  /** Metadata files (config/final.yml, .final_builds/**, releases/**) at a revision. */
  metadataAt(revision: string): Map<string, string>;
  /**
   * A working copy at the commit a cut was made from, with the cut's files laid over it: the
   * tree `bosh create-release --final` leaves behind. Returns its metadata files and the
   * changed paths as git reports them (modified + untracked, not ignored).
   */
  checkoutOf(cut: string, plant?: Record<string, string>): Checkout;
  remove(): void;
}

export interface Checkout {
  readonly dir: string;
  readonly files: Map<string, string>;
  readonly changedPaths: string[];
  /** The revision the cut was made from. */
  readonly from: string;
}

export function cloneExampleRelease(): ExampleRelease {
  const root = mkdtempSync(join(tmpdir(), 'bosh-example-'));
  const dir = join(root, 'repo');
  gitSync(root, ['clone', '--quiet', BUNDLE, dir]);
  let worktrees = 0;
  return {
    dir,
    metadataAt: (revision) => metadataAt(dir, revision),
    checkoutOf(cut, plant = {}) {
      const from = gitSync(dir, ['rev-parse', `origin/${cut}^`]).trim();
      const work = join(root, `work-${worktrees++}`);
      gitSync(dir, ['worktree', 'add', '--quiet', '--detach', work, from]);
      // Lays the cut's tree over the work tree without touching its index, as the CLI leaves it.
      gitSync(dir, ['--work-tree', work, 'checkout', `origin/${cut}`, '--', '.']);
      gitSync(dir, ['reset', '--quiet']);
      for (const [path, content] of Object.entries(plant)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      const modified = gitSync(work, ['diff', '--name-only', 'HEAD']).split('\n');
      const untracked = gitSync(work, ['ls-files', '--others', '--exclude-standard']).split('\n');
      const changedPaths = [...modified, ...untracked].filter((p) => p !== '').sort();
      return { dir: work, files: metadataOnDisk(work), changedPaths, from };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function metadataAt(dir: string, revision: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of gitSync(dir, ['ls-tree', '-r', '--name-only', revision]).split('\n')) {
    if (path !== '' && isMetadataPath(path))
      files.set(path, gitSync(dir, ['show', `${revision}:${path}`]));
  }
  return files;
}

/** Metadata files of a release directory on disk. */
export function metadataOnDisk(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of walk(dir)) {
    const rel = relative(dir, path);
    if (isMetadataPath(rel)) files.set(rel, readFileSync(path, 'utf8'));
  }
  return files;
}

export function walk(dir: string): string[] {
  const paths: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === '.git') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) paths.push(...walk(path));
    else paths.push(path);
  }
  return paths.sort();
}

// in writes the indexes the release's manifest references, fetched alone, and every
// index with params.all_metadata; the integrity check keeps its meaning on what it fetched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { manifestBuildReferences, parseReleaseManifest } from '../../src/bosh/release-manifest.js';
import { manifestIndexPaths } from '../../src/bosh/index.js';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { git } from '../support/git.js';
import { OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const MANIFEST = 'releases/example/example-2.yml';
// An index no kept manifest references: bosh never removes an index, nor its entries.
const RETIRED = '.final_builds/packages/retired/index.yml';
const RETIRED_TEXT = [
  'builds:',
  '  0123456789abcdef0123456789abcdef01234567:',
  '    version: 0123456789abcdef0123456789abcdef01234567',
  '    blobstore_id: 8d3c2b1a-0000-4000-8000-000000000001',
  '    sha1: sha256:0000000000000000000000000000000000000000000000000000000000000000',
  'format-version: "2"',
  '',
].join('\n');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** A repository whose main also has an index no release references; returns main's sha. */
async function withRetiredIndex(): Promise<{ repo: string; ref: string; bare: string }> {
  const repo = await world.repository();
  const ref = await world.sandbox.commitToBranch(OWNER, repo, 'main', {
    files: { [RETIRED]: RETIRED_TEXT },
    message: 'a package no release uses any more',
  });
  return { repo, ref, bare: world.sandbox.bareRepoPath(OWNER, repo) };
}

/** The metadata files a get of version 2 writes into `dest`, and their texts there. */
async function metadataIn(dest: string): Promise<Map<string, string>> {
  const paths = (await listFiles(dest)).filter((path) => path.includes('/'));
  const texts = await Promise.all(paths.map((path) => readFile(join(dest, path), 'utf8')));
  return new Map(paths.map((path, i) => [path, texts[i] ?? '']));
}

async function getVersion2(
  repo: string,
  ref: string,
  options: { params?: Record<string, unknown>; source?: Record<string, unknown> } = {},
): Promise<{ dest: string; error: Error | undefined }> {
  const dest = await world.tempDir('brp-dest-');
  const run = await world.runRaw(
    'in',
    {
      source: world.source(repo, options.source),
      version: { version: '2', pr: '', ref },
      params: options.params ?? {},
    },
    [dest],
  );
  if (run.error === undefined) expect((run.result as GetPutResponse).version.ref).toBe(ref);
  return { dest, error: run.error };
}

describe('in writes the release directory of the one manifest', () => {
  it.each([
    // Without a PR nor source.release_name, the manifest is fetched before the indexes.
    ['the release name from config/final.yml', {}, 3],
    // Read through REST while git fetches the trees: one fetch brings every file.
    ['source.release_name', { release_name: 'example' }, 2],
  ])('with only the indexes the manifest references (%s)', async (_, source, fetches) => {
    const { repo, ref, bare } = await withRetiredIndex();
    const since = world.sandbox.log().length;
    const { dest, error } = await getVersion2(repo, ref, { source });
    expect(error).toBeUndefined();
    const uploads = world.sandbox
      .log()
      .slice(since)
      .filter((entry) => entry.method === 'POST' && entry.route.endsWith('/git-upload-pack'));
    expect(uploads).toHaveLength(fetches);

    const manifest = await git(bare, ['show', `${ref}:${MANIFEST}`]);
    const referenced = manifestIndexPaths(manifest, MANIFEST);
    const written = await metadataIn(dest);
    expect([...written.keys()].sort()).toEqual(
      ['config/final.yml', 'releases/example/index.yml', MANIFEST, ...referenced].sort(),
    );
    expect(written.has(RETIRED)).toBe(false);
    for (const [path, text] of written) {
      expect(text).toBe(await git(bare, ['show', `${ref}:${path}`]));
    }
  });

  it('with every .final_builds index under params.all_metadata', async () => {
    const { repo, ref, bare } = await withRetiredIndex();
    const { dest, error } = await getVersion2(repo, ref, { params: { all_metadata: true } });
    expect(error).toBeUndefined();

    const everyIndex = (
      await git(bare, ['ls-tree', '-r', '--name-only', ref, '--', '.final_builds'])
    )
      .split('\n')
      .filter(Boolean);
    expect(everyIndex).toContain(RETIRED);
    const written = await metadataIn(dest);
    expect([...written.keys()].sort()).toEqual(
      ['config/final.yml', 'releases/example/index.yml', MANIFEST, ...everyIndex].sort(),
    );
    for (const [path, text] of written) {
      expect(text).toBe(await git(bare, ['show', `${ref}:${path}`]));
    }
  });
});

describe('in checks every build the manifest uses, on the indexes it fetched', () => {
  async function broken(
    change: (index: string, reference: { fingerprint: string; sha1: string }) => string,
  ): Promise<{ error: Error | undefined; dest: string; indexPath: string }> {
    const { repo, bare } = await withRetiredIndex();
    const manifest = parseReleaseManifest(await git(bare, ['show', `main:${MANIFEST}`]), MANIFEST);
    const [reference] = manifestBuildReferences(manifest);
    if (reference === undefined) throw new Error('the example manifest uses no build');
    const index = await git(bare, ['show', `main:${reference.indexPath}`]);
    const ref = await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { [reference.indexPath]: change(index, reference) },
      message: 'break an index',
    });
    return { ...(await getVersion2(repo, ref)), indexPath: reference.indexPath };
  }

  it('refuses a build missing from its index', async () => {
    const { error, dest, indexPath } = await broken(() => 'builds: {}\nformat-version: "2"\n');
    expect(error?.message).toContain(
      `but ${indexPath} has no entry for it: the release cannot be built from this commit`,
    );
    expect(await listFiles(dest)).toEqual([]);
  });

  it('refuses a build whose index records another digest', async () => {
    const other = `sha256:${'f'.repeat(64)}`;
    const { error, dest, indexPath } = await broken((index, reference) =>
      index.replace(`sha1: ${reference.sha1}`, `sha1: ${other}`),
    );
    expect(error?.message).toContain(
      `, but ${indexPath} records ${other}: the metadata at this commit is inconsistent`,
    );
    expect(await listFiles(dest)).toEqual([]);
  });
});

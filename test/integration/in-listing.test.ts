// How in learns which blobs to fetch: GitHub's tree listings (src/steps/get/rest-listing.ts), so
// that one git fetch brings the files; and git's own listing of the commit's trees whenever a
// listing cannot say for sure (GitHub truncated it). Both write the same files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ResourceVersion } from '../../src/concourse/contract.js';
import type { RequestLogEntry } from '../../sandbox/index.js';
import { OWNER, World } from '../support/world.js';

/** The recursive listing of the example's `.final_builds` (14 entries) is cut past this. */
const TRUNCATING_LIMIT = 10;

let world: World;
let truncating: World;

beforeAll(async () => {
  world = await World.start();
  truncating = await World.start({ treeEntryLimit: TRUNCATING_LIMIT });
});
afterAll(async () => {
  await world.stop();
  await truncating.stop();
});

/** Puts cut-a in a new repository of `on`, merges its PR, returns the version check reports. */
async function mergedRelease(on: World): Promise<{ repo: string; version: ResourceVersion }> {
  const repo = await on.repository();
  const put = await on.put(repo, await on.buildDir('cut-a'));
  if (put.result === undefined) throw put.error ?? new Error('put gave no result');
  const pr = put.result.metadata.find((field) => field.name === 'pr')?.value ?? '';
  const ref = await on.sandbox.mergePull(OWNER, repo, Number(pr));
  return { repo, version: { version: '3', pr, ref } };
}

/** Runs in; returns DEST's files by path and the sandbox requests it made. */
async function getRelease(
  on: World,
  repo: string,
  version: ResourceVersion,
): Promise<{ files: Map<string, string>; requests: RequestLogEntry[] }> {
  const dest = await on.tempDir('brp-dest-');
  const since = on.sandbox.log().length;
  const run = await on.get(repo, version, dest);
  if (run.error !== undefined) throw run.error;
  const requests = on.sandbox.log().slice(since);
  const files = new Map<string, string>();
  for (const entry of await readdir(dest, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dest, path), await readFile(path, 'utf8'));
  }
  return { files, requests };
}

const TREES = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';
/** One git fetch: the capability advertisement it starts with. */
const fetches = (requests: RequestLogEntry[]) =>
  requests.filter((entry) => entry.kind === 'git' && entry.method === 'GET').length;

describe('in: which blobs to fetch', () => {
  let listed: Map<string, string>;

  it('reads them from GitHub’s tree listings, and makes one git fetch', async () => {
    const { repo, version } = await mergedRelease(world);
    const { files, requests } = await getRelease(world, repo, version);
    // The commit's root, then config, .final_builds and releases, each recursively.
    expect(requests.filter((entry) => entry.route === TREES)).toHaveLength(4);
    expect(fetches(requests)).toBe(1);
    expect(files.get('releases/example/example-3.yml')).toContain('version: "3"');
    listed = files;
  });

  it('asks git for the commit’s trees when GitHub truncates a listing, and writes the same files', async () => {
    const { repo, version } = await mergedRelease(truncating);
    const { files, requests } = await getRelease(truncating, repo, version);
    expect(requests.filter((entry) => entry.route === TREES).length).toBeGreaterThan(0);
    expect(fetches(requests)).toBe(2);
    // Same release, same merge content: only the commit (ref, url) differs between the worlds.
    const differing = [...files.keys()].filter((path) => files.get(path) !== listed.get(path));
    expect(differing.sort()).toEqual(['metadata.json', 'ref', 'url']);
    expect([...files.keys()].sort()).toEqual([...listed.keys()].sort());
  });
});

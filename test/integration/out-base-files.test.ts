// out reads on the base only what its release touches: config/final.yml, the release
// index, the manifest's path, and the indexes the manifest references — never the others.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { manifestIndexPaths } from '../../src/bosh/index.js';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { parseCheckRequest } from '../../src/concourse/settings.js';
import type { Git } from '../../src/git/git.js';
import { git } from '../support/git.js';
import { OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const LOCK = 'bosh-release-pr/main/example';
const MANIFEST = 'releases/example/example-3.yml';
const RETIRED = '.final_builds/packages/retired/index.yml';

it('fetches, of the base, the files its release touches and no other index', async () => {
  const repo = await world.repository();
  const bare = world.sandbox.bareRepoPath(OWNER, repo);
  const base = await world.sandbox.commitToBranch(OWNER, repo, 'main', {
    files: { [RETIRED]: 'builds: {}\nformat-version: "2"\n' },
    message: 'a package no release uses any more',
  });

  const fetched: string[] = [];
  const log = world.log();
  const real = world.connect(parseCheckRequest({ source: world.source(repo) }).source, log).git;
  const recording: Git = {
    ...real,
    fetchBlobs: (options) => {
      fetched.push(...options.blobs);
      return real.fetchBlobs(options);
    },
  };
  const run = await world.put(
    repo,
    await world.buildDir('cut-a'),
    {},
    { deps: { git: recording } },
  );
  if (run.error !== undefined) throw run.error;
  const operation = (run.result as GetPutResponse).metadata.find((f) => f.name === 'operation');
  expect(operation?.value).toBe('created');

  const blobs = new Map<string, string>();
  for (const line of (await git(bare, ['ls-tree', '-r', base])).split('\n').filter(Boolean)) {
    const [info = '', path = ''] = line.split('\t');
    blobs.set(info.split(' ')[2] ?? '', path);
  }
  const paths = fetched.map((sha) => blobs.get(sha) ?? `(not on the base: ${sha})`).sort();
  const manifest = await git(bare, ['show', `${LOCK}:${MANIFEST}`]);
  const referenced = manifestIndexPaths(manifest, MANIFEST).filter((path) =>
    [...blobs.values()].includes(path),
  );
  expect(paths).toEqual(
    [...new Set(['config/final.yml', 'releases/example/index.yml', ...referenced])].sort(),
  );
  expect(paths).not.toContain(RETIRED);
  // The retired index is in the PR's commit all the same, untouched.
  expect(await git(bare, ['rev-parse', `${LOCK}:${RETIRED}`])).toBe(
    await git(bare, ['rev-parse', `${base}:${RETIRED}`]),
  );
});

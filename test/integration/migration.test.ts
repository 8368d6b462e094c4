// The move from S3 to git against the sandbox, with the example release: a base branch that
// does not track .final_builds/ and releases/ (the pipeline syncs them from S3 into the checkout,
// untracked), the import PR of versions 1–2, then release PRs on top — with both directories
// tracked, and with .final_builds only.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { GetPutResponse, ResourceVersion } from '../../src/concourse/contract.js';
import { git } from '../support/git.js';
import { LOCK, OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

function succeeded<T>(run: StepRun<T>): T {
  if (run.error !== undefined) throw run.error;
  if (run.result === undefined) throw new Error('no result');
  return run.result;
}

function failure(run: StepRun<GetPutResponse>): string {
  expect(run.result).toBeUndefined();
  expect(run.error?.name).toBe('UserError');
  return run.error?.message ?? '';
}

function meta(response: GetPutResponse): Record<string, string> {
  return Object.fromEntries(response.metadata.map(({ name, value }) => [name, value]));
}

/** The metadata files at a revision of a sandbox repository, with their contents. */
async function treeFiles(repo: string, rev: string, paths: string[]): Promise<Map<string, string>> {
  const bare = world.sandbox.bareRepoPath(OWNER, repo);
  const names = (await git(bare, ['ls-tree', '-r', '--name-only', rev, '--', ...paths]))
    .split('\n')
    .filter(Boolean);
  const files = new Map<string, string>();
  for (const name of names) files.set(name, await git(bare, ['show', `${rev}:${name}`]));
  return files;
}

/**
 * Makes main look like a repository that keeps `dirs` in S3: they are deleted from git and
 * ignored. Returns the commit before (S, the tip of the bundle's main), which still has them.
 */
async function stopTracking(repo: string, dirs: string[]): Promise<string> {
  const before = (await world.branchSha(repo, 'main')) ?? '';
  const files: Record<string, string | null> = {};
  for (const path of (await treeFiles(repo, before, dirs)).keys()) files[path] = null;
  const bare = world.sandbox.bareRepoPath(OWNER, repo);
  const ignore = await git(bare, ['show', `${before}:.gitignore`]);
  files['.gitignore'] = `${ignore}${dirs.map((dir) => `${dir}/`).join('\n')}\n`;
  await world.sandbox.commitToBranch(OWNER, repo, 'main', {
    files,
    message: `Keep ${dirs.join(' and ')} in S3`,
  });
  return before;
}

/**
 * A build directory whose release-repo is a clone of main with `.final_builds/` and `releases/`
 * synced in as the pipeline's task would from S3: here, taken from `from`, and left untracked.
 */
async function importCheckout(repo: string, from: string): Promise<string> {
  const build = await world.tempDir('brp-import-');
  world.dirs.push(build);
  const dir = join(build, 'release-repo');
  await git(build, ['clone', '--quiet', world.sandbox.bareRepoPath(OWNER, repo), dir]);
  await git(dir, ['checkout', from, '--', '.final_builds', 'releases']);
  await git(dir, ['reset', '--quiet']);
  return build;
}

/** The checkout after `bosh create-release --final` of `cut` when releases/ comes from S3. */
async function untrackedReleasesCheckout(cut: string): Promise<string> {
  const build = await world.buildDir(cut);
  await git(join(build, 'release-repo'), ['rm', '-r', '--cached', '--quiet', 'releases']);
  return build;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the import PR, then release PRs with both directories tracked', () => {
  it('imports versions 1–2 through the lock, and delivers version 3 on top', async () => {
    const repo = await world.repository({ branches: ['main', 'cut-a'] });
    const s = await stopTracking(repo, ['.final_builds', 'releases']);
    const build = await importCheckout(repo, s);
    const status = await git(join(build, 'release-repo'), ['status', '--porcelain', '--ignored']);
    expect(status).toBe('!! .final_builds/\n!! releases/\n');
    const main = (await world.branchSha(repo, 'main')) ?? '';
    const since = world.sandbox.log().length;

    // The import: one PR carrying exactly the metadata of versions 1 and 2.
    const put = succeeded(await world.put(repo, build, { import: true }));
    expect(meta(put)).toMatchObject({
      operation: 'created',
      release: 'example',
      version: '2',
      lock_branch: LOCK,
      base_sha: main,
    });
    expect(put.version).toEqual({ version: '', pr: '', ref: main });
    const pr = world.sandbox.pull(OWNER, repo, Number(meta(put).pr));
    expect(pr).toMatchObject({
      state: 'open',
      head: LOCK,
      title: 'Import the final releases of example up to 2',
    });
    expect(pr.body).toContain('2 final versions and 6 `.final_builds` indexes with 7 builds.');
    expect(pr.body).toContain('**Versions** (up to 2): 1, 2');
    expect(pr.body).toContain('"version":"2"');
    expect(pr.body).toContain('"import":true');
    const metadata = ['.final_builds', 'releases'];
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await treeFiles(repo, s, metadata),
    );
    const changed = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'diff',
      '--name-only',
      'main',
      LOCK,
    ]);
    expect(changed.split('\n').filter(Boolean)).toHaveLength(9);
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      LOCK,
    ]);
    expect(message).toMatch(
      new RegExp(
        `^Import the final releases of example up to 2\n\nBosh-Release-Version: 2\nBosh-Release-Source: ${main}\nBosh-Release-Key: [0-9a-f]{64}\n`,
      ),
    );
    const pushes = world
      .requests(repo, since, { writes: true })
      .filter((entry) => entry.gitService === 'git-receive-pack');
    expect(pushes.flatMap((entry) => entry.refUpdates)).toEqual([
      expect.objectContaining({ ref: `refs/heads/${LOCK}`, created: true }),
    ]);

    // The lock holds: a re-run adopts, and a release waits for the import.
    expect(meta(succeeded(await world.put(repo, build, { import: true })))).toMatchObject({
      operation: 'adopted',
      pr: String(pr.number),
    });
    expect(failure(await world.put(repo, await world.buildDir('cut-a')))).toMatch(
      /^release PR #1 \(example 2, opened .* holds the lock on main/,
    );

    // Merged, the import is the starting version, and in writes its release.
    const ref = await world.sandbox.mergePull(OWNER, repo, pr.number);
    const imported: ResourceVersion = { version: '2', pr: String(pr.number), ref };
    expect(succeeded(await world.check(repo))).toEqual([imported]);
    const dest = await world.tempDir('brp-dest-');
    world.dirs.push(dest);
    succeeded(await world.get(repo, imported, dest));
    expect(await readFile(join(dest, 'manifest_path'), 'utf8')).toBe(
      'releases/example/example-2.yml',
    );
    expect(await listFiles(dest)).toEqual(
      expect.arrayContaining([
        '.final_builds/packages/app/index.yml',
        'releases/example/example-2.yml',
        'releases/example/index.yml',
      ]),
    );

    // Re-run, the same import was delivered; another one finds releases/ tracked and refuses.
    expect(meta(succeeded(await world.put(repo, build, { import: true })))).toMatchObject({
      operation: 'delivered',
      pr: String(pr.number),
    });
    const again = world.sandbox.log().length;
    const synced = await importCheckout(repo, 'origin/cut-a');
    expect(failure(await world.put(repo, synced, { import: true }))).toBe(
      'the base branch already tracks releases/example/ (3 files, e.g. releases/example/example-1.yml): an import is only the first PR of a repository; deliver new versions with normal release PRs (without params.import)',
    );
    expect(world.requests(repo, again, { writes: true })).toEqual([]);

    // ResourceVersion 3 (cut-a) is a normal release PR on top of the import.
    const release = succeeded(await world.put(repo, await world.buildDir('cut-a')));
    expect(meta(release)).toMatchObject({ operation: 'created', version: '3', pr: '2' });
    expect(release.version).toEqual(imported);
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
    const third = await world.sandbox.mergePull(OWNER, repo, 2);
    expect(succeeded(await world.check(repo, imported))).toEqual([
      imported,
      { version: '3', pr: '2', ref: third },
    ]);
  });

  it('refuses an import onto a base that already tracks the releases', async () => {
    const repo = await world.repository();
    expect(failure(await world.put(repo, await world.buildDir('cut-a'), { import: true }))).toMatch(
      /^the base branch already tracks releases\/example\/ \(3 files, /,
    );
    expect(world.sandbox.pulls(OWNER, repo)).toEqual([]);
  });
});

describe('.final_builds tracked without releases/ (source.track: final_builds)', () => {
  const track = { source: { track: 'final_builds' } };

  it('imports .final_builds, then delivers, checks, gets and refuses a duplicate through the PR trail', async () => {
    const repo = await world.repository();
    const s = await stopTracking(repo, ['.final_builds', 'releases']);

    // The import carries only .final_builds, and stands for version 2.
    const put = succeeded(
      await world.put(repo, await importCheckout(repo, s), { import: true }, track),
    );
    expect(meta(put)).toMatchObject({ operation: 'created', version: '2' });
    const importFiles = await world.metadataDiff(repo, 'main', LOCK);
    expect(importFiles).toEqual(await treeFiles(repo, s, ['.final_builds']));
    expect(world.sandbox.pull(OWNER, repo, 1).body).toContain(
      '`releases/` stays out of git (`source.track: final_builds`).',
    );
    const importRef = await world.sandbox.mergePull(OWNER, repo, 1);
    const imported: ResourceVersion = { version: '2', pr: '1', ref: importRef };
    expect(succeeded(await world.check(repo, undefined, track))).toEqual([imported]);

    // cut-a: the PR commits only its new .final_builds entries; the version comes from releases/.
    const release = succeeded(
      await world.put(repo, await untrackedReleasesCheckout('cut-a'), {}, track),
    );
    expect(meta(release)).toMatchObject({ operation: 'created', version: '3', pr: '2' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      new Map(
        [...(await world.bundleDiff('main', 'cut-a'))].filter(([path]) =>
          path.startsWith('.final_builds/'),
        ),
      ),
    );
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      LOCK,
    ]);
    expect(message).toMatch(
      /^Final release 3\n\nBosh-Release-Version: 3\nBosh-Release-Source: 5f04a60/,
    );
    expect(world.sandbox.pull(OWNER, repo, 2).body).toContain('"track":"final_builds"');

    // Merged: check reports version 3, and in writes .final_builds and the small files only.
    const ref = await world.sandbox.mergePull(OWNER, repo, 2);
    const three: ResourceVersion = { version: '3', pr: '2', ref };
    expect(succeeded(await world.check(repo, imported, track))).toEqual([imported, three]);
    const dest = await world.tempDir('brp-dest-');
    world.dirs.push(dest);
    const got = succeeded(await world.get(repo, three, dest));
    expect(got.version).toEqual(three);
    const finalBuilds = await treeFiles(repo, ref, ['.final_builds']);
    expect(await listFiles(dest)).toEqual(
      [
        ...finalBuilds.keys(),
        'config/final.yml',
        'metadata.json',
        'name',
        'pr',
        'ref',
        'tag',
        'url',
        'version',
      ].sort(),
    );
    for (const [path, content] of finalBuilds)
      expect(await readFile(join(dest, path), 'utf8')).toBe(content);
    expect(JSON.parse(await readFile(join(dest, 'metadata.json'), 'utf8'))).toEqual({
      name: 'example',
      version: '3',
      tag: 'v3',
      ref,
      pr: '2',
      url: meta(release).pr_url,
    });

    // cut-b, a second cut of 3: releases/ is not on main, the merged PR says 3 is taken.
    const since = world.sandbox.log().length;
    const refused = failure(
      await world.put(repo, await untrackedReleasesCheckout('cut-b'), {}, track),
    );
    expect(refused).toMatch(
      /^version 3 is already on main \(PR #2 .*\/pull\/2\): re-run bosh create-release --final on the current main$/,
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('opens no PR for a release whose builds are all on the base already', async () => {
    const repo = await world.repository();
    await stopTracking(repo, ['releases']);
    const cutA = await world.bundleDiff('main', 'cut-a');
    const builds = Object.fromEntries(
      [...cutA].filter(([path]) => path.startsWith('.final_builds/')),
    );
    await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: builds,
      message: 'vendor the new builds',
    });
    const main = await world.branchSha(repo, 'main');
    const since = world.sandbox.log().length;
    const run = await world.put(repo, await untrackedReleasesCheckout('cut-a'), {}, track);
    const response = succeeded(run);
    expect(meta(response)).toEqual({
      operation: 'nothing-to-commit',
      release: 'example',
      version: '3',
      lock_branch: LOCK,
      base_sha: main,
    });
    expect(run.logs).toContain(
      'nothing-to-commit: example 3 adds no .final_builds entry main lacks, so no PR was opened',
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
    expect(await world.branchSha(repo, LOCK)).toBeUndefined();
  });

  it.each([
    ['both', '.final_builds and releases/', 'releases/example/'],
    ['final_builds', '.final_builds/', '.final_builds/'],
  ])(
    'with track %s, asks for the import first while main does not track %s',
    async (mode, _, what) => {
      const repo = await world.repository();
      await stopTracking(repo, ['.final_builds', 'releases']);
      const since = world.sandbox.log().length;
      expect(
        failure(
          await world.put(repo, await world.buildDir('cut-a'), {}, { source: { track: mode } }),
        ),
      ).toBe(
        `main does not track ${what} yet, but the checkout lists earlier final releases: bring the existing metadata into git first with a put of params.import: true`,
      );
      expect(world.requests(repo, since, { writes: true })).toEqual([]);
    },
  );
});

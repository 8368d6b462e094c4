// in against the sandbox: the merged release's metadata written into DEST, compared file by file
// with the tree at the merge commit; the small files; and clear failures for unavailable versions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { GetPutResponse, ResourceVersion } from '../../src/concourse/contract.js';
import { writeInside } from '../../src/io/dest.js';
import { git } from '../support/git.js';
import { OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
  // in's work directories go to os.tmpdir(): this file's own, so that what is left is its own.
  process.env.TMPDIR = await world.tempDir('brp-in-tmp-');
});

/** The work directories `in` left behind. */
async function workDirsLeft(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('bosh-release-pr-in-'));
}

afterAll(async () => {
  await world.stop();
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function response(run: StepRun<GetPutResponse>): GetPutResponse {
  if (run.error !== undefined) throw run.error;
  if (run.result === undefined) throw new Error('no result');
  return run.result;
}

/** Puts cut-a, merges its PR, and returns the version check reports for it. */
async function mergedRelease(repo: string): Promise<ResourceVersion> {
  const put = response(await world.put(repo, await world.buildDir('cut-a')));
  const pr = put.metadata.find((field) => field.name === 'pr')?.value ?? '';
  const ref = await world.sandbox.mergePull(OWNER, repo, Number(pr));
  return { version: '3', pr, ref };
}

describe('in', () => {
  it('writes the release directory at the merge commit, and the small files', async () => {
    const repo = await world.repository();
    const version = await mergedRelease(repo);
    const dest = await world.tempDir('brp-dest-');

    const result = response(await world.get(repo, version, dest));
    expect(result.version).toEqual(version);

    const bare = world.sandbox.bareRepoPath(OWNER, repo);
    const finalBuilds = (
      await git(bare, ['ls-tree', '-r', '--name-only', version.ref, '--', '.final_builds'])
    )
      .split('\n')
      .filter(Boolean);
    const metadataFiles = [
      ...finalBuilds,
      'config/final.yml',
      'releases/example/example-3.yml',
      'releases/example/index.yml',
    ];
    const small = [
      'commit_hash',
      'manifest_path',
      'metadata.json',
      'name',
      'pr',
      'ref',
      'tag',
      'url',
      'version',
    ];
    expect(await listFiles(dest)).toEqual([...metadataFiles, ...small].sort());
    for (const path of metadataFiles) {
      expect(await readFile(join(dest, path), 'utf8')).toBe(
        await git(bare, ['show', `${version.ref}:${path}`]),
      );
    }

    const read = (name: string) => readFile(join(dest, name), 'utf8');
    const pullUrl = `${world.sandbox.webUrl}/${OWNER}/${repo}/pull/${version.pr}`;
    expect({
      name: await read('name'),
      version: await read('version'),
      tag: await read('tag'),
      ref: await read('ref'),
      pr: await read('pr'),
      url: await read('url'),
      commit_hash: await read('commit_hash'),
      manifest_path: await read('manifest_path'),
    }).toEqual({
      name: 'example',
      version: '3',
      tag: 'v3',
      ref: version.ref,
      pr: version.pr,
      url: pullUrl,
      commit_hash: '5f04a60',
      manifest_path: 'releases/example/example-3.yml',
    });
    expect(JSON.parse(await read('metadata.json'))).toMatchObject({
      name: 'example',
      version: '3',
      ref: version.ref,
    });
    expect(result.metadata).toContainEqual({ name: 'url', value: pullUrl });

    for (const path of await listFiles(dest)) {
      expect(await readFile(join(dest, path), 'utf8')).not.toContain(world.token);
    }
    expect(await workDirsLeft()).toEqual([]);
  });

  it('writes only the small files with skip_download', async () => {
    const repo = await world.repository();
    const version = await mergedRelease(repo);
    const dest = await world.tempDir('brp-dest-');
    const since = world.sandbox.log().length;
    response(await world.get(repo, version, dest, { skip_download: true }));
    expect(await listFiles(dest)).toEqual([
      'manifest_path',
      'metadata.json',
      'name',
      'pr',
      'ref',
      'tag',
      'url',
      'version',
    ]);
    expect(world.requests(repo, since).filter((entry) => entry.kind === 'git')).toEqual([]);
  });

  it('gets the starting version of a base where no release PR merged yet', async () => {
    const repo = await world.repository();
    const [start] = (await world.check(repo)).result ?? [];
    expect(start?.version).toBe('2');
    const dest = await world.tempDir('brp-dest-');
    response(await world.get(repo, start ?? {}, dest));
    expect(await readFile(join(dest, 'releases/example/example-2.yml'), 'utf8')).toContain(
      'version: "2"',
    );
    expect(await readFile(join(dest, 'url'), 'utf8')).toBe(
      `${world.sandbox.webUrl}/${OWNER}/${repo}/commit/${start?.ref}`,
    );
  });

  it.each([
    [
      'an open PR',
      async (repo: string) => {
        const put = response(await world.put(repo, await world.buildDir('cut-a')));
        const pr = put.metadata.find((field) => field.name === 'pr')?.value ?? '';
        return { version: '3', pr, ref: 'a'.repeat(40) };
      },
      /^version 3 is not available: PR #1 is open and not merged/,
    ],
    [
      'a PR merged as another commit',
      async (repo: string) => ({ ...(await mergedRelease(repo)), ref: 'b'.repeat(40) }),
      /^version 3 is not available: PR #1 merged as [0-9a-f]{40}, not b{40}/,
    ],
    [
      'a PR that does not exist',
      async () => ({ version: '3', pr: '77', ref: 'c'.repeat(40) }),
      /^version 3 is not available: PR #77 does not exist/,
    ],
    [
      'a commit that is not in the repository',
      async () => ({ version: '2', pr: '', ref: 'd'.repeat(40) }),
      /is not in .*: check the branch or version/,
    ],
    [
      'a partial version',
      async () => ({ version: '3' }),
      /^version \{"version":"3"\} is not one this resource reports/,
    ],
  ])('fails clearly for %s', async (_what, make, pattern) => {
    const repo = await world.repository();
    const version = await make(repo);
    const dest = await world.tempDir('brp-dest-');
    const run = await world.get(repo, version, dest);
    expect(run.error?.name).toBe('UserError');
    expect(run.error?.message).toMatch(pattern);
    expect(await listFiles(dest)).toEqual([]);
    // The fetch ran alongside the PR's check: it was waited for, and cleaned up after.
    expect(await workDirsLeft()).toEqual([]);
  });

  it('never follows a symbolic link in the metadata at the commit', async () => {
    const repo = await world.repository();
    const work = await world.tempDir('brp-evil-');
    const remote = world.sandbox.gitUrl(OWNER, repo);
    const auth = ['-c', `http.extraHeader=Authorization: Bearer ${world.token}`];
    await git(work, [...auth, 'clone', '--quiet', remote, 'clone']);
    const clone = join(work, 'clone');
    await symlink('/etc', join(clone, '.final_builds/packages/escape'));
    await git(clone, ['add', '.final_builds/packages/escape']);
    await git(clone, ['commit', '--quiet', '-m', 'a link out']);
    await git(clone, [...auth, 'push', '--quiet', 'origin', 'HEAD:refs/heads/evil']);
    const ref = (await git(clone, ['rev-parse', 'HEAD'])).trim();
    const dest = await world.tempDir('brp-dest-');
    const run = await world.get(repo, { version: '2', pr: '', ref }, dest);
    expect(run.error?.message).toMatch(
      /^\.final_builds\/packages\/escape is a symbolic link at [0-9a-f]{7}: release metadata must be regular files/,
    );
    expect(await listFiles(dest)).toEqual([]);
  });

  it('refuses to write a path outside DEST', async () => {
    const dest = await world.tempDir('brp-dest-');
    for (const path of ['../outside', '/etc/outside', 'a/../../outside']) {
      await expect(writeInside(dest, new Map([[path, 'x']]))).rejects.toThrow(
        `refusing to write ${path}: it is outside the destination directory`,
      );
    }
    expect(await listFiles(dest)).toEqual([]);
  });

  it('refuses a release that is inconsistent at its commit', async () => {
    const repo = await world.repository();
    const ref = await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { 'releases/example/example-2.yml': null },
      message: 'lose a manifest',
    });
    const dest = await world.tempDir('brp-dest-');
    const run = await world.get(repo, { version: '2', pr: '', ref }, dest);
    expect(run.error?.message).toBe(
      'releases/example/index.yml lists version 2, but releases/example/example-2.yml does not exist: restore the manifest',
    );
    expect(await listFiles(dest)).toEqual([]);
  });
});

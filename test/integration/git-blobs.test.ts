// The git seam's fetch of exactly named blobs (what `in` uses): a commit's trees without blobs,
// their listing, then one fetch of the blobs asked for and nothing else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createGit } from '../../src/git/client.js';
import type { GitRemote } from '../../src/git/git.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import { git } from '../support/git.js';
import { exampleBareRepo, removeDir, tempDir } from '../support/repos.js';

const log = createLogger({ debug: false, secrets: new SecretRegistry(), write: () => undefined });
const subject = createGit({
  log,
  env: { PATH: process.env.PATH, HOME: process.env.HOME },
  retryDelayMs: 1,
});

let root: string;
let bare: string;
let remote: GitRemote;

beforeAll(async () => {
  root = await tempDir('brp-git-blobs-');
  bare = await exampleBareRepo(root);
  remote = { url: `file://${bare}`, token: undefined };
});

afterAll(async () => removeDir(root));

async function blobsIn(dir: string): Promise<string[]> {
  const all = await git(dir, ['cat-file', '--batch-check', '--batch-all-objects', '--unordered']);
  return all
    .split('\n')
    .filter((line) => line.includes(' blob '))
    .map((line) => line.split(' ')[0] ?? '')
    .sort();
}

describe('fetchCommitTree, listCommitFiles and fetchBlobs', () => {
  it('fetch the trees without a blob, then exactly the blobs named', async () => {
    const dir = join(root, 'narrow');
    const sha = await subject.fetchCommitTree({ remote, ref: 'main', dir });
    expect(sha).toBe((await git(bare, ['rev-parse', 'main'])).trim());
    expect(await blobsIn(dir)).toEqual([]);

    const listed = await subject.listCommitFiles(dir, sha, {
      paths: ['config/final.yml', '.final_builds'],
      select: (path) => path === 'config/final.yml' || path.includes('/license/'),
    });
    expect([...listed.keys()]).toEqual(['.final_builds/license/index.yml', 'config/final.yml']);
    expect(await blobsIn(dir)).toEqual([]);

    const paths = [...listed.keys()];
    const texts = await subject.fetchBlobs({
      remote,
      dir,
      blobs: paths.map((path) => listed.get(path) ?? ''),
    });
    for (const [i, path] of paths.entries()) {
      expect(texts[i]).toBe(await git(bare, ['show', `main:${path}`]));
    }
    expect(await blobsIn(dir)).toEqual([...listed.values()].sort());
    // Nothing was checked out.
    expect(await readdir(dir)).toEqual(['.git']);
  });

  it('say which fetch failed for a blob the remote does not have', async () => {
    const dir = join(root, 'missing');
    await subject.fetchCommitTree({ remote, ref: 'main', dir });
    await expect(
      subject.fetchBlobs({ remote, dir, blobs: ['0123456789abcdef0123456789abcdef01234567'] }),
    ).rejects.toThrow(`fetching the metadata files from ${remote.url}`);
  });
});

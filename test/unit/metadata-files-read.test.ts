// readMetadataFiles: the named metadata files of a directory, with readMetadataDir's refusals.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetadataFiles } from '../../src/io/metadata-dir.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brp-read-'));
  await mkdir(join(dir, '.final_builds/jobs/web'), { recursive: true });
  await writeFile(join(dir, '.final_builds/jobs/web/index.yml'), 'builds: {}\n');
  await mkdir(join(dir, 'releases'));
  await symlink('/etc', join(dir, 'releases/example'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('reads the files named, and leaves out those the directory lacks', async () => {
  const files = await readMetadataFiles(dir, [
    '.final_builds/jobs/web/index.yml',
    '.final_builds/jobs/gone/index.yml',
  ]);
  expect([...files]).toEqual([['.final_builds/jobs/web/index.yml', 'builds: {}\n']]);
});

it('refuses a symbolic link on the way', async () => {
  await expect(readMetadataFiles(dir, ['releases/example/index.yml'])).rejects.toThrow(
    /^releases\/example in .* is a symbolic link: release metadata must be regular files/,
  );
});

it.each(['../outside.yml', '.final_builds/jobs/../../../etc/index.yml', '/etc/hostname'])(
  'refuses %s, a path that is not inside the directory',
  async (path) => {
    await expect(readMetadataFiles(dir, [path])).rejects.toThrow(
      /is not a path inside .*: release metadata paths are relative$/,
    );
  },
);

// Which files of a commit `in` fetches: the pure choices of src/steps/get/release-files.ts.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  gitBlobId,
  indexesToFetch,
  listedPaths,
  releaseListing,
} from '../../src/steps/get/release-files.js';

const LISTING = [
  'config/final.yml',
  '.final_builds/jobs/web/index.yml',
  '.final_builds/packages/app/index.yml',
  '.final_builds/packages/retired/index.yml',
  '.final_builds/packages/app/notes.txt',
  '.final_builds/license/index.yml',
  'releases/example/index.yml',
  'releases/example/example-1.yml',
  'releases/example/example-2.yml',
  'releases/other/index.yml',
  'releases/other/other-2.yml',
  'releases/other/nested/other-2.yml',
];

const MANIFEST = [
  'name: example',
  'version: "2"',
  'commit_hash: 5f04a60',
  'uncommitted_changes: false',
  'jobs:',
  '- name: web',
  '  version: aaaa',
  '  fingerprint: aaaa',
  '  sha1: sha256:1111',
  '  packages:',
  '  - app',
  'packages:',
  '- name: app',
  '  version: bbbb',
  '  fingerprint: bbbb',
  '  sha1: sha256:2222',
  '  dependencies: []',
  'license:',
  '  version: cccc',
  '  fingerprint: cccc',
  '  sha1: sha256:3333',
  '',
].join('\n');

describe('releaseListing', () => {
  it("picks config/final.yml, the named release's index and manifest, and every index", () => {
    expect(releaseListing(LISTING, { name: 'example', version: '2' })).toEqual({
      small: ['config/final.yml', 'releases/example/index.yml'],
      manifests: ['releases/example/example-2.yml'],
      indexes: [
        '.final_builds/jobs/web/index.yml',
        '.final_builds/packages/app/index.yml',
        '.final_builds/packages/retired/index.yml',
        '.final_builds/license/index.yml',
      ],
    });
  });

  it('matches every release directory when the name is not known', () => {
    const listing = releaseListing(LISTING, { name: undefined, version: '2' });
    expect(listing.small).toEqual([
      'config/final.yml',
      'releases/example/index.yml',
      'releases/other/index.yml',
    ]);
    expect(listing.manifests).toEqual([
      'releases/example/example-2.yml',
      'releases/other/other-2.yml',
    ]);
  });

  it('leaves releases/ out for the empty version', () => {
    const listing = releaseListing(LISTING, { name: 'example', version: '' });
    expect(listing.small).toEqual(['config/final.yml']);
    expect(listing.manifests).toEqual([]);
  });

  it('lists the tree paths of the named release only', () => {
    expect(listedPaths('example')).toEqual([
      'config/final.yml',
      '.final_builds',
      'releases/example',
    ]);
    expect(listedPaths(undefined)).toEqual(['config/final.yml', '.final_builds', 'releases']);
  });
});

describe('indexesToFetch', () => {
  const listing = releaseListing(LISTING, { name: 'example', version: '2' });

  it('keeps the indexes the manifest references, never a retired one', () => {
    const manifests = new Map([['releases/example/example-2.yml', MANIFEST]]);
    expect(indexesToFetch(listing, manifests)).toEqual([
      '.final_builds/jobs/web/index.yml',
      '.final_builds/license/index.yml',
      '.final_builds/packages/app/index.yml',
    ]);
  });

  it('leaves a referenced index the commit lacks to the integrity check', () => {
    const without = { ...listing, indexes: listing.indexes.filter((p) => !p.includes('/jobs/')) };
    const manifests = new Map([['releases/example/example-2.yml', MANIFEST]]);
    expect(indexesToFetch(without, manifests)).not.toContain('.final_builds/jobs/web/index.yml');
  });

  it('keeps every index without a manifest to choose', () => {
    expect(indexesToFetch(listing, undefined)).toEqual(listing.indexes);
  });
});

describe('gitBlobId', () => {
  it("is git's own id of the text", () => {
    for (const text of ['', 'builds: {}\nformat-version: "2"\n', 'naïve ✓\n']) {
      const id = execFileSync('git', ['hash-object', '--stdin'], { input: text }).toString().trim();
      expect(gitBlobId(text)).toBe(id);
    }
  });
});

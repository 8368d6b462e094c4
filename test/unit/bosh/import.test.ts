// The import of every final release so far (params.import), on the example-release bundle and the
// bosh-real samples: what it carries, what it refuses, and how it lands on a base.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyImport,
  parseBuildIndex,
  readImport,
  verifyAllReleases,
  writeBuildIndex,
  writeReleaseIndex,
  type MetadataFiles,
  type RefusalReason,
} from '../../../src/bosh/index.js';
import { refusalOf } from '../../support/refusal.js';
import {
  BOSH_REAL,
  cloneExampleRelease,
  type ExampleRelease,
} from '../../support/example-release.js';

let example: ExampleRelease;
let main: Map<string, string>;
beforeAll(() => {
  example = cloneExampleRelease();
  main = example.metadataAt('origin/main');
});
afterAll(() => example.remove());

const NAME = 'example';
const RELEASE_INDEX = 'releases/example/index.yml';
const APP_INDEX = '.final_builds/packages/app/index.yml';
const LEGACY_INDEX = '.final_builds/packages/uaa_postgres-9.4.2/index.yml';

function changed(
  files: MetadataFiles,
  changes: Record<string, string | null>,
): Map<string, string> {
  const copy = new Map(files);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) copy.delete(path);
    else copy.set(path, content);
  }
  return copy;
}

function only(files: MetadataFiles, prefix: string): Map<string, string> {
  return new Map([...files].filter(([path]) => path.startsWith(prefix)));
}

/** The base of a repository that keeps its metadata in S3: only config/final.yml is in git. */
function emptyBase(): Map<string, string> {
  return only(main, 'config/');
}

describe('readImport', () => {
  it('carries every index and manifest of main byte for byte, for versions 1 and 2', () => {
    const imported = readImport(main, { releaseName: NAME });
    expect(imported).toMatchObject({
      name: NAME,
      track: 'both',
      versions: ['1', '2'],
      version: '2',
    });
    expect(imported.rewritten).toEqual([]);
    expect(imported.files).toEqual(changed(main, { 'config/final.yml': null }));
    expect([...imported.files.keys()]).toEqual([...imported.files.keys()].sort());
    expect(imported.indexes).toEqual(
      [...main.keys()]
        .filter((path) => path.startsWith('.final_builds/'))
        .sort()
        .map((path) => ({ path, builds: parseBuildIndex(main.get(path) ?? '', path).builds.size })),
    );
  });

  it('with track final_builds carries only .final_builds, but still checks every release', () => {
    const imported = readImport(main, { releaseName: NAME, track: 'final_builds' });
    expect([...imported.files.keys()].every((path) => path.startsWith('.final_builds/'))).toBe(
      true,
    );
    expect(imported.files.size).toBe(6);
    expect(imported.versions).toEqual(['1', '2']);
    const broken = changed(main, { 'releases/example/example-1.yml': null });
    expect(
      refusalOf(() => readImport(broken, { releaseName: NAME, track: 'final_builds' })),
    ).toMatchObject({ reason: 'missing-manifest' });
  });

  it('keys an import by its files and what it tracks', () => {
    const key = readImport(main, { releaseName: NAME }).key;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(readImport(new Map(main), { releaseName: NAME }).key).toBe(key);
    expect(readImport(main, { releaseName: NAME, track: 'final_builds' }).key).not.toBe(key);
    const cutA = example.metadataAt('origin/cut-a');
    expect(readImport(cutA, { releaseName: NAME }).key).not.toBe(key);
  });

  it('rewrites a legacy-format index in the canonical form, with the same entries', () => {
    const legacy = readFileSync(join(BOSH_REAL, 'uaa-release@fd52106a', LEGACY_INDEX), 'utf8');
    const imported = readImport(changed(main, { [LEGACY_INDEX]: legacy }), { releaseName: NAME });
    expect(imported.rewritten).toEqual([LEGACY_INDEX]);
    const written = imported.files.get(LEGACY_INDEX) ?? '';
    expect(written.startsWith('builds:\n')).toBe(true);
    expect(parseBuildIndex(written, LEGACY_INDEX)).toEqual(parseBuildIndex(legacy, LEGACY_INDEX));
  });

  it('rewrites an index whose keys are out of order, and keeps the manifests as they are', () => {
    const text = main.get(RELEASE_INDEX) ?? '';
    const [, first = '', second = ''] =
      /^builds:\n((?: {2}.*\n {4}.*\n))((?: {2}.*\n {4}.*\n))/.exec(text) ?? [];
    const swapped = text.replace(first + second, second + first);
    expect(swapped).not.toBe(text);
    const imported = readImport(changed(main, { [RELEASE_INDEX]: swapped }), {
      releaseName: NAME,
    });
    expect(imported.rewritten).toEqual([RELEASE_INDEX]);
    expect(imported.files.get(RELEASE_INDEX)).toBe(text);
    expect(imported.files.get('releases/example/example-2.yml')).toBe(
      main.get('releases/example/example-2.yml'),
    );
  });

  const appEntry = (
    change: (entry: { version: string; blobstoreId?: string; sha1: string }) => object,
  ) => {
    const index = parseBuildIndex(main.get(APP_INDEX) ?? '', APP_INDEX);
    const builds = new Map(
      [...index.builds].map(([fingerprint, entry], i) => [
        fingerprint,
        i === 0 ? { ...entry, ...change(entry) } : entry,
      ]),
    );
    return writeBuildIndex({ builds: builds as typeof index.builds });
  };

  it.each<[string, () => Record<string, string | null>, RefusalReason, RegExp]>([
    [
      'a listed version without its manifest',
      () => ({ 'releases/example/example-1.yml': null }),
      'missing-manifest',
      /example-1\.yml does not exist/,
    ],
    [
      'a version listed twice (2 and 2.0)',
      () => ({
        [RELEASE_INDEX]: writeReleaseIndex({
          builds: new Map([
            ['a', '1'],
            ['b', '2'],
            ['c', '2.0'],
          ]),
        }),
        'releases/example/example-2.0.yml': main.get('releases/example/example-2.yml') ?? '',
      }),
      'duplicate-version',
      /lists version 2 2 times \(2 as b, 2\.0 as c\)/,
    ],
    [
      'a build with another digest than the manifest',
      () => ({ [APP_INDEX]: appEntry(() => ({ sha1: `sha256:${'0'.repeat(64)}` })) }),
      'digest-mismatch',
      /app/,
    ],
    [
      'a build the manifest uses missing',
      () => ({ [APP_INDEX]: null }),
      'missing-build',
      /package app build/,
    ],
    [
      'an entry without a blobstore ID',
      () => ({ [APP_INDEX]: appEntry(() => ({ blobstoreId: undefined })) }),
      'malformed-entry',
      /has no blobstore_id/,
    ],
    [
      'an entry whose version is not its fingerprint',
      () => ({ [APP_INDEX]: appEntry(() => ({ version: 'f'.repeat(64) })) }),
      'malformed-entry',
      /has version f{64}, but the CLI writes the fingerprint there/,
    ],
    [
      'a manifest the index does not list',
      () => ({
        'releases/example/example-9.yml': main.get('releases/example/example-2.yml') ?? '',
      }),
      'unexpected-file',
      /example-9\.yml is not the manifest of a version/,
    ],
    [
      'another release',
      () => ({ 'releases/other/index.yml': main.get(RELEASE_INDEX) ?? '' }),
      'outside-release',
      /releases\/other\/index\.yml belongs to another release than example/,
    ],
    [
      'a YAML file in .final_builds that is not an index',
      () => ({ '.final_builds/packages/app/notes.yml': 'x: y\n' }),
      'unexpected-file',
      /notes\.yml is not a \.final_builds index/,
    ],
    [
      'no release index',
      () => ({ [RELEASE_INDEX]: null }),
      'nothing-to-import',
      /releases\/example\/index\.yml is missing in the checkout: sync releases\//,
    ],
    [
      'an empty release index',
      () => ({
        [RELEASE_INDEX]: writeReleaseIndex({ builds: new Map() }),
        'releases/example/example-1.yml': null,
        'releases/example/example-2.yml': null,
      }),
      'nothing-to-import',
      /lists no final version/,
    ],
  ])('refuses %s', (_, changes, reason, message) => {
    const refusal = refusalOf(() => readImport(changed(main, changes()), { releaseName: NAME }));
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
  });
});

describe('verifyAllReleases', () => {
  it('refuses the real uaa-release index, which lists 59 and 60 twice', () => {
    const path = 'releases/uaa/index.yml';
    const text = readFileSync(join(BOSH_REAL, 'uaa-release@fd52106a', path), 'utf8');
    expect(refusalOf(() => verifyAllReleases(new Map([[path, text]]), 'uaa'))).toMatchObject({
      reason: 'duplicate-version',
      message: expect.stringMatching(
        /^releases\/uaa\/index\.yml lists version 59 2 times \(59 as /,
      ),
    });
  });

  it('returns the releases in BOSH order', () => {
    const cutC = example.metadataAt('origin/cut-c');
    expect(verifyAllReleases(cutC, NAME).map((release) => release.version)).toEqual([
      '1',
      '2',
      '3.1.0',
    ]);
  });
});

describe('applyImport', () => {
  it('writes every imported file onto a base that tracks none of them', () => {
    const imported = readImport(main, { releaseName: NAME });
    const applied = applyImport(imported, emptyBase());
    expect(applied.files).toEqual(imported.files);
    expect(applied.keptBuilds).toBe(0);
    expect(applied.addedBuilds).toBe(
      imported.indexes.reduce((sum, index) => sum + index.builds, 0),
    );
  });

  it('refuses a base that already tracks releases/example/: normal release PRs are the way', () => {
    const imported = readImport(main, { releaseName: NAME });
    const base = changed(emptyBase(), { [RELEASE_INDEX]: main.get(RELEASE_INDEX) ?? '' });
    expect(refusalOf(() => applyImport(imported, base))).toEqual({
      reason: 'already-tracked',
      message: `the base branch already tracks releases/example/ (1 file, e.g. ${RELEASE_INDEX}): an import is only the first PR of a repository; deliver new versions with normal release PRs (without params.import)`,
    });
  });

  it('with track final_builds, refuses a base that already tracks any .final_builds index', () => {
    const imported = readImport(main, { releaseName: NAME, track: 'final_builds' });
    const base = changed(emptyBase(), { [APP_INDEX]: main.get(APP_INDEX) ?? '' });
    expect(refusalOf(() => applyImport(imported, base)).reason).toBe('already-tracked');
    // releases/ on the base does not matter to a .final_builds-only import.
    const withReleases = changed(emptyBase(), { [RELEASE_INDEX]: main.get(RELEASE_INDEX) ?? '' });
    expect(applyImport(imported, withReleases).files).toEqual(imported.files);
  });

  it('after a .final_builds-only migration, adds releases/ and only the builds the base lacks', () => {
    const cutA = example.metadataAt('origin/cut-a');
    const imported = readImport(cutA, { releaseName: NAME });
    // The base tracks main's .final_builds: cut-a's new worker and app builds are missing.
    const base = changed(only(main, '.final_builds/'), {
      'config/final.yml': main.get('config/final.yml') ?? '',
    });
    const applied = applyImport(imported, base);
    expect([...applied.files.keys()]).toEqual([
      '.final_builds/jobs/worker/index.yml',
      APP_INDEX,
      'releases/example/example-1.yml',
      'releases/example/example-2.yml',
      'releases/example/example-3.yml',
      RELEASE_INDEX,
    ]);
    expect(applied.files.get(APP_INDEX)).toBe(cutA.get(APP_INDEX));
    expect(applied.addedBuilds).toBe(2);
    expect(applied.keptBuilds).toBe(
      imported.indexes.reduce((sum, index) => sum + index.builds, 0) - 2,
    );
  });

  it('refuses a fingerprint the base has with another digest', () => {
    const imported = readImport(main, { releaseName: NAME });
    const index = parseBuildIndex(main.get(APP_INDEX) ?? '', APP_INDEX);
    const [fingerprint = '', entry] = [...index.builds][0] ?? [];
    if (entry === undefined) throw new Error('no app build');
    const other = writeBuildIndex({
      builds: new Map([[fingerprint, { ...entry, sha1: `sha256:${'1'.repeat(64)}` }]]),
    });
    const refusal = refusalOf(() =>
      applyImport(imported, changed(emptyBase(), { [APP_INDEX]: other })),
    );
    expect(refusal.reason).toBe('digest-conflict');
    expect(refusal.message).toContain(`has build ${fingerprint} with digest sha256:1111`);
  });

  it('refuses when a merged release PR delivered a version the import lacks (a stale sync)', () => {
    const imported = readImport(main, { releaseName: NAME });
    expect(
      applyImport(imported, emptyBase(), { delivered: [{ version: '2.0', by: 'PR #4' }] }).files,
    ).toEqual(imported.files);
    expect(
      refusalOf(() =>
        applyImport(imported, emptyBase(), { delivered: [{ version: '3', by: 'PR #5' }] }),
      ),
    ).toEqual({
      reason: 'version-not-found',
      message:
        'PR #5 delivered version 3, which releases/example/index.yml in the checkout does not list: sync releases/ again, then import',
    });
  });
});

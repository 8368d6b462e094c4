// Golden tests: every index file and manifest of real repositories and of every commit of the
// example-release bundle round-trips byte for byte through parse + write. The old Ruby CLI's
// files are the documented exception: they come out as the Go CLI rewrites them (the expected
// bytes are yaml.v2's own output, from test/fixtures/yaml-v2/oracle.go) with their data intact.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  parseBuildIndex,
  parseReleaseIndex,
  parseReleaseManifest,
  writeBuildIndex,
  writeReleaseIndex,
  writeReleaseManifest,
} from '../../../src/bosh/index.js';
import { tryReadCanonicalIndexFile } from '../../../src/bosh/index-file.js';
import {
  BOSH_REAL,
  cloneExampleRelease,
  walk,
  YAML_V2,
  type ExampleRelease,
} from '../../support/example-release.js';
import { gitSync } from '../../support/git.js';

type Kind = 'build-index' | 'release-index' | 'manifest';

function kindOf(path: string): Kind | undefined {
  if (/(^|\/)\.final_builds\/.+\/index\.yml$/.test(path)) return 'build-index';
  if (/(^|\/)releases\/[^/]+\/index\.yml$/.test(path)) return 'release-index';
  if (/(^|\/)releases\/[^/]+\/[^/]+\.yml$/.test(path)) return 'manifest';
  return undefined;
}

function rewrite(kind: Kind, text: string, path: string): string {
  switch (kind) {
    case 'build-index':
      return writeBuildIndex(parseBuildIndex(text, path));
    case 'release-index':
      return writeReleaseIndex(parseReleaseIndex(text, path));
    case 'manifest':
      return writeReleaseManifest(parseReleaseManifest(text, path));
  }
}

function parse(kind: Kind, text: string, path: string): unknown {
  switch (kind) {
    case 'build-index':
      return parseBuildIndex(text, path);
    case 'release-index':
      return parseReleaseIndex(text, path);
    case 'manifest':
      return parseReleaseManifest(text, path);
  }
}

// Written by the Ruby CLI; the Go CLI reformats them on its first write.
const LEGACY = new Set([
  'uaa-release@fd52106a/.final_builds/packages/uaa_postgres-9.4.2/index.yml',
  'uaa-release@fd52106a/releases/uaa/uaa-1.yml',
]);

const realFiles = walk(BOSH_REAL)
  .map((path) => relative(BOSH_REAL, path))
  .flatMap((path) => {
    const kind = kindOf(path);
    return kind === undefined
      ? []
      : [{ path, kind, text: readFileSync(join(BOSH_REAL, path), 'utf8') }];
  });
const oracleRewrites = JSON.parse(
  readFileSync(join(YAML_V2, 'rewrites.expected.json'), 'utf8'),
) as Record<string, string>;

describe('bosh-real samples', () => {
  it('finds the samples', () => {
    expect(realFiles.map((f) => f.kind).sort()).toEqual(
      expect.arrayContaining(['build-index', 'release-index', 'manifest']),
    );
    expect(realFiles.length).toBeGreaterThanOrEqual(16);
  });

  it.each(realFiles.filter((f) => !LEGACY.has(f.path)).map((f) => [f.path, f] as const))(
    '%s round-trips byte for byte',
    (_, file) => {
      expect(rewrite(file.kind, file.text, file.path)).toBe(file.text);
    },
  );

  it.each(realFiles.filter((f) => LEGACY.has(f.path)).map((f) => [f.path, f] as const))(
    'legacy %s comes out as the Go CLI rewrites it, with its data intact',
    (_, file) => {
      const written = rewrite(file.kind, file.text, file.path);
      expect(written).not.toBe(file.text);
      expect(written).toBe(oracleRewrites[file.path]);
      expect(parse(file.kind, written, file.path)).toEqual(parse(file.kind, file.text, file.path));
      expect(rewrite(file.kind, written, file.path)).toBe(written);
    },
  );

  it('agrees with yaml.v2 on every sample (oracle output)', () => {
    for (const file of realFiles) {
      expect([file.path, rewrite(file.kind, file.text, file.path)]).toEqual([
        file.path,
        oracleRewrites[file.path],
      ]);
    }
  });

  it.each(realFiles.filter((f) => f.kind !== 'manifest').map((f) => [f.path, f] as const))(
    '%s reads the same through the fast path and through the YAML parser',
    (_, file) => {
      if (!LEGACY.has(file.path)) {
        const fields =
          file.kind === 'build-index' ? ['version', 'blobstore_id', 'sha1'] : ['version'];
        expect(
          tryReadCanonicalIndexFile(file.text, fields, new Set(['blobstore_id'])),
        ).toBeDefined();
      }
      // A leading comment is valid YAML the fast path does not take.
      expect(parse(file.kind, `# via the YAML parser\n${file.text}`, file.path)).toEqual(
        parse(file.kind, file.text, file.path),
      );
    },
  );
});

describe('every commit of the example-release bundle', () => {
  let example: ExampleRelease;
  const blobs = new Map<string, { path: string; kind: Kind; commit: string }>();

  beforeAll(() => {
    example = cloneExampleRelease();
    for (const commit of gitSync(example.dir, ['rev-list', '--all']).split('\n').filter(Boolean)) {
      for (const line of gitSync(example.dir, ['ls-tree', '-r', commit])
        .split('\n')
        .filter(Boolean)) {
        const [meta, path] = line.split('\t') as [string, string];
        const blob = meta.split(' ')[2] ?? '';
        const kind = kindOf(path);
        if (kind !== undefined && !blobs.has(blob)) blobs.set(blob, { path, kind, commit });
      }
    }
  });
  afterAll(() => example.remove());

  it('holds index files and manifests of every kind in 9 commits', () => {
    expect(gitSync(example.dir, ['rev-list', '--all']).split('\n').filter(Boolean)).toHaveLength(9);
    const kinds = new Set([...blobs.values()].map((b) => b.kind));
    expect(kinds).toEqual(new Set(['build-index', 'release-index', 'manifest']));
    expect(blobs.size).toBeGreaterThan(20);
  });

  it('round-trips every version of every file byte for byte', () => {
    for (const [blob, { path, kind, commit }] of blobs) {
      const text = gitSync(example.dir, ['cat-file', 'blob', blob]);
      expect([commit, path, rewrite(kind, text, path)]).toEqual([commit, path, text]);
      if (kind !== 'manifest') {
        expect(parse(kind, `# via the YAML parser\n${text}`, path)).toEqual(
          parse(kind, text, path),
        );
      }
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  highestFinalVersion,
  verifyRelease,
  writeReleaseIndex,
  type MetadataFiles,
  type RefusalReason,
} from '../../../src/bosh/index.js';
import { refusalOf } from '../../support/refusal.js';
import {
  BOSH_REAL,
  cloneExampleRelease,
  walk,
  type ExampleRelease,
} from '../../support/example-release.js';

function sample(repo: string): Map<string, string> {
  const root = join(BOSH_REAL, repo);
  return new Map(walk(root).map((path) => [relative(root, path), readFileSync(path, 'utf8')]));
}

function verifyRefusal(files: MetadataFiles, releaseName: string, version: string) {
  return refusalOf(() => verifyRelease(files, { releaseName, version }));
}

describe('verifyRelease on the example-release bundle', () => {
  let example: ExampleRelease;
  beforeAll(() => {
    example = cloneExampleRelease();
  });
  afterAll(() => example.remove());

  it.each([
    ['main', ['1', '2']],
    ['cut-a', ['1', '2', '3']],
    ['cut-b', ['1', '2', '3']],
    ['moved', ['1', '2']],
    ['cut-c', ['1', '2', '3.1.0']],
  ])('every release on %s is complete', (branch, versions) => {
    const files = example.metadataAt(`origin/${branch}`);
    for (const version of versions) {
      const description = verifyRelease(files, { releaseName: 'example', version });
      expect(description).toMatchObject({
        name: 'example',
        version,
        manifestPath: `releases/example/example-${version}.yml`,
        jobs: 2,
        packages: 3,
        hasLicense: true,
      });
      expect(files.has(description.manifestPath)).toBe(true);
    }
    expect(highestFinalVersion(files, 'example')?.version).toBe(versions.at(-1));
  });

  it.each([
    ['4', 'version-not-found', /does not list version 4/],
    ['2.0', 'version-not-found', /does not list version 2\.0 \(it lists 2\)/],
  ] as const)('refuses version %s', (version, reason, message) => {
    const refusal = verifyRefusal(example.metadataAt('origin/main'), 'example', version);
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
  });

  it('refuses a digest that differs from the manifest', () => {
    const files = example.metadataAt('origin/main');
    const path = '.final_builds/packages/ruby/index.yml';
    files.set(path, (files.get(path) ?? '').replace('sha1: sha256:1dcf', 'sha1: sha256:0dcf'));
    const refusal = verifyRefusal(files, 'example', '2');
    expect(refusal.reason).toBe('digest-mismatch' satisfies RefusalReason);
    expect(refusal.message).toContain(path);
  });

  it('refuses a missing manifest and a BOSH-equal duplicate', () => {
    const files = example.metadataAt('origin/main');
    files.delete('releases/example/example-1.yml');
    expect(verifyRefusal(files, 'example', '1').reason).toBe('missing-manifest');
    const duplicated = example.metadataAt('origin/main');
    duplicated.set(
      'releases/example/index.yml',
      writeReleaseIndex({
        builds: new Map([
          ['a', '1'],
          ['b', '1.0'],
          ['c', '2'],
        ]),
      }),
    );
    const refusal = verifyRefusal(duplicated, 'example', '1');
    expect(refusal.reason).toBe('duplicate-version');
    expect(refusal.message).toContain('1 as a, 1.0 as b');
  });
});

describe('real anomalies', () => {
  const uaa = sample('uaa-release@fd52106a');

  it("reports uaa-release's version 59, listed twice after a merge", () => {
    const refusal = verifyRefusal(uaa, 'uaa', '59');
    expect(refusal.reason).toBe('duplicate-version');
    expect(refusal.message).toMatch(/lists version 59 2 times/);
  });

  it('reports 45.1, listed without a manifest, and does not confuse it with 45.10', () => {
    const refusal = verifyRefusal(uaa, 'uaa', '45.1');
    expect(refusal.reason).toBe('missing-manifest');
    expect(refusal.message).toContain('releases/uaa/uaa-45.1.yml');
  });

  it('finds the highest of uaa-release versions numerically', () => {
    expect(highestFinalVersion(uaa, 'uaa')?.version).toBe('77.18.0');
  });

  it("finds bpm-release's highest version", () => {
    const bpm = sample('bpm-release@7b8ec7a8');
    expect(highestFinalVersion(bpm, 'bpm')).toEqual({ id: expect.any(String), version: '1.4.38' });
  });

  it('has no highest version without a release index', () => {
    expect(highestFinalVersion(new Map(), 'x')).toBeUndefined();
    expect(verifyRefusal(new Map(), 'x', '1').reason).toBe('version-not-found');
  });
});

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../src/errors.js';
import {
  parseBuildIndex,
  parseFinalConfig,
  parseReleaseIndex,
  parseReleaseManifest,
  readFinalConfig,
  writeBuildIndex,
} from '../../../src/bosh/index.js';
import { BOSH_REAL } from '../../support/example-release.js';

const real = (path: string) => readFileSync(join(BOSH_REAL, path), 'utf8');

describe('config/final.yml', () => {
  it.each([
    ['bpm-release@7b8ec7a8', 'bpm', 'gcs'],
    ['bosh-dns-release@06f62a91', 'bosh-dns', 'gcs'],
    ['uaa-release@fd52106a', 'uaa', 's3'],
    ['garden-runc-release@2623da75', 'garden-runc', 's3'],
  ])('%s names the release %s', (repo, name, provider) => {
    expect(parseFinalConfig(real(`${repo}/config/final.yml`))).toEqual({
      name,
      blobstoreProvider: provider,
    });
  });

  it.each([
    ['name: a\nfinal_name: a\n', /config\/final\.yml has both name and final_name/],
    ['blobstore:\n  provider: s3\n', /config\/final\.yml has no release name/],
    ['name: ""\nfinal_name: ~\n', /has no release name/],
    ['- name: a\n', /config\/final\.yml: the document must be a mapping/],
    ['name: [a\n', /config\/final\.yml is not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseFinalConfig(text)).toThrow(UserError);
    expect(() => parseFinalConfig(text)).toThrow(message);
  });

  it('reads the name from a set of files, and names the file when it is missing', () => {
    expect(readFinalConfig(new Map([['config/final.yml', 'final_name: x\n']])).name).toBe('x');
    expect(() => readFinalConfig(new Map())).toThrow(/config\/final\.yml is missing/);
  });
});

const PATH = '.final_builds/packages/p/index.yml';
const FP40 = '51f19d2b171aff15ce440bb5b03d89557d2216c0';
const FP64 = '39d18ab677b1df47f1d94aa01fbc63c16a34bbd9090c94282d8f3040a4c6cc4c';
const SHA256 = 'sha256:ff564ca72e714d99215f8a6984464eea52ecf9f5515607a469ec1da0ea655354';

describe('.final_builds index', () => {
  it('reads 40- and 64-hex fingerprints, bare sha1, sha256: and multi-digests as opaque strings', () => {
    const text = [
      'builds:',
      `  ${FP64}:`,
      `    version: ${FP64}`,
      '    blobstore_id: 743d75d8-4426-4c17-46e1-86cd0b27f4bd',
      `    sha1: ${SHA256};sha1:6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a`,
      `  ${FP40}:`,
      `    version: ${FP40}`,
      '    blobstore_id: f3a57a1f-bd3c-4bd4-b0ad-65f49b814512',
      '    sha1: 6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a',
      'format-version: "2"',
      '',
    ].join('\n');
    const index = parseBuildIndex(text, PATH);
    expect([...index.builds]).toEqual([
      [
        FP64,
        {
          version: FP64,
          blobstoreId: '743d75d8-4426-4c17-46e1-86cd0b27f4bd',
          sha1: `${SHA256};sha1:6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a`,
        },
      ],
      [
        FP40,
        {
          version: FP40,
          blobstoreId: 'f3a57a1f-bd3c-4bd4-b0ad-65f49b814512',
          sha1: '6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a',
        },
      ],
    ]);
    expect(writeBuildIndex(index)).toBe(text);
  });

  it('reads the Ruby CLI format: ---, other field order, single quotes, !binary values', () => {
    const binary = (s: string) => Buffer.from(s).toString('base64');
    const text = [
      '---',
      "format-version: '2'",
      'builds:',
      `  ${FP40}:`,
      `    sha1: !binary |-`,
      `      ${binary('6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a')}`,
      `    version: !!binary ${binary(FP40)}`,
      "    blobstore_id: 'f3a57a1f-bd3c-4bd4-b0ad-65f49b814512'",
      '',
    ].join('\n');
    expect(parseBuildIndex(text, PATH).builds.get(FP40)).toEqual({
      version: FP40,
      blobstoreId: 'f3a57a1f-bd3c-4bd4-b0ad-65f49b814512',
      sha1: '6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a',
    });
    expect(writeBuildIndex(parseBuildIndex(text, PATH))).toBe(
      [
        'builds:',
        `  ${FP40}:`,
        `    version: ${FP40}`,
        '    blobstore_id: f3a57a1f-bd3c-4bd4-b0ad-65f49b814512',
        '    sha1: 6291f5b40bdd0ac35758936f6ff0d5b59a4e7b2a',
        'format-version: "2"',
        '',
      ].join('\n'),
    );
  });

  it('keeps an entry without a blobstore ID without one (dev-build style)', () => {
    const text = `builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: abc\nformat-version: "2"\n`;
    expect(parseBuildIndex(text, PATH).builds.get(FP40)).toEqual({ version: FP40, sha1: 'abc' });
    expect(writeBuildIndex(parseBuildIndex(text, PATH))).toBe(text);
  });

  it.each([
    ['builds: [a\n', /is not valid YAML/],
    [
      `builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: a\n  ${FP40}:\n    version: ${FP40}\n    sha1: b\nformat-version: "2"\n`,
      /is not valid YAML \(duplicated mapping key/,
    ],
    [
      `builds:\n  ${FP40}:\n    version: ${FP40}\n    blobstore_id: x\nformat-version: "2"\n`,
      /builds\.51f19d2b171aff15ce440bb5b03d89557d2216c0\.sha1 is missing/,
    ],
    [`builds:\n  ${FP40}:\n    sha1: x\nformat-version: "2"\n`, /\.version is missing/],
    [
      `builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: ~\nformat-version: "2"\n`,
      /\.sha1 is missing or empty/,
    ],
    [
      `builds:\n  ${FP40}:\n    version: [a]\n    sha1: x\nformat-version: "2"\n`,
      /\.version must be a string/,
    ],
    [`builds:\n  ${FP40}:\nformat-version: "2"\n`, /is empty/],
    [`builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: x\n`, /format-version is missing/],
    [
      `builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: x\nformat-version: "1"\n`,
      /format-version is "1", expected "2"/,
    ],
    ['format-version: "2"\n', /builds is missing/],
    ['', /is not valid YAML/],
    ['- a\n', /the document must be a mapping/],
    ['builds:\n  ? [a]\n  : x\nformat-version: "2"\n', /key that is not a string/],
  ])('refuses %j naming the file', (text, message) => {
    expect(() => parseBuildIndex(text, PATH)).toThrow(UserError);
    expect(() => parseBuildIndex(text, PATH)).toThrow(message);
    expect(() => parseBuildIndex(text, PATH)).toThrow(PATH);
  });

  it('reads empty strings the same through both readers', () => {
    const empty = `builds:\n  ${FP40}:\n    version: ${FP40}\n    blobstore_id: ""\n    sha1: x\nformat-version: "2"\n`;
    expect(parseBuildIndex(empty, PATH).builds.get(FP40)).toEqual({ version: FP40, sha1: 'x' });
    expect(parseBuildIndex(`# x\n${empty}`, PATH)).toEqual(parseBuildIndex(empty, PATH));
    const noDigest = `builds:\n  ${FP40}:\n    version: ${FP40}\n    sha1: ""\nformat-version: "2"\n`;
    expect(() => parseBuildIndex(noDigest, PATH)).toThrow(/sha1 is missing or empty/);
    const noVersion = 'builds:\n  a:\n    version: ""\nformat-version: "2"\n';
    expect(() => parseReleaseIndex(noVersion, 'releases/x/index.yml')).toThrow(
      /version is missing/,
    );
  });

  it('reads an index without builds the same through both readers', () => {
    for (const text of ['builds:\nformat-version: "2"\n', 'builds: {}\nformat-version: "2"\n']) {
      expect(parseBuildIndex(text, PATH).builds.size).toBe(0);
      expect(parseBuildIndex(`# x\n${text}`, PATH).builds.size).toBe(0);
    }
    expect(writeBuildIndex({ builds: new Map() })).toBe('builds: {}\nformat-version: "2"\n');
  });

  it('notices every truncation of a real index (or reads the same data)', () => {
    const path = 'bpm-release@7b8ec7a8/.final_builds/packages/tini/index.yml';
    const text = real(path);
    const whole = parseBuildIndex(text, path);
    let refused = 0;
    for (let length = 0; length < text.length; length++) {
      const truncated = text.slice(0, length);
      try {
        expect(parseBuildIndex(truncated, path)).toEqual(whole);
        expect(truncated).toBe(text.slice(0, -1));
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toContain(path);
        refused++;
      }
    }
    expect(refused).toBe(text.length - 1);
  });
});

describe('release index', () => {
  it('reads every version as a string: 45.1 and 45.10 stay apart, 1.10 is not 1.1', () => {
    const text =
      'builds:\n  a:\n    version: "45.1"\n  b:\n    version: "45.10"\n  c:\n    version: 1.10\n  d:\n    version: 0e21678\nformat-version: "2"\n';
    expect([...parseReleaseIndex(text, 'releases/x/index.yml').builds.values()]).toEqual([
      '45.1',
      '45.10',
      '1.10',
      '0e21678',
    ]);
  });

  it("reads uaa-release's real index with 59 and 60 listed twice", () => {
    const index = parseReleaseIndex(real('uaa-release@fd52106a/releases/uaa/index.yml'), 'uaa');
    const versions = [...index.builds.values()];
    expect(versions.filter((v) => v === '59')).toHaveLength(2);
    expect(versions.filter((v) => v === '60')).toHaveLength(2);
    expect(versions).toContain('66.0');
    expect(versions).toContain('74.20.0');
    expect(index.builds.size).toBe(versions.length);
  });
});

describe('release manifest', () => {
  it('reads a modern manifest', () => {
    const manifest = parseReleaseManifest(
      real('bpm-release@7b8ec7a8/releases/bpm/bpm-1.4.38.yml'),
      'bpm-1.4.38.yml',
    );
    expect(manifest).toMatchObject({
      name: 'bpm',
      version: '1.4.38',
      commitHash: 'ff968ca5',
      uncommittedChanges: false,
      license: { fingerprint: '39d18ab677b1df47f1d94aa01fbc63c16a34bbd9090c94282d8f3040a4c6cc4c' },
    });
    expect(manifest.jobs.map((j) => [j.name, j.packages])).toEqual([
      ['bpm', ['bpm']],
      ['test-errand', []],
      ['test-server', ['test-server']],
    ]);
    expect(manifest.packages.find((p) => p.name === 'bpm')?.dependencies).toEqual([
      'golang-1-linux',
      'bpm-runc',
      'tini',
    ]);
    expect(manifest.noCompression).toBeUndefined();
  });

  it('reads the Ruby CLI manifest of uaa 1 (---, other key order, quoted version)', () => {
    const manifest = parseReleaseManifest(real('uaa-release@fd52106a/releases/uaa/uaa-1.yml'), 'x');
    expect(manifest).toMatchObject({ name: 'uaa', version: '1', commitHash: 'bd0a2384' });
    expect(manifest.jobs.map((j) => j.name)).toEqual(['uaa_postgres', 'uaa']);
    expect(manifest.jobs[0]?.packages).toBeUndefined();
    expect(manifest.license).toBeUndefined();
  });

  it('reads an all-digit quoted commit hash as a string', () => {
    expect(
      parseReleaseManifest(real('uaa-release@fd52106a/releases/uaa/uaa-59.yml'), 'x').commitHash,
    ).toBe('9544761');
  });

  it('decodes !binary digests the Ruby CLI wrote', () => {
    const sha1 = Buffer.from('820fefe6d744b6b77b8ba69340df233f3f983f13').toString('base64');
    const text = `---\nname: x\nversion: '2'\njobs:\n- name: j\n  version: f\n  fingerprint: f\n  sha1: !binary |-\n    ${sha1}\n`;
    expect(parseReleaseManifest(text, 'x').jobs[0]?.sha1).toBe(
      '820fefe6d744b6b77b8ba69340df233f3f983f13',
    );
  });

  it.each([
    ['true', true],
    ['yes', true],
    ['false', false],
    ['off', false],
  ])('reads uncommitted_changes: %s', (text, value) => {
    expect(
      parseReleaseManifest(`name: x\nversion: "1"\nuncommitted_changes: ${text}\n`, 'x')
        .uncommittedChanges,
    ).toBe(value);
  });

  it.each([
    ['name: x\n', /x\.yml: version is missing/],
    [
      'name: x\nversion: "1"\nuncommitted_changes: maybe\n',
      /uncommitted_changes must be true or false/,
    ],
    [
      'name: x\nversion: "1"\njobs:\n- name: a\n  version: f\n  fingerprint: f\n  sha1: s\n- version: f\n',
      /jobs\[1\]\.name is missing/,
    ],
    [
      'name: x\nversion: "1"\npackages:\n- name: a\n  version: f\n  fingerprint: f\n  sha1: s\n  dependencies: [~]\n',
      /packages\[0\]\.dependencies\[0\] must be a non-empty string/,
    ],
    ['name: x\nversion: "1"\njobs: {}\n', /jobs must be a list/],
    [
      'name: x\nversion: "1"\nlicense:\n  version: f\n  fingerprint: f\n',
      /license\.sha1 is missing/,
    ],
    [
      'name: x\nversion: "1"\njobs:\n- name: a\n  version: f\n  fingerpr',
      /jobs\[0\]\.fingerprint is missing|is not valid YAML/,
    ],
  ])('refuses %j naming the file and field', (text, message) => {
    expect(() => parseReleaseManifest(text, 'releases/x/x.yml')).toThrow(UserError);
    expect(() => parseReleaseManifest(text, 'releases/x/x.yml')).toThrow(message);
  });
});

// The race of docs/bosh-metadata.md, file by file: what git does with two cuts from one base, and
// what the semantic rebase does instead. Synthetic cuts on real data (bpm-release's 4-entry tini
// index, where false textual conflicts are most frequent).
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectRelease,
  parseBuildIndex,
  rebaseRelease,
  verifyRelease,
  writeBuildIndex,
  writeReleaseIndex,
  writeReleaseManifest,
  type BuildEntry,
  type Release,
} from '../../../src/bosh/index.js';
import { refusalOf } from '../../support/refusal.js';
import { BOSH_REAL } from '../../support/example-release.js';
import { gitSync } from '../../support/git.js';

const TINI = '.final_builds/packages/tini/index.yml';
const JOB = '.final_builds/jobs/demo/index.yml';
const INDEX = 'releases/demo/index.yml';
const tiniText = readFileSync(join(BOSH_REAL, 'bpm-release@7b8ec7a8', TINI), 'utf8');
const OLD_TINI = 'a810420469a10080f375a4c062464f59374501791b1ac6143cc059ad54b20f75';
const JOB_FP = 'd'.repeat(64);

const digest = (seed: string) => `sha256:${createHash('sha256').update(seed).digest('hex')}`;
const fingerprint = (prefix: string) =>
  prefix + createHash('sha256').update(prefix).digest('hex').slice(prefix.length);
const entry = (fp: string, seed: string, blob = `${seed}-blob`): BuildEntry => ({
  version: fp,
  blobstoreId: blob,
  sha1: digest(seed),
});

function withEntries(text: string, entries: Record<string, BuildEntry>): string {
  const builds = new Map(parseBuildIndex(text, 'x').builds);
  for (const [fp, e] of Object.entries(entries)) builds.set(fp, e);
  return writeBuildIndex({ builds });
}

function manifestText(version: string, tini: string, tiniSha: string): string {
  const ref = (name: string, fp: string, sha1: string) => ({
    name,
    version: fp,
    fingerprint: fp,
    sha1,
  });
  return writeReleaseManifest({
    name: 'demo',
    version,
    commitHash: '1234abc',
    uncommittedChanges: false,
    jobs: [{ ...ref('demo', JOB_FP, digest('job')), packages: ['tini'] }],
    packages: [{ ...ref('tini', tini, tiniSha), dependencies: [] }],
    compiledPackages: [],
  });
}

// The commit the cuts are made from: release 1 uses the job and the old tini build.
const S = new Map([
  ['config/final.yml', 'name: demo\n'],
  [TINI, tiniText],
  [JOB, writeBuildIndex({ builds: new Map([[JOB_FP, entry(JOB_FP, 'job')]]) })],
  [INDEX, writeReleaseIndex({ builds: new Map([['11111111-0000-4000-8000-000000000001', '1']]) })],
  [
    'releases/demo/demo-1.yml',
    manifestText(
      '1',
      OLD_TINI,
      'sha256:0d30214231c0bb244d671b0a404467dbfda0c8d53a1c80d7e33cc420f41f3d8f',
    ),
  ],
]);

const NEW_TINI = fingerprint('6');
const VENDORED_TINI = fingerprint('7');

/** Release 2 cut from S: a new tini build, a new release index entry, the manifest. */
function cut(
  version = '2',
  tiniEntry = entry(NEW_TINI, 'tini-new'),
  id = '22222222-0000-4000-8000-000000000002',
): Release {
  const checkout = new Map(S);
  checkout.set(TINI, withEntries(tiniText, { [tiniEntry.version]: tiniEntry }));
  checkout.set(
    INDEX,
    writeReleaseIndex({
      builds: new Map([
        ['11111111-0000-4000-8000-000000000001', '1'],
        [id, version],
      ]),
    }),
  );
  checkout.set(
    `releases/demo/demo-${version}.yml`,
    manifestText(version, tiniEntry.version, tiniEntry.sha1),
  );
  const changedPaths = [...checkout.keys()].filter((p) => checkout.get(p) !== S.get(p));
  return detectRelease({
    base: S,
    checkout,
    releaseName: 'demo',
    changedPaths,
    allowUncommitted: false,
  });
}

/** Runs git's own three-way merge of one file; true when git reports a conflict. */
function gitConflicts(base: string, ours: string, theirs: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'bosh-merge-'));
  try {
    for (const [name, text] of [
      ['base', base],
      ['ours', ours],
      ['theirs', theirs],
    ] as const) {
      writeFileSync(join(dir, name), text);
    }
    try {
      gitSync(dir, ['merge-file', '-p', 'ours', 'base', 'theirs']);
      return false;
    } catch (error) {
      if ((error as { status?: number }).status === 1) return true;
      throw error;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the release cut from S', () => {
  it('is version 2 with one new tini build', () => {
    const release = cut();
    expect(release.version).toBe('2');
    expect(release.newBuilds.map((b) => [b.indexPath, b.fingerprint])).toEqual([[TINI, NEW_TINI]]);
  });

  it('applies onto S itself as the CLI wrote it', () => {
    const release = cut();
    const files = rebaseRelease(release, S).files;
    expect(files.get(TINI)).toBe(
      withEntries(tiniText, { [NEW_TINI]: entry(NEW_TINI, 'tini-new') }),
    );
    expect([...files.keys()]).toEqual([TINI, 'releases/demo/demo-2.yml', INDEX]);
  });
});

describe('the race table', () => {
  it('.final_builds key on one side only: a false conflict for git, a union here', () => {
    const release = cut();
    const base = new Map(S);
    base.set(TINI, withEntries(tiniText, { [VENDORED_TINI]: entry(VENDORED_TINI, 'vendored') }));
    const rebased = rebaseRelease(release, base);
    const merged = rebased.files.get(TINI) ?? '';
    const theirs = withEntries(tiniText, { [NEW_TINI]: entry(NEW_TINI, 'tini-new') });
    expect(gitConflicts(tiniText, base.get(TINI) ?? '', theirs)).toBe(true);
    expect(merged).toBe(
      withEntries(tiniText, {
        [VENDORED_TINI]: entry(VENDORED_TINI, 'vendored'),
        [NEW_TINI]: entry(NEW_TINI, 'tini-new'),
      }),
    );
    expect([...parseBuildIndex(merged, TINI).builds.keys()]).toEqual(
      [...parseBuildIndex(merged, TINI).builds.keys()].sort(),
    );
    expect(parseBuildIndex(merged, TINI).builds.size).toBe(6);
    expect(
      verifyRelease(new Map([...base, ...rebased.files]), { releaseName: 'demo', version: '2' })
        .packages,
    ).toBe(1);
  });

  it('same key, identical entry: safe, the base file is left as it is', () => {
    const release = cut();
    const base = new Map(S);
    base.set(TINI, withEntries(tiniText, { [NEW_TINI]: entry(NEW_TINI, 'tini-new') }));
    const rebased = rebaseRelease(release, base);
    expect(rebased.files.has(TINI)).toBe(false);
    expect(rebased.keptBuilds.map((b) => b.fingerprint)).toEqual([NEW_TINI]);
  });

  it("same key, same digest, other blobstore ID: a conflict for git, safe here (the base's entry is kept)", () => {
    const release = cut();
    const base = new Map(S);
    const theirs = entry(NEW_TINI, 'tini-new', 'another-blob');
    base.set(TINI, withEntries(tiniText, { [NEW_TINI]: theirs }));
    expect(
      gitConflicts(
        tiniText,
        base.get(TINI) ?? '',
        withEntries(tiniText, { [NEW_TINI]: entry(NEW_TINI, 'tini-new') }),
      ),
    ).toBe(true);
    const rebased = rebaseRelease(release, base);
    expect(rebased.files.has(TINI)).toBe(false);
    const merged = new Map([...base, ...rebased.files]);
    expect(parseBuildIndex(merged.get(TINI) ?? '', TINI).builds.get(NEW_TINI)?.blobstoreId).toBe(
      'another-blob',
    );
    expect(verifyRelease(merged, { releaseName: 'demo', version: '2' }).version).toBe('2');
  });

  it('same key, different digest (two independent builds): refused', () => {
    const release = cut();
    const base = new Map(S);
    base.set(TINI, withEntries(tiniText, { [NEW_TINI]: entry(NEW_TINI, 'another-build') }));
    expect(refusalOf(() => rebaseRelease(release, base)).reason).toBe('digest-conflict');
  });

  it('the version under two random keys: git merges cleanly, refused here', () => {
    const first = cut('2', entry(NEW_TINI, 'tini-new'), '00000000-0000-4000-8000-000000000002');
    const second = cut('2', entry(NEW_TINI, 'tini-new'), '33333333-0000-4000-8000-000000000003');
    const merged = new Map([...S, ...rebaseRelease(first, S).files]);
    const theirs = writeReleaseIndex({
      builds: new Map([
        ['11111111-0000-4000-8000-000000000001', '1'],
        ['33333333-0000-4000-8000-000000000003', '2'],
      ]),
    });
    expect(gitConflicts(S.get(INDEX) ?? '', merged.get(INDEX) ?? '', theirs)).toBe(false);
    expect(refusalOf(() => rebaseRelease(second, merged)).reason).toBe('duplicate-version');
  });

  it('a BOSH-equal version on the base (2.0 for 2): refused', () => {
    const base = new Map(S);
    base.set(
      INDEX,
      writeReleaseIndex({
        builds: new Map([
          ['11111111-0000-4000-8000-000000000001', '1'],
          ['44444444-0000-4000-8000-000000000004', '2.0'],
        ]),
      }),
    );
    expect(() => rebaseRelease(cut(), base)).toThrow(
      /version 2 is already on the base branch \(as 2\.0\)/,
    );
  });

  it('the manifest already on the base: refused', () => {
    const base = new Map(S);
    base.set('releases/demo/demo-2.yml', 'name: demo\n');
    expect(refusalOf(() => rebaseRelease(cut(), base)).reason).toBe('manifest-exists');
  });

  it('the release index ID taken on the base for another version: refused', () => {
    const base = new Map(S);
    base.set(
      INDEX,
      writeReleaseIndex({ builds: new Map([['22222222-0000-4000-8000-000000000002', '1.5']]) }),
    );
    expect(refusalOf(() => rebaseRelease(cut(), base)).reason).toBe('release-id-conflict');
  });

  it('an entry the release uses, changed on the base: refused', () => {
    const base = new Map(S);
    base.set(JOB, writeBuildIndex({ builds: new Map([[JOB_FP, entry(JOB_FP, 'rebuilt')]]) }));
    expect(refusalOf(() => rebaseRelease(cut(), base)).reason).toBe('base-changed-build');
  });

  it('an entry the release uses, moved to another blob on the base with the same digest: safe', () => {
    const base = new Map(S);
    base.set(
      JOB,
      writeBuildIndex({ builds: new Map([[JOB_FP, entry(JOB_FP, 'job', 'moved-blob')]]) }),
    );
    expect(rebaseRelease(cut(), base).files.has(JOB)).toBe(false);
  });
});

describe('writing the base', () => {
  const legacyTini = [
    '---',
    'builds:',
    `  ${OLD_TINI}:`,
    `    version: ${OLD_TINI}`,
    `    sha1: 'sha256:0d30214231c0bb244d671b0a404467dbfda0c8d53a1c80d7e33cc420f41f3d8f'`,
    '    blobstore_id: 7205fc4a-b8f3-4fa3-5017-551cd936c18a',
    "format-version: '2'",
    '',
  ].join('\n');

  it('rewrites a non-canonical index canonically only when it must insert into it', () => {
    const base = new Map(S);
    base.set(TINI, legacyTini);
    const legacyJob = `---\n${S.get(JOB) ?? ''}`;
    base.set(JOB, legacyJob);
    const files = rebaseRelease(cut(), base).files;
    expect(files.has(JOB)).toBe(false);
    expect(files.get(TINI)).toBe(
      writeBuildIndex({
        builds: new Map([
          [OLD_TINI, parseBuildIndex(legacyTini, TINI).builds.get(OLD_TINI) as BuildEntry],
          [NEW_TINI, entry(NEW_TINI, 'tini-new')],
        ]),
      }),
    );
    expect(files.get(TINI)).toMatch(/^builds:\n {2}6/);
  });

  it('writes only .final_builds while releases/ is not tracked yet', () => {
    const base = new Map([...S].filter(([path]) => !path.startsWith('releases/')));
    const rebased = rebaseRelease(cut(), base, { track: 'final_builds' });
    expect([...rebased.files.keys()]).toEqual([TINI]);
  });

  it('creates the index of a new package', () => {
    const release = cut();
    const base = new Map(S);
    // A base without the tini index: the new build goes into a new file.
    base.delete(TINI);
    const rebased = rebaseRelease(release, base);
    expect(rebased.files.get(TINI)).toBe(
      writeBuildIndex({ builds: new Map([[NEW_TINI, entry(NEW_TINI, 'tini-new')]]) }),
    );
  });
});

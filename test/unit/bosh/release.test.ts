// Scenarios on the example-release bundle, made by the real bosh CLI (see its README.md): the
// checkout is a working copy at the commit a cut was made from with the cut's files laid over
// it, and a base is a branch tip, both read with real git.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  detectRelease,
  parseBuildIndex,
  rebaseRelease,
  verifyRelease,
  type DetectReleaseOptions,
  type RefusalReason,
  type Release,
} from '../../../src/bosh/index.js';
import { refusalOf } from '../../support/refusal.js';
import {
  cloneExampleRelease,
  type Checkout,
  type ExampleRelease,
} from '../../support/example-release.js';
import { gitSync } from '../../support/git.js';

let example: ExampleRelease;
beforeAll(() => {
  example = cloneExampleRelease();
});
afterAll(() => example.remove());

const NAME = 'example';
const WORKER_INDEX = '.final_builds/jobs/worker/index.yml';
const APP_INDEX = '.final_builds/packages/app/index.yml';
const NGINX_INDEX = '.final_builds/packages/nginx/index.yml';
const RELEASE_INDEX = 'releases/example/index.yml';

function detectionOf(checkout: Checkout): DetectReleaseOptions {
  return {
    base: example.metadataAt(checkout.from),
    checkout: checkout.files,
    releaseName: NAME,
    changedPaths: checkout.changedPaths,
    allowUncommitted: false,
  };
}

function detectCut(cut: string): Release {
  return detectRelease(detectionOf(example.checkoutOf(cut)));
}

/** The files that differ between two revisions, with their content at the second. */
function changedFiles(from: string, to: string): Map<string, string> {
  const after = example.metadataAt(to);
  const paths = gitSync(example.dir, ['diff', '--name-only', from, to]).split('\n').filter(Boolean);
  return new Map(paths.map((path) => [path, after.get(path) ?? '']));
}

/** Files of a base with a rebase's output applied. */
function applied(base: Map<string, string>, files: ReadonlyMap<string, string>) {
  return new Map([...base, ...files]);
}

describe('detecting the release in a checkout', () => {
  it('finds cut-a: version 3, the new worker and app builds, its source commit', () => {
    const checkout = example.checkoutOf('cut-a');
    expect(checkout.changedPaths).toEqual(
      [WORKER_INDEX, APP_INDEX, 'releases/example/example-3.yml', RELEASE_INDEX].sort(),
    );
    const release = detectRelease(detectionOf(checkout));
    expect(release).toMatchObject({
      name: NAME,
      version: '3',
      manifestPath: 'releases/example/example-3.yml',
      sourceCommit: gitSync(example.dir, ['rev-parse', '--short=7', 'origin/main']).trim(),
      releaseIndexEntry: { version: '3' },
    });
    expect(release.manifestText).toBe(checkout.files.get('releases/example/example-3.yml'));
    expect(release.manifest.jobs.map((j) => j.name)).toEqual(['web', 'worker']);
    expect(release.newBuilds.map((b) => [b.indexPath, b.kind, b.name])).toEqual([
      [WORKER_INDEX, 'job', 'worker'],
      [APP_INDEX, 'package', 'app'],
    ]);
    const cutA = example.metadataAt('origin/cut-a');
    for (const build of release.newBuilds) {
      expect(
        parseBuildIndex(cutA.get(build.indexPath) ?? '', build.indexPath).builds.get(
          build.fingerprint,
        ),
      ).toEqual(build.entry);
    }
    const index = cutA.get(RELEASE_INDEX) ?? '';
    expect(index).toContain(`  ${release.releaseIndexEntry.id}:\n    version: "3"\n`);
    expect(release.releaseKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives each cut its own key, even cut-a and cut-b with byte-identical manifests', () => {
    const a = detectCut('cut-a');
    const b = detectCut('cut-b');
    const c = detectCut('cut-c');
    expect(b.manifestText).toBe(a.manifestText);
    expect(b.releaseIndexEntry.id).not.toBe(a.releaseIndexEntry.id);
    expect(b.releaseKey).not.toBe(a.releaseKey);
    expect(c.releaseKey).not.toBe(a.releaseKey);
    expect(detectCut('cut-a').releaseKey).toBe(a.releaseKey);
    expect(c).toMatchObject({
      version: '3.1.0',
      sourceCommit: gitSync(example.dir, ['rev-parse', '--short=7', 'origin/moved']).trim(),
    });
    expect(c.newBuilds.map((n) => n.indexPath)).toEqual([WORKER_INDEX, APP_INDEX, NGINX_INDEX]);
  });
});

describe('every final release commit of the bundle', () => {
  it('is detected against its parent and rebuilt byte for byte by the rebase', () => {
    const commits = gitSync(example.dir, [
      'log',
      '--all',
      '--format=%H %s',
      '--grep=^Final release',
    ])
      .split('\n')
      .filter(Boolean);
    expect(commits).toHaveLength(5);
    for (const line of commits) {
      const [commit = '', ...subject] = line.split(' ');
      const parent = `${commit}^`;
      const changedPaths = gitSync(example.dir, ['diff', '--name-only', parent, commit])
        .split('\n')
        .filter(Boolean);
      const base = example.metadataAt(parent);
      const release = detectRelease({
        base,
        checkout: example.metadataAt(commit),
        releaseName: NAME,
        changedPaths,
        allowUncommitted: false,
      });
      expect(subject.join(' ')).toContain(`Final release ${release.version}`);
      expect(release.sourceCommit).toBe(
        gitSync(example.dir, ['rev-parse', '--short=7', parent]).trim(),
      );
      expect([commit, rebaseRelease(release, base).files]).toEqual([
        commit,
        changedFiles(parent, commit),
      ]);
    }
  });
});

describe('applying onto the base branch', () => {
  it('cut-a onto main: exactly the files of cut-a', () => {
    const release = detectCut('cut-a');
    const base = example.metadataAt('origin/main');
    const rebased = rebaseRelease(release, base);
    expect(rebased.files).toEqual(changedFiles('origin/main', 'origin/cut-a'));
    expect(rebased.addedBuilds).toHaveLength(2);
    expect(rebased.keptBuilds).toHaveLength(0);
    expect(
      verifyRelease(applied(base, rebased.files), { releaseName: NAME, version: '3' }),
    ).toMatchObject({
      manifestPath: 'releases/example/example-3.yml',
      jobs: 2,
      packages: 3,
      hasLicense: true,
    });
  });

  it('cut-b after cut-a merged: refused as a duplicate of version 3', () => {
    const release = detectCut('cut-b');
    const refusal = refusalOf(() => rebaseRelease(release, example.metadataAt('origin/cut-a')));
    expect(refusal.reason).toBe('duplicate-version');
    expect(refusal.message).toMatch(/version 3 is already on the base branch/);
  });

  it('cut-c onto moved: exactly the files of cut-c', () => {
    const release = detectCut('cut-c');
    const rebased = rebaseRelease(release, example.metadataAt('origin/moved'));
    expect(rebased.files).toEqual(changedFiles('origin/moved', 'origin/cut-c'));
    expect(rebased.files.has(NGINX_INDEX)).toBe(true);
  });

  it('cut-a onto moved: accepted, the base untouched where the release adds nothing', () => {
    const release = detectCut('cut-a');
    const base = example.metadataAt('origin/moved');
    const rebased = rebaseRelease(release, base);
    expect(rebased.files).toEqual(changedFiles('origin/main', 'origin/cut-a'));
    expect(rebased.files.has(NGINX_INDEX)).toBe(false);
    expect(
      verifyRelease(applied(base, rebased.files), { releaseName: NAME, version: '3' }).version,
    ).toBe('3');
  });

  it("cut-a onto cut-c (the base gained 3.1.0 with a new nginx build and the same worker and app builds): the base's entries are kept", () => {
    const release = detectCut('cut-a');
    const base = example.metadataAt('origin/cut-c');
    const rebased = rebaseRelease(release, base);
    expect([...rebased.files.keys()]).toEqual(['releases/example/example-3.yml', RELEASE_INDEX]);
    expect(rebased.keptBuilds.map((b) => b.indexPath)).toEqual([WORKER_INDEX, APP_INDEX]);
    expect(rebased.addedBuilds).toHaveLength(0);
    const index = rebased.files.get(RELEASE_INDEX) ?? '';
    expect(index).toContain('version: 3.1.0');
    expect(index).toContain('version: "3"');
    const merged = applied(base, rebased.files);
    expect(merged.get(NGINX_INDEX)).toBe(base.get(NGINX_INDEX));
    expect(verifyRelease(merged, { releaseName: NAME, version: '3' }).version).toBe('3');
    expect(verifyRelease(merged, { releaseName: NAME, version: '3.1.0' }).version).toBe('3.1.0');
  });

  it('cut-c onto main (the base never had the nginx packaging change): accepted with the new nginx build', () => {
    const release = detectCut('cut-c');
    const rebased = rebaseRelease(release, example.metadataAt('origin/main'));
    expect(rebased.addedBuilds.map((b) => b.name)).toEqual(['worker', 'app', 'nginx']);
  });

  it('refuses a base that built the same fingerprint with another digest', () => {
    const release = detectCut('cut-a');
    const base = example.metadataAt('origin/cut-b');
    const app = base.get(APP_INDEX) ?? '';
    base.set(APP_INDEX, app.replace('sha256:bf9d94d8', 'sha256:00000000'));
    base.set(RELEASE_INDEX, example.metadataAt('origin/main').get(RELEASE_INDEX) ?? '');
    base.delete('releases/example/example-3.yml');
    const refusal = refusalOf(() => rebaseRelease(release, base));
    expect(refusal.reason).toBe('digest-conflict');
    expect(refusal.message).toContain(APP_INDEX);
  });

  it('refuses a base that removed a build the release uses', () => {
    const release = detectCut('cut-a');
    const base = example.metadataAt('origin/main');
    base.delete('.final_builds/packages/ruby/index.yml');
    const refusal = refusalOf(() => rebaseRelease(release, base));
    expect(refusal).toEqual({
      reason: 'base-changed-build',
      message: expect.stringMatching(
        /package ruby build fdb3679f\w+, which \.final_builds\/packages\/ruby\/index\.yml on the base branch no longer has/,
      ),
    });
  });
});

describe('refusing what a release PR must not carry', () => {
  it.each([
    [
      'config/private.yml',
      'blobstore:\n  options: {secret: x}\n',
      'forbidden-path',
      /config\/private\.yml \(blobstore credentials\)/,
    ],
    [
      'dev_releases/example/example-3+dev.1.yml',
      'name: example\n',
      'forbidden-path',
      /dev releases and dev builds are never committed/,
    ],
    ['.dev_builds/packages/app/index.yml', 'builds: {}\n', 'forbidden-path', /dev_builds/],
    [
      'releases/example/example-3.tgz',
      'tarball',
      'forbidden-path',
      /tarball releases\/example\/example-3\.tgz/,
    ],
    ['app.tar.gz', 'tarball', 'forbidden-path', /tarball app\.tar\.gz/],
    [
      'packages/app/packaging',
      'echo changed\n',
      'outside-release',
      /changes packages\/app\/packaging/,
    ],
    [
      'releases/other/index.yml',
      'builds: {}\nformat-version: "2"\n',
      'outside-release',
      /releases\/other\/index\.yml/,
    ],
  ] as const)('a planted %s', (path, content, reason, message) => {
    const checkout = example.checkoutOf('cut-a', { [path]: content });
    // As if the repository's .gitignore did not exclude it.
    const changedPaths = checkout.changedPaths.includes(path)
      ? checkout.changedPaths
      : [...checkout.changedPaths, path];
    const refusal = refusalOf(() => detectRelease({ ...detectionOf(checkout), changedPaths }));
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
  });

  it('ignores a tarball that git ignores (releases/**/*.tgz in .gitignore)', () => {
    const checkout = example.checkoutOf('cut-a', { 'releases/example/example-3.tgz': 'tarball' });
    expect(checkout.changedPaths).not.toContain('releases/example/example-3.tgz');
    expect(checkout.files.has('releases/example/example-3.tgz')).toBe(true);
    expect(detectRelease(detectionOf(checkout)).version).toBe('3');
  });

  it('is told by git about untracked files that are not ignored', () => {
    const checkout = example.checkoutOf('cut-a', { 'notes.txt': 'x', 'dev_releases/x.yml': 'x' });
    expect(checkout.changedPaths).toContain('notes.txt');
    expect(checkout.changedPaths).not.toContain('dev_releases/x.yml');
    expect(refusalOf(() => detectRelease(detectionOf(checkout))).reason).toBe('outside-release');
  });
});

describe('refusing an inconsistent release', () => {
  function tampered(
    edit: (files: Map<string, string>) => void,
    cut = 'cut-a',
  ): DetectReleaseOptions {
    const options = detectionOf(example.checkoutOf(cut));
    const files = new Map(options.checkout);
    edit(files);
    return { ...options, checkout: files };
  }
  const replaceIn = (
    files: Map<string, string>,
    path: string,
    from: string | RegExp,
    to: string,
  ) => {
    const text = files.get(path) ?? '';
    const next = text.replace(from, to);
    expect(next).not.toBe(text);
    files.set(path, next);
  };

  it('a tampered digest in the new entry', () => {
    const options = tampered((f) => replaceIn(f, APP_INDEX, 'sha256:bf9d94d8', 'sha256:bf9d94d9'));
    const refusal = refusalOf(() => detectRelease(options));
    expect(refusal.reason).toBe('digest-mismatch');
    expect(refusal.message).toContain('package app build c57548c3');
  });

  it('a manifest job without its .final_builds entry', () => {
    const options = tampered((f) =>
      f.set(WORKER_INDEX, example.metadataAt('origin/main').get(WORKER_INDEX) ?? ''),
    );
    expect(refusalOf(() => detectRelease(options)).reason).toBe('missing-build');
  });

  it('a new entry the manifest does not use', () => {
    const extra =
      '  ffff:\n    version: ffff\n    blobstore_id: x\n    sha1: sha256:ff\nformat-version';
    const options = tampered((f) => replaceIn(f, NGINX_INDEX, 'format-version', extra));
    const refusal = refusalOf(() => detectRelease(options));
    expect(refusal.reason).toBe('unreferenced-build');
    expect(refusal.message).toContain(`${NGINX_INDEX} gains build ffff`);
  });

  it('a changed existing entry', () => {
    const options = tampered((f) =>
      replaceIn(
        f,
        '.final_builds/packages/ruby/index.yml',
        /blobstore_id: \S+/,
        'blobstore_id: other',
      ),
    );
    expect(refusalOf(() => detectRelease(options)).reason).toBe('changed-entry');
  });

  it('a removed release index entry', () => {
    const options = tampered((f) =>
      replaceIn(f, RELEASE_INDEX, / {2}98f22143[^\n]*\n[^\n]*\n/, ''),
    );
    expect(refusalOf(() => detectRelease(options))).toMatchObject({
      reason: 'changed-entry',
      message: expect.stringContaining('no longer lists version 1'),
    });
  });

  it('an edited old manifest', () => {
    const options = tampered((f) =>
      replaceIn(
        f,
        'releases/example/example-1.yml',
        'no_compression: false',
        'no_compression: true',
      ),
    );
    expect(refusalOf(() => detectRelease(options)).reason).toBe('unexpected-file');
  });

  it('no new version', () => {
    const checkout = example.checkoutOf('cut-a');
    const base = example.metadataAt(checkout.from);
    const refusal = refusalOf(() =>
      detectRelease({ ...detectionOf(checkout), checkout: base, changedPaths: [] }),
    );
    expect(refusal.reason).toBe('no-new-version');
  });

  it('two new versions', () => {
    const options = tampered((f) =>
      replaceIn(
        f,
        RELEASE_INDEX,
        'format-version',
        '  ffffffff-0000-4000-8000-000000000000:\n    version: "4"\nformat-version',
      ),
    );
    expect(refusalOf(() => detectRelease(options))).toMatchObject({
      reason: 'several-new-versions',
      message: expect.stringContaining('(3, 4)'),
    });
  });

  it('a new version BOSH-equal to an old one', () => {
    const options = tampered((f) => {
      replaceIn(f, RELEASE_INDEX, 'version: "3"', 'version: "2.0"');
      f.set(
        'releases/example/example-2.0.yml',
        (f.get('releases/example/example-3.yml') ?? '').replace('version: "3"', 'version: "2.0"'),
      );
    });
    expect(refusalOf(() => detectRelease(options)).reason).toBe('duplicate-version');
  });

  it('a version whose manifest is missing, or says another version', () => {
    const missing = tampered((f) => f.delete('releases/example/example-3.yml'));
    expect(refusalOf(() => detectRelease(missing)).reason).toBe('missing-manifest');
    const other = tampered((f) =>
      replaceIn(f, 'releases/example/example-3.yml', 'version: "3"', 'version: "4"'),
    );
    expect(refusalOf(() => detectRelease(other)).reason).toBe('manifest-mismatch');
  });

  it('uncommitted changes, unless allowed', () => {
    const options = tampered((f) =>
      replaceIn(
        f,
        'releases/example/example-3.yml',
        'uncommitted_changes: false',
        'uncommitted_changes: true',
      ),
    );
    expect(refusalOf(() => detectRelease(options)).reason).toBe('uncommitted-changes');
    expect(detectRelease({ ...options, allowUncommitted: true }).manifest.uncommittedChanges).toBe(
      true,
    );
  });
});

describe('with only .final_builds tracked (source.track: final_builds)', () => {
  /** The commit a cut was made from as git knows it then: releases/ lives in S3, not in git. */
  function finalBuildsOnly(checkout: Checkout): DetectReleaseOptions {
    const base = new Map(
      [...example.metadataAt(checkout.from)].filter(([path]) => !path.startsWith('releases/')),
    );
    return {
      ...detectionOf(checkout),
      base,
      // Untracked and not ignored: every releases/ file shows, tarballs too.
      changedPaths: [
        ...checkout.changedPaths,
        'releases/example/example-1.yml',
        'releases/example/example-2.yml',
        'releases/example/example-2.tgz',
      ].sort(),
      track: 'final_builds',
    };
  }

  it('finds cut-a as version 3 from the checkout releases/, with the same builds and key', () => {
    const checkout = example.checkoutOf('cut-a');
    const release = detectRelease(finalBuildsOnly(checkout));
    const both = detectRelease(detectionOf(checkout));
    expect(release).toEqual(both);
    expect(
      rebaseRelease(release, finalBuildsBase('origin/main'), { track: 'final_builds' }).files,
    ).toEqual(
      new Map(
        [...changedFiles('origin/main', 'origin/cut-a')].filter(([path]) =>
          path.startsWith('.final_builds/'),
        ),
      ),
    );
  });

  it('finds cut-c (3.1.0) as the highest version, wherever its index entry sorts', () => {
    const release = detectRelease(finalBuildsOnly(example.checkoutOf('cut-c')));
    expect(release.version).toBe('3.1.0');
    expect(release.newBuilds.map((build) => build.indexPath)).toEqual([
      WORKER_INDEX,
      APP_INDEX,
      NGINX_INDEX,
    ]);
  });

  it('finds a release without new builds: nothing for .final_builds to gain', () => {
    const checkout = example.checkoutOf('cut-a');
    const options = finalBuildsOnly(checkout);
    const base = new Map([...options.base, ...finalBuildsBase('origin/cut-a')]);
    const release = detectRelease({
      ...options,
      base,
      changedPaths: options.changedPaths.filter((path) => !path.startsWith('.final_builds/')),
    });
    expect(release.version).toBe('3');
    expect(release.newBuilds).toEqual([]);
  });

  it.each<[string, (options: DetectReleaseOptions) => DetectReleaseOptions, RefusalReason, RegExp]>(
    [
      [
        'a checkout without releases/',
        (options) => ({
          ...options,
          checkout: new Map(
            [...options.checkout].filter(([path]) => !path.startsWith('releases/')),
          ),
        }),
        'no-new-version',
        /^releases\/example\/index\.yml is missing in the checkout: with source\.track: final_builds the version is read from releases\/ \(synced from S3\)/,
      ],
      [
        'config/private.yml in the checkout',
        (options) => ({
          ...options,
          changedPaths: [...options.changedPaths, 'config/private.yml'],
        }),
        'forbidden-path',
        /config\/private\.yml/,
      ],
      [
        'a change outside the metadata',
        (options) => ({ ...options, changedPaths: [...options.changedPaths, 'jobs/web/spec'] }),
        'outside-release',
        /jobs\/web\/spec/,
      ],
    ],
  )('refuses %s', (_, change, reason, message) => {
    const refusal = refusalOf(() =>
      detectRelease(change(finalBuildsOnly(example.checkoutOf('cut-a')))),
    );
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
  });
});

/** A base branch's metadata without releases/: `.final_builds` and config/final.yml. */
function finalBuildsBase(revision: string): Map<string, string> {
  return new Map(
    [...example.metadataAt(revision)].filter(([path]) => !path.startsWith('releases/')),
  );
}

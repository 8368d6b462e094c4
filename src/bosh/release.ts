import { createHash } from 'node:crypto';
import { boshVersionsEqual, parseBoshVersion } from './bosh-version.js';
import {
  buildEntriesEqual,
  buildIndexReader,
  parseBuildIndex,
  type BuildEntry,
} from './build-index.js';
import { compareBytewise } from './canonical-yaml.js';
import { highestFinalVersion } from './integrity.js';
import {
  FINAL_BUILDS_DIR,
  parseBuildIndexPath,
  PRIVATE_CONFIG_PATH,
  releaseIndexPath,
  releaseManifestPath,
  RELEASES_DIR,
  type BuildKind,
  type MetadataFiles,
} from './metadata-files.js';
import { ReleaseRefusal } from './refusal.js';
import type { TrackedMetadata } from './rebase.js';
import { parseReleaseIndex, writeReleaseIndex, type ReleaseIndex } from './release-index.js';
import {
  assertManifestIdentity,
  describeReference,
  manifestBuildReferences,
  parseReleaseManifest,
  type ReleaseManifest,
} from './release-manifest.js';

// What one `bosh create-release --final` adds, and nothing else: one manifest, one release
// index entry, and one `.final_builds` entry per newly built job, package or license
// (bosh-cli releasedir/fs_release_dir.go FinalizeRelease). The CLI never changes or removes
// an entry.

/** A `.final_builds` entry the release adds. */
export interface NewBuild {
  readonly indexPath: string;
  readonly kind: BuildKind;
  readonly name: string;
  readonly fingerprint: string;
  readonly entry: BuildEntry;
}

/** A final release found in a checkout, ready to be applied onto a base branch. */
export interface Release {
  readonly name: string;
  readonly version: string;
  readonly manifestPath: string;
  readonly manifest: ReleaseManifest;
  /** The manifest exactly as the CLI wrote it. */
  readonly manifestText: string;
  readonly releaseIndexEntry: { readonly id: string; readonly version: string };
  /** In bytewise order of index path, then fingerprint. */
  readonly newBuilds: readonly NewBuild[];
  /** The manifest's `commit_hash`: the (short) commit the release was cut from. */
  readonly sourceCommit: string;
  /** sha256 of name, version, release index ID and manifest bytes: one key per cut. */
  readonly releaseKey: string;
}

/** What release detection looks at. */
export interface DetectReleaseOptions {
  /** Metadata files at the commit the release was cut from. */
  readonly base: MetadataFiles;
  /** Metadata files in the checkout after `bosh create-release --final`. */
  readonly checkout: MetadataFiles;
  readonly releaseName: string;
  /**
   * Every path that differs between the checkout and `base` (modified, untracked and not
   * ignored, committed since), relative to the release directory.
   */
  readonly changedPaths: readonly string[];
  /** Accept a release cut from a dirty tree (`uncommitted_changes: true`). */
  readonly allowUncommitted: boolean;
  /**
   * `final_builds`: only `.final_builds` is tracked in git, and releases/ comes into the checkout
   * from elsewhere (S3), untracked or ignored. The new release is then the highest version of the
   * checkout's release index; `base` and `changedPaths` are not consulted about releases/.
   */
  readonly track?: TrackedMetadata;
}

/** Finds the one new final release in a checkout, or refuses with a ReleaseRefusal. */
export function detectRelease(options: DetectReleaseOptions): Release {
  const { base, checkout, releaseName, changedPaths } =
    options.track === 'final_builds' ? withUntrackedReleases(options) : options;
  checkChangedPaths(changedPaths, releaseName);

  const indexPath = releaseIndexPath(releaseName);
  const entry = newReleaseIndexEntry(base, checkout, releaseName);
  const manifestPath = releaseManifestPath(releaseName, entry.version);
  if (base.has(manifestPath)) {
    throw new ReleaseRefusal(
      'manifest-exists',
      `${manifestPath} already existed before the release was cut: restore it and cut the release again`,
    );
  }
  const manifestText = checkout.get(manifestPath);
  if (manifestText === undefined) {
    throw new ReleaseRefusal(
      'missing-manifest',
      `${indexPath} lists the new version ${entry.version}, but ${manifestPath} is missing: re-run bosh create-release --final`,
    );
  }
  const manifest = parseReleaseManifest(manifestText, manifestPath);
  assertManifestIdentity(manifest, { name: releaseName, version: entry.version }, manifestPath);
  if (manifest.uncommittedChanges && !options.allowUncommitted) {
    throw new ReleaseRefusal(
      'uncommitted-changes',
      `${manifestPath} says uncommitted_changes: true (release ${entry.version} was cut from a dirty working tree): commit the changes, then cut the release again; if this repository is always dirty at a cut (submodules, generated files), set params.allow_uncommitted_changes: true`,
    );
  }
  checkReleaseFiles(base, checkout, releaseName, [indexPath, manifestPath]);

  const newBuilds = newFinalBuilds(base, checkout);
  checkManifestBuilds(manifest, manifestPath, checkout, newBuilds);

  return {
    name: releaseName,
    version: entry.version,
    manifestPath,
    manifest,
    manifestText,
    releaseIndexEntry: entry,
    newBuilds,
    sourceCommit: manifest.commitHash,
    releaseKey: releaseKey({ name: releaseName, ...entry, manifestText }),
  };
}

/**
 * The key that identifies one cut of a release: sha256 over its name, version, release index ID
 * and manifest bytes. The CLI picks a random index ID per cut, so two independent cuts of the
 * same version differ even when their manifests are byte-identical (cut-a and cut-b), while a
 * re-run of a put with the same checkout, or its rebase onto a moved base, keeps the key.
 */
export function releaseKey(cut: {
  name: string;
  version: string;
  id: string;
  manifestText: string;
}): string {
  return createHash('sha256')
    .update(`bosh-release\0${cut.name}\0${cut.version}\0${cut.id}\0`)
    .update(cut.manifestText)
    .digest('hex');
}

const TARBALL = /\.(tgz|tar\.gz)$/;

// releases/ is not in git: what it held before the cut is the checkout's releases/ without the
// highest version (`bosh create-release --final` picks highest + 1 over the synced index).
function withUntrackedReleases(options: DetectReleaseOptions): DetectReleaseOptions {
  const { checkout, releaseName } = options;
  const indexPath = releaseIndexPath(releaseName);
  const text = checkout.get(indexPath);
  const newest = text === undefined ? undefined : highestFinalVersion(checkout, releaseName);
  if (text === undefined || newest === undefined) {
    throw new ReleaseRefusal(
      'no-new-version',
      `${indexPath} ${text === undefined ? 'is missing in' : 'lists no version in'} the checkout: with source.track: final_builds the version is read from ${RELEASES_DIR}/ (synced from S3); sync it, then run bosh create-release --final`,
    );
  }
  const isReleases = (path: string): boolean =>
    path.replace(/^\.\//, '').startsWith(`${RELEASES_DIR}/`);
  const before = new Map(parseReleaseIndex(text, indexPath).builds);
  before.delete(newest.id);
  const base = new Map([...options.base].filter(([path]) => !isReleases(path)));
  const newManifest = releaseManifestPath(releaseName, newest.version);
  for (const [path, content] of checkout) {
    if (isReleases(path) && path !== indexPath && path !== newManifest) base.set(path, content);
  }
  base.set(indexPath, writeReleaseIndex({ builds: before }));
  return {
    ...options,
    base,
    changedPaths: options.changedPaths.filter((path) => !isReleases(path)),
  };
}

function checkChangedPaths(paths: readonly string[], releaseName: string): void {
  const releaseDir = `${RELEASES_DIR}/${releaseName}/`;
  for (const raw of paths) {
    const path = raw.replace(/^\.\//, '');
    if (path === PRIVATE_CONFIG_PATH) {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout contains ${PRIVATE_CONFIG_PATH} (blobstore credentials), which must never be committed: remove it or add it to .gitignore`,
      );
    }
    const top = path.split('/')[0];
    if (top === 'dev_releases' || top === '.dev_builds') {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout changes ${path}: dev releases and dev builds are never committed; add ${top} to .gitignore`,
      );
    }
    if (TARBALL.test(path)) {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout contains the tarball ${path}, which must not be committed: delete it or add it to .gitignore`,
      );
    }
    if (!path.startsWith(`${FINAL_BUILDS_DIR}/`) && !path.startsWith(releaseDir)) {
      throw new ReleaseRefusal(
        'outside-release',
        `the checkout changes ${path}, but a release PR carries only ${FINAL_BUILDS_DIR}/ and ${releaseDir}: merge that change through a normal PR first, then cut the release from it`,
      );
    }
  }
}

function newReleaseIndexEntry(
  base: MetadataFiles,
  checkout: MetadataFiles,
  releaseName: string,
): { id: string; version: string } {
  const path = releaseIndexPath(releaseName);
  const checkoutText = checkout.get(path);
  if (checkoutText === undefined) {
    throw new ReleaseRefusal(
      'no-new-version',
      `${path} is missing in the checkout: run bosh create-release --final before the put`,
    );
  }
  const baseText = base.get(path);
  const before: ReleaseIndex =
    baseText === undefined ? { builds: new Map() } : parseReleaseIndex(baseText, path);
  const after = parseReleaseIndex(checkoutText, path);
  for (const [id, version] of before.builds) {
    const now = after.builds.get(id);
    if (now !== version) {
      throw new ReleaseRefusal(
        'changed-entry',
        `${path} ${now === undefined ? 'no longer lists' : `changes to ${now}`} version ${version} (ID ${id}): the CLI only adds versions; restore the file and cut the release again`,
      );
    }
  }
  const added = [...after.builds].filter(([id]) => !before.builds.has(id));
  const [first] = added;
  if (first === undefined) {
    throw new ReleaseRefusal(
      'no-new-version',
      `${path} lists no new version: run bosh create-release --final before the put`,
    );
  }
  if (added.length > 1) {
    throw new ReleaseRefusal(
      'several-new-versions',
      `${path} lists ${added.length} new versions (${added.map(([, v]) => v).join(', ')}): a put delivers exactly one release; cut one release per put`,
    );
  }
  const [id, version] = first;
  const parsed = parseBoshVersion(version, path);
  for (const existing of before.builds.values()) {
    if (boshVersionsEqual(parseBoshVersion(existing, path), parsed)) {
      throw new ReleaseRefusal(
        'duplicate-version',
        `${path} already listed version ${existing} before the cut, and the new version ${version} equals it: cut the release again with a new version`,
      );
    }
  }
  return { id, version };
}

// Everything else under releases/<name>/ must be as it was: old manifests are never rewritten.
function checkReleaseFiles(
  base: MetadataFiles,
  checkout: MetadataFiles,
  releaseName: string,
  expected: readonly string[],
): void {
  for (const path of unionOfPaths(base, checkout)) {
    if (!path.startsWith(`${RELEASES_DIR}/`) || expected.includes(path)) continue;
    // Tarballs are refused only when they would be committed (checkChangedPaths).
    if (TARBALL.test(path)) continue;
    if (base.get(path) === checkout.get(path)) continue;
    if (!path.startsWith(`${RELEASES_DIR}/${releaseName}/`)) {
      throw new ReleaseRefusal(
        'outside-release',
        `the checkout changes ${path}, which belongs to another release than ${releaseName}: restore it`,
      );
    }
    throw new ReleaseRefusal(
      'unexpected-file',
      `the checkout ${checkout.has(path) ? (base.has(path) ? 'changes' : 'adds') : 'deletes'} ${path}, which a final release never does: restore it and cut the release again`,
    );
  }
}

function newFinalBuilds(base: MetadataFiles, checkout: MetadataFiles): NewBuild[] {
  const builds: NewBuild[] = [];
  for (const path of unionOfPaths(base, checkout)) {
    if (!path.startsWith(`${FINAL_BUILDS_DIR}/`) || TARBALL.test(path)) continue;
    const baseText = base.get(path);
    const checkoutText = checkout.get(path);
    if (baseText === checkoutText) continue;
    const location = parseBuildIndexPath(path);
    if (location === undefined) {
      throw new ReleaseRefusal(
        'unexpected-file',
        `the checkout changes ${path}, which is not a ${FINAL_BUILDS_DIR} index: restore or delete it`,
      );
    }
    if (checkoutText === undefined) {
      throw new ReleaseRefusal(
        'changed-entry',
        `the checkout deletes ${path}: the CLI never removes builds; restore it`,
      );
    }
    const before = baseText === undefined ? new Map() : parseBuildIndex(baseText, path).builds;
    const after = parseBuildIndex(checkoutText, path).builds;
    for (const [fingerprint, entry] of before) {
      const now = after.get(fingerprint);
      if (now === undefined || !buildEntriesEqual(now, entry)) {
        throw new ReleaseRefusal(
          'changed-entry',
          `${path} ${now === undefined ? 'no longer has' : 'changes'} the existing build ${fingerprint}: the CLI never changes or removes builds; restore the entry`,
        );
      }
    }
    for (const [fingerprint, entry] of after) {
      if (!before.has(fingerprint)) {
        builds.push({ indexPath: path, ...location, fingerprint, entry });
      }
    }
  }
  return builds.sort(
    (a, b) =>
      compareBytewise(a.indexPath, b.indexPath) || compareBytewise(a.fingerprint, b.fingerprint),
  );
}

function checkManifestBuilds(
  manifest: ReleaseManifest,
  manifestPath: string,
  checkout: MetadataFiles,
  newBuilds: readonly NewBuild[],
): void {
  const readIndex = buildIndexReader(checkout);
  const used = new Set<string>();
  for (const reference of manifestBuildReferences(manifest)) {
    const what = describeReference(reference);
    const entry = readIndex(reference.indexPath).builds.get(reference.fingerprint);
    if (entry === undefined) {
      throw new ReleaseRefusal(
        'missing-build',
        `${manifestPath} uses ${what}, but ${reference.indexPath} has no entry for it: re-run bosh create-release --final and keep ${FINAL_BUILDS_DIR}`,
      );
    }
    if (entry.sha1 !== reference.sha1) {
      throw new ReleaseRefusal(
        'digest-mismatch',
        `${manifestPath} uses ${what} with digest ${reference.sha1}, but ${reference.indexPath} records ${entry.sha1}: the metadata is inconsistent; cut the release again`,
      );
    }
    used.add(`${reference.indexPath}\0${reference.fingerprint}`);
  }
  for (const build of newBuilds) {
    if (!used.has(`${build.indexPath}\0${build.fingerprint}`)) {
      throw new ReleaseRefusal(
        'unreferenced-build',
        `${build.indexPath} gains build ${build.fingerprint}, which ${manifestPath} does not use: commit it separately (as bosh vendor-package does) or remove it`,
      );
    }
  }
}

function unionOfPaths(a: MetadataFiles, b: MetadataFiles): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(compareBytewise);
}

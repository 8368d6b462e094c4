import { createHash } from 'node:crypto';
import type { BuildEntry } from './build-index.js';
import { highestFinalVersion } from './integrity.js';
import {
  releaseIndexPath,
  releaseManifestPath,
  RELEASES_DIR,
  type BuildKind,
  type MetadataFiles,
} from './metadata-files.js';
import type { TrackedMetadata } from './rebase.js';
import { ReleaseRefusal } from './refusal.js';
import {
  checkChangedPaths,
  checkManifestBuilds,
  checkReleaseFiles,
  newFinalBuilds,
  newReleaseIndexEntry,
} from './release-changes.js';
import { parseReleaseIndex, writeReleaseIndex } from './release-index.js';
import {
  assertManifestIdentity,
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
function releaseKey(cut: {
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

import { boshVersionsEqual, parseBoshVersion } from './bosh-version.js';
import { buildIndexReader, writeBuildIndex, type BuildEntry } from './build-index.js';
import { compareBytewise } from './canonical-yaml.js';
import { releaseIndexPath, type MetadataFiles } from './metadata-files.js';
import { ReleaseRefusal } from './refusal.js';
import { readReleaseIndex, writeReleaseIndex } from './release-index.js';
import { describeReference, manifestBuildReferences } from './release-manifest.js';
import type { NewBuild, Release } from './release.js';

// Applies a release onto the current head of the base branch by meaning, not by text: the
// release's new entries are inserted into the base's indexes and the files are rewritten the way
// the CLI writes them. Git would list a version twice without a conflict, and report false
// conflicts for unrelated inserts into a sorted index (docs/bosh-metadata.md, "The race").

/** Which metadata the base branch tracks (`source.track`). */
export type TrackedMetadata = 'both' | 'final_builds';

/** How to apply a release. */
interface RebaseOptions {
  /** `final_builds`: only `.final_builds` is tracked yet; releases/ is neither checked nor written. */
  readonly track?: TrackedMetadata;
}

/** The files to commit on top of the base, and what happened to each new build. */
interface RebasedRelease {
  /** Path → content of every file to write, in bytewise path order; untouched files are absent. */
  readonly files: ReadonlyMap<string, string>;
  /** New builds inserted into the base's indexes. */
  readonly addedBuilds: readonly NewBuild[];
  /** New builds the base already had with the same digest: the base's entry is kept. */
  readonly keptBuilds: readonly NewBuild[];
}

/** Applies a detected release onto another base's metadata, or refuses with a ReleaseRefusal. */
export function rebaseRelease(
  release: Release,
  base: MetadataFiles,
  options: RebaseOptions = {},
): RebasedRelease {
  const track = options.track ?? 'both';
  if (track === 'both') checkVersionIsFree(release, base);

  const readIndex = buildIndexReader(base);
  const newBuilds = new Map(release.newBuilds.map((b) => [`${b.indexPath}\0${b.fingerprint}`, b]));
  const additions = new Map<string, Map<string, BuildEntry>>();
  const addedBuilds: NewBuild[] = [];
  const keptBuilds: NewBuild[] = [];

  for (const reference of manifestBuildReferences(release.manifest)) {
    const newBuild = newBuilds.get(`${reference.indexPath}\0${reference.fingerprint}`);
    const baseEntry = readIndex(reference.indexPath).builds.get(reference.fingerprint);
    const what = describeReference(reference);
    if (baseEntry === undefined) {
      if (newBuild === undefined) {
        throw new ReleaseRefusal(
          'base-changed-build',
          `release ${release.version} uses ${what}, which ${reference.indexPath} on the base branch no longer has: cut the release again from the current base`,
        );
      }
      let entries = additions.get(reference.indexPath);
      if (entries === undefined) additions.set(reference.indexPath, (entries = new Map()));
      entries.set(reference.fingerprint, newBuild.entry);
      addedBuilds.push(newBuild);
    } else if (baseEntry.sha1 !== reference.sha1) {
      throw newBuild === undefined
        ? new ReleaseRefusal(
            'base-changed-build',
            `release ${release.version} uses ${what} with digest ${reference.sha1}, but ${reference.indexPath} on the base branch now records ${baseEntry.sha1}: cut the release again from the current base`,
          )
        : new ReleaseRefusal(
            'digest-conflict',
            `${reference.indexPath} on the base branch already has ${what} with digest ${baseEntry.sha1}, and this release built it again as ${reference.sha1}: two independent builds of one fingerprint; cut the release again from the current base`,
          );
    } else if (newBuild !== undefined) {
      keptBuilds.push(newBuild);
    }
  }

  const files = new Map<string, string>();
  for (const [path, entries] of additions) {
    const builds = new Map(readIndex(path).builds);
    for (const [fingerprint, entry] of entries) builds.set(fingerprint, entry);
    files.set(path, writeBuildIndex({ builds }));
  }
  if (track === 'both') {
    const index = readReleaseIndex(base, release.name);
    const builds = new Map(index.builds);
    builds.set(release.releaseIndexEntry.id, release.releaseIndexEntry.version);
    files.set(releaseIndexPath(release.name), writeReleaseIndex({ builds }));
    files.set(release.manifestPath, release.manifestText);
  }
  return {
    files: new Map([...files].sort(([a], [b]) => compareBytewise(a, b))),
    addedBuilds,
    keptBuilds,
  };
}

function checkVersionIsFree(release: Release, base: MetadataFiles): void {
  const path = releaseIndexPath(release.name);
  const version = parseBoshVersion(release.version, release.manifestPath);
  const index = readReleaseIndex(base, release.name);
  for (const [id, existing] of index.builds) {
    if (boshVersionsEqual(parseBoshVersion(existing, path), version)) {
      const spelled = existing === release.version ? '' : ` (as ${existing})`;
      throw new ReleaseRefusal(
        'duplicate-version',
        `version ${release.version} is already on the base branch${spelled}: re-run bosh create-release --final on the current base`,
      );
    }
    if (id === release.releaseIndexEntry.id) {
      throw new ReleaseRefusal(
        'release-id-conflict',
        `${path} on the base branch already uses ID ${id} for version ${existing}: cut the release again`,
      );
    }
  }
  if (base.has(release.manifestPath)) {
    throw new ReleaseRefusal(
      'manifest-exists',
      `${release.manifestPath} already exists on the base branch: re-run bosh create-release --final on the current base`,
    );
  }
}

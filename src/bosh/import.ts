import { createHash } from 'node:crypto';
import { sameBoshVersion } from './bosh-version.js';
import {
  buildIndexReader,
  parseBuildIndex,
  writeBuildIndex,
  type BuildIndex,
} from './build-index.js';
import { compareBytewise } from './canonical-yaml.js';
import { verifyAllReleases } from './integrity.js';
import {
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  parseBuildIndexPath,
  releaseIndexPath,
  RELEASES_DIR,
  type MetadataFiles,
} from './metadata-files.js';
import type { TrackedMetadata } from './rebase.js';
import { ReleaseRefusal } from './refusal.js';
import { parseReleaseIndex, writeReleaseIndex } from './release-index.js';

// The first PR of a repository that kept its final-release metadata outside git (S3): every final
// version so far at once, checked as `in` checks one release. Index files are committed in the
// CLI's canonical form — the next `create-release --final` rewrites them that way anyway, and a
// release PR would otherwise carry the reformatting — while manifests are committed byte for byte.

/** A `.final_builds` index an import carries, with its number of builds. */
interface ImportedIndex {
  readonly path: string;
  readonly builds: number;
}

/** The existing metadata of a release, read from a checkout and checked, ready to import. */
export interface MetadataImport {
  readonly name: string;
  readonly track: TrackedMetadata;
  /** Every final version in the checkout's release index, in BOSH order. */
  readonly versions: readonly string[];
  /** The highest of them: the version the import PR stands for. */
  readonly version: string;
  /** In bytewise path order. */
  readonly indexes: readonly ImportedIndex[];
  /** Path → content of every file the import carries, in bytewise path order. */
  readonly files: ReadonlyMap<string, string>;
  /** Index files whose bytes differed from the CLI's canonical form: rewritten, same entries. */
  readonly rewritten: readonly string[];
  /** sha256 over the release name, what is tracked, and the files: one key per import. */
  readonly key: string;
}

/** How to read an import. */
interface ImportOptions {
  readonly releaseName: string;
  /** `final_builds`: only `.final_builds` is imported; releases/ is checked but stays out. */
  readonly track?: TrackedMetadata;
}

/**
 * Reads the metadata an import would commit from a checkout: every `.final_builds` index and
 * (unless only `.final_builds` is tracked) `releases/<name>/`. Refuses with a ReleaseRefusal
 * what is inconsistent (a listed version without its manifest or builds, a version listed twice,
 * an entry the CLI would not write) or what is not metadata of this release.
 */
export function readImport(checkout: MetadataFiles, options: ImportOptions): MetadataImport {
  const { releaseName: name } = options;
  const track = options.track ?? 'both';
  const indexPath = releaseIndexPath(name);
  if (!checkout.has(indexPath)) {
    throw new ReleaseRefusal(
      'nothing-to-import',
      `${indexPath} is missing in the checkout: sync ${RELEASES_DIR}/ and ${FINAL_BUILDS_DIR}/ (e.g. from S3) into the checkout before the import`,
    );
  }
  const releases = verifyAllReleases(checkout, name);
  const highest = releases.at(-1);
  if (highest === undefined) {
    throw new ReleaseRefusal(
      'nothing-to-import',
      `${indexPath} lists no final version: there is nothing to import; cut the first release with a normal put`,
    );
  }
  const manifests = new Set(releases.map((release) => release.manifestPath));
  const releaseDir = `${RELEASES_DIR}/${name}/`;
  const files = new Map<string, string>();
  const rewritten: string[] = [];
  const indexes: ImportedIndex[] = [];
  const take = (path: string, text: string, canonical: string): void => {
    if (canonical !== text) rewritten.push(path);
    files.set(path, canonical);
  };

  for (const [path, text] of [...checkout].sort(([a], [b]) => compareBytewise(a, b))) {
    if (path === FINAL_CONFIG_PATH) continue;
    if (path.startsWith(`${FINAL_BUILDS_DIR}/`)) {
      if (parseBuildIndexPath(path) === undefined) {
        throw new ReleaseRefusal(
          'unexpected-file',
          `${path} is not a ${FINAL_BUILDS_DIR} index: remove it from the checkout before the import`,
        );
      }
      const index = parseBuildIndex(text, path);
      checkFinalEntries(index, path);
      take(path, text, writeBuildIndex(index));
      indexes.push({ path, builds: index.builds.size });
    } else if (track === 'final_builds') {
      continue; // releases/ stays out of git; it was checked above
    } else if (path === indexPath) {
      take(path, text, writeReleaseIndex(parseReleaseIndex(text, path)));
    } else if (manifests.has(path)) {
      files.set(path, text);
    } else if (path.startsWith(releaseDir)) {
      throw new ReleaseRefusal(
        'unexpected-file',
        `${path} is not the manifest of a version ${indexPath} lists: remove it from the checkout before the import`,
      );
    } else if (path.startsWith(`${RELEASES_DIR}/`)) {
      throw new ReleaseRefusal(
        'outside-release',
        `${path} belongs to another release than ${name}: an import carries only ${FINAL_BUILDS_DIR}/ and ${releaseDir}; remove it from the checkout`,
      );
    }
  }
  return {
    name,
    track,
    versions: releases.map((release) => release.version),
    version: highest.version,
    indexes,
    files,
    rewritten,
    key: importKey({ name, track, files }),
  };
}

/** The key of an import: sha256 over the release name, what is tracked, and every file. */
function importKey(options: {
  name: string;
  track: TrackedMetadata;
  files: ReadonlyMap<string, string>;
}): string {
  const hash = createHash('sha256').update(`bosh-import\0${options.name}\0${options.track}\0`);
  for (const path of [...options.files.keys()].sort(compareBytewise)) {
    hash
      .update(`${path}\0`)
      .update(options.files.get(path) ?? '')
      .update('\0');
  }
  return hash.digest('hex');
}

// What `bosh create-release --final` writes for a final build (bosh-cli releasedir/index/
// fs_index.go): the fingerprint twice, and the blobstore ID its tarball was uploaded under.
function checkFinalEntries(index: BuildIndex, path: string): void {
  for (const [fingerprint, entry] of index.builds) {
    if (entry.version !== fingerprint) {
      throw new ReleaseRefusal(
        'malformed-entry',
        `${path}: build ${fingerprint} has version ${entry.version}, but the CLI writes the fingerprint there: restore the entry`,
      );
    }
    if (entry.blobstoreId === undefined) {
      throw new ReleaseRefusal(
        'malformed-entry',
        `${path}: build ${fingerprint} has no blobstore_id, so no release can download it: restore the entry (it may be a dev build)`,
      );
    }
  }
}

/** A version already delivered to the base by a merged release PR. */
interface DeliveredVersion {
  readonly version: string;
  /** Names the PR for messages, e.g. `PR #5`. */
  readonly by: string;
}

/** The files of the import commit on the base, and what happened to the builds. */
interface AppliedImport {
  /** Path → content of every file to write, in bytewise path order; untouched files are absent. */
  readonly files: ReadonlyMap<string, string>;
  /** Builds the base did not track. */
  readonly addedBuilds: number;
  /** Builds the base tracked already with the same digest (after `.final_builds` was imported alone). */
  readonly keptBuilds: number;
}

/**
 * Applies an import onto the base's metadata. Refuses when the base tracks already what the
 * import brings — `releases/<name>/`, or with `track: final_builds` any `.final_builds` index —
 * since normal release PRs deliver from then on; when a fingerprint is on the base with another
 * digest; and when a release PR delivered a version the import lacks (a stale sync).
 * `.final_builds` tracked on the base already (the step after a `.final_builds`-only migration)
 * is kept, and only the builds it lacks are added.
 */
export function applyImport(
  imported: MetadataImport,
  base: MetadataFiles,
  options: { delivered?: readonly DeliveredVersion[] } = {},
): AppliedImport {
  const releaseDir = `${RELEASES_DIR}/${imported.name}/`;
  const tracked = [...base.keys()].filter((path) =>
    imported.track === 'both'
      ? path.startsWith(releaseDir)
      : parseBuildIndexPath(path) !== undefined,
  );
  if (tracked.length > 0) {
    const what = imported.track === 'both' ? releaseDir : `${FINAL_BUILDS_DIR}/`;
    throw new ReleaseRefusal(
      'already-tracked',
      `the base branch already tracks ${what} (${tracked.length} ${tracked.length === 1 ? 'file' : 'files'}, e.g. ${tracked[0] ?? ''}): an import is only the first PR of a repository; deliver new versions with normal release PRs (without params.import)`,
    );
  }
  for (const delivered of options.delivered ?? []) {
    if (!imported.versions.some((version) => sameBoshVersion(version, delivered.version))) {
      throw new ReleaseRefusal(
        'version-not-found',
        `${delivered.by} delivered version ${delivered.version}, which ${releaseIndexPath(imported.name)} in the checkout does not list: sync ${RELEASES_DIR}/ again, then import`,
      );
    }
  }

  const readBase = buildIndexReader(base);
  const files = new Map<string, string>();
  let addedBuilds = 0;
  let keptBuilds = 0;
  for (const [path, text] of imported.files) {
    const baseText = base.get(path);
    if (parseBuildIndexPath(path) === undefined || baseText === undefined) {
      files.set(path, text);
      if (parseBuildIndexPath(path) !== undefined)
        addedBuilds += parseBuildIndex(text, path).builds.size;
      continue;
    }
    const baseBuilds = readBase(path).builds;
    const builds = new Map(baseBuilds);
    let added = 0;
    for (const [fingerprint, entry] of parseBuildIndex(text, path).builds) {
      const baseEntry = baseBuilds.get(fingerprint);
      if (baseEntry === undefined) {
        builds.set(fingerprint, entry);
        added++;
      } else if (baseEntry.sha1 !== entry.sha1) {
        throw new ReleaseRefusal(
          'digest-conflict',
          `${path} on the base branch has build ${fingerprint} with digest ${baseEntry.sha1}, but the import has ${entry.sha1}: two independent builds of one fingerprint; fix the one the blobstore does not hold, then import`,
        );
      } else {
        keptBuilds++;
      }
    }
    if (added > 0) files.set(path, writeBuildIndex({ builds }));
    addedBuilds += added;
  }
  return { files, addedBuilds, keptBuilds };
}

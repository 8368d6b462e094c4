import {
  boshVersionsEqual,
  compareBoshVersions,
  highestBoshVersion,
  parseBoshVersion,
  type BoshVersion,
} from './bosh-version.js';
import { buildIndexReader, type BuildIndex } from './build-index.js';
import { compareBytewise } from './canonical-yaml.js';
import { releaseIndexPath, releaseManifestPath, type MetadataFiles } from './metadata-files.js';
import { ReleaseRefusal } from './refusal.js';
import { readReleaseIndex } from './release-index.js';
import {
  assertManifestIdentity,
  describeReference,
  manifestBuildReferences,
  parseReleaseManifest,
  type ReleaseManifest,
} from './release-manifest.js';

/** A final release found consistent at a commit. */
interface ReleaseDescription {
  readonly name: string;
  readonly version: string;
  readonly releaseIndexId: string;
  readonly manifestPath: string;
  readonly manifest: ReleaseManifest;
  readonly jobs: number;
  readonly packages: number;
  readonly hasLicense: boolean;
}

/** Which release to verify. */
interface VerifyReleaseOptions {
  readonly releaseName: string;
  readonly version: string;
}

/**
 * Checks that a release is complete at a commit: listed once in the release index, its
 * manifest present and matching, every job, package and license build in `.final_builds` with
 * the manifest's digest. Returns what it found, or throws a ReleaseRefusal.
 */
export function verifyRelease(
  files: MetadataFiles,
  options: VerifyReleaseOptions,
): ReleaseDescription {
  const { releaseName, version } = options;
  const indexPath = releaseIndexPath(releaseName);
  if (!files.has(indexPath)) {
    throw new ReleaseRefusal(
      'version-not-found',
      `${indexPath} does not exist at this commit: release ${releaseName} has no final versions here`,
    );
  }
  const wanted = parseBoshVersion(version);
  const matches = [...readReleaseIndex(files, releaseName).builds].filter(([, listed]) =>
    boshVersionsEqual(parseBoshVersion(listed, indexPath), wanted),
  );
  const exact = matches.filter(([, listed]) => listed === version);
  const [match] = exact;
  if (match === undefined) {
    const near = matches.map(([, listed]) => listed).join(', ');
    throw new ReleaseRefusal(
      'version-not-found',
      `${indexPath} does not list version ${version}${near === '' ? '' : ` (it lists ${near})`}: check the version`,
    );
  }
  if (matches.length > 1) {
    throw new ReleaseRefusal(
      'duplicate-version',
      `${indexPath} lists version ${version} ${matches.length} times (${matches.map(([id, listed]) => `${listed} as ${id}`).join(', ')}): the release was merged twice; remove the extra entry in a PR`,
    );
  }
  return verifiedRelease(files, { releaseName, version, id: match[0] }, buildIndexReader(files));
}

/**
 * Checks every release a release index lists, as {@link verifyRelease} checks one, and that no
 * version is listed twice (exactly or BOSH-equal). Returns them in BOSH version order.
 */
export function verifyAllReleases(files: MetadataFiles, releaseName: string): ReleaseDescription[] {
  const indexPath = releaseIndexPath(releaseName);
  const listed = [...readReleaseIndex(files, releaseName).builds]
    .map(([id, version]) => ({ id, version, parsed: parseBoshVersion(version, indexPath) }))
    .sort((a, b) => compareBoshVersions(a.parsed, b.parsed) || compareBytewise(a.id, b.id));
  // Sorted, BOSH-equal versions are neighbours: one run per version.
  for (let start = 0; start < listed.length;) {
    let end = start + 1;
    while (end < listed.length && sameVersion(listed[start], listed[end])) end++;
    if (end - start > 1) {
      const run = listed.slice(start, end);
      throw new ReleaseRefusal(
        'duplicate-version',
        `${indexPath} lists version ${run[0]?.version ?? ''} ${run.length} times (${run.map((entry) => `${entry.version} as ${entry.id}`).join(', ')}): remove the extra entry, then try again`,
      );
    }
    start = end;
  }
  const readIndex = buildIndexReader(files);
  return listed.map(({ id, version }) =>
    verifiedRelease(files, { releaseName, version, id }, readIndex),
  );
}

function sameVersion(
  a: { parsed: BoshVersion } | undefined,
  b: { parsed: BoshVersion } | undefined,
): boolean {
  return a !== undefined && b !== undefined && boshVersionsEqual(a.parsed, b.parsed);
}

function verifiedRelease(
  files: MetadataFiles,
  listed: { releaseName: string; version: string; id: string },
  readIndex: (path: string) => BuildIndex,
): ReleaseDescription {
  const { releaseName, version } = listed;
  const indexPath = releaseIndexPath(releaseName);
  const manifestPath = releaseManifestPath(releaseName, version);
  const manifestText = files.get(manifestPath);
  if (manifestText === undefined) {
    throw new ReleaseRefusal(
      'missing-manifest',
      `${indexPath} lists version ${version}, but ${manifestPath} does not exist: restore the manifest`,
    );
  }
  const manifest = parseReleaseManifest(manifestText, manifestPath);
  assertManifestIdentity(manifest, { name: releaseName, version }, manifestPath);

  for (const reference of manifestBuildReferences(manifest)) {
    const entry = readIndex(reference.indexPath).builds.get(reference.fingerprint);
    const what = describeReference(reference);
    if (entry === undefined) {
      throw new ReleaseRefusal(
        'missing-build',
        `${manifestPath} uses ${what}, but ${reference.indexPath} has no entry for it: the release cannot be built from this commit`,
      );
    }
    if (entry.sha1 !== reference.sha1) {
      throw new ReleaseRefusal(
        'digest-mismatch',
        `${manifestPath} uses ${what} with digest ${reference.sha1}, but ${reference.indexPath} records ${entry.sha1}: the metadata at this commit is inconsistent`,
      );
    }
  }
  return {
    name: releaseName,
    version,
    releaseIndexId: listed.id,
    manifestPath,
    manifest,
    jobs: manifest.jobs.length,
    packages: manifest.packages.length,
    hasLicense: manifest.license !== undefined,
  };
}

/** A version listed in a release index, with its ID. */
interface FinalVersion {
  readonly id: string;
  readonly version: string;
}

/** The highest final version of a release among metadata files, or undefined for none. */
export function highestFinalVersion(
  files: MetadataFiles,
  releaseName: string,
): FinalVersion | undefined {
  const parsed = parsedVersions(files, releaseName);
  const highest = highestBoshVersion(parsed.keys());
  if (highest === undefined) return undefined;
  const id = parsed.get(highest);
  if (id === undefined) throw new Error('highest version without an ID');
  return { id, version: highest.text };
}

function parsedVersions(files: MetadataFiles, releaseName: string): Map<BoshVersion, string> {
  const path = releaseIndexPath(releaseName);
  const versions = new Map<BoshVersion, string>();
  for (const [id, version] of readReleaseIndex(files, releaseName).builds) {
    versions.set(parseBoshVersion(version, path), id);
  }
  return versions;
}

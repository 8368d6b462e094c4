import {
  detectRelease,
  highestFinalVersion,
  rebaseRelease,
  parseBuildIndexPath,
  readFinalConfig,
  readReleaseIndex,
  releaseIndexPath,
  releaseManifestPath,
  parseReleaseManifest,
  type MetadataFiles,
  type NewBuild,
  type Release,
  type TrackedMetadata,
} from './bosh/index.js';
import { UserError } from './errors.js';
import type { Git } from './git.js';
import type { ReleaseSummary } from './pr-body.js';

/** The checkout's new release and the full sha of the commit it was cut from. */
export interface DetectedRelease {
  name: string;
  version: string;
  release: Release;
  sourceSha: string;
  /** The checkout's metadata files. */
  files: MetadataFiles;
}

/** The release applied onto the base as it is now: the exact files of the PR commit. */
export interface PlannedRelease {
  name: string;
  version: string;
  key: string;
  source: string;
  files: ReadonlyMap<string, string>;
  summary: ReleaseSummary;
}

/**
 * Finds the one new final release in the checkout a put was given. The release is judged
 * against the commit it was cut from: HEAD when `bosh create-release --final` left its files
 * uncommitted (the usual case), or the manifest's `commit_hash` when a task committed them. With
 * `track: final_builds`, releases/ is not in git and the manifest's `commit_hash` always says.
 */
export async function detectCheckoutRelease(options: {
  checkout: string;
  files: MetadataFiles;
  git: Git;
  releaseName: string | undefined;
  track: TrackedMetadata;
}): Promise<DetectedRelease> {
  const { checkout, files, git, track } = options;
  const name = options.releaseName ?? readFinalConfig(files).name;
  const head = await git.resolveCommit(checkout, 'HEAD');
  if (head === undefined)
    throw new UserError(`${checkout} has no commit: give the checkout of the release repository`);

  const uncommitted =
    track === 'both' &&
    (await git.changedPaths(checkout, head)).some((path) => path.startsWith(`releases/${name}/`));
  const sourceSha = uncommitted
    ? head
    : await committedReleaseSource({ checkout, files, name, git, track });
  const base = await git.readCommitFiles(checkout, sourceSha);
  refuseUnimported({ tracked: base, where: sourceSha.slice(0, 7), files, name, track });
  const release = detectRelease({
    base,
    checkout: files,
    releaseName: name,
    changedPaths: await git.changedPaths(checkout, sourceSha),
    allowUncommitted: false,
    track,
  });
  if (release.sourceCommit !== '' && !sourceSha.startsWith(release.sourceCommit)) {
    throw new UserError(
      `${release.manifestPath} says it was cut from ${release.sourceCommit}, but the checkout is at ${sourceSha.slice(0, 7)}: give the put the checkout in which bosh create-release --final ran`,
    );
  }
  return { name, version: release.version, release, sourceSha, files };
}

// A task that committed the release: its manifest names the commit it was cut from.
async function committedReleaseSource(options: {
  checkout: string;
  files: MetadataFiles;
  name: string;
  git: Git;
  track: TrackedMetadata;
}): Promise<string> {
  const { checkout, files, name, git, track } = options;
  const highest = highestFinalVersion(files, name);
  const manifestText =
    highest === undefined ? undefined : files.get(releaseManifestPath(name, highest.version));
  if (highest === undefined || manifestText === undefined) {
    throw new UserError(
      track === 'both'
        ? `releases/${name}/ has no new final release: run bosh create-release --final before the put`
        : `releases/${name}/ has no final release in the checkout: with source.track: final_builds the version is read from releases/ (synced from S3); sync it, then run bosh create-release --final`,
    );
  }
  const manifestPath = releaseManifestPath(name, highest.version);
  // A task that committed the release made it HEAD: an older manifest is a delivered release.
  const parent = await git.resolveCommit(checkout, 'HEAD^');
  if (parent === undefined || (await git.readCommitFiles(checkout, parent)).has(manifestPath)) {
    throw new UserError(
      `releases/${name}/ has no new final release: run bosh create-release --final before the put`,
    );
  }
  const { commitHash } = parseReleaseManifest(manifestText, manifestPath);
  const source = commitHash === '' ? undefined : await git.resolveCommit(checkout, commitHash);
  if (source === undefined) {
    const uncommitted = track === 'both' ? 'has no uncommitted release, and ' : '';
    throw new UserError(
      `releases/${name}/ ${uncommitted}the newest manifest ${manifestPath} names commit ${commitHash || '(none)'}, which the checkout does not have: give the put the checkout in which bosh create-release --final ran`,
    );
  }
  return source;
}

/**
 * Refuses a release onto metadata (`tracked`, at `where`) that does not track its history yet:
 * all of it would look new, which is the import's job (and a clearer message than "several new
 * versions" or "unreferenced build").
 */
export function refuseUnimported(options: {
  tracked: MetadataFiles;
  where: string;
  files: MetadataFiles;
  name: string;
  track: TrackedMetadata;
}): void {
  const { tracked, files, name, track } = options;
  const tracks =
    track === 'both'
      ? tracked.has(releaseIndexPath(name))
      : [...tracked.keys()].some((path) => parseBuildIndexPath(path) !== undefined);
  if (tracks || readReleaseIndex(files, name).builds.size <= 1) return;
  const what = track === 'both' ? `releases/${name}/` : '.final_builds/';
  throw new UserError(
    `${options.where} does not track ${what} yet, but the checkout lists earlier final releases: bring the existing metadata into git first with a put of params.import: true`,
  );
}

/** The PR body's facts about a release, with every build of the cut as new. */
export function summarize(
  detected: DetectedRelease,
  builds: readonly NewBuild[] = detected.release.newBuilds,
): ReleaseSummary {
  const { release } = detected;
  return {
    name: release.name,
    version: release.version,
    key: release.releaseKey,
    source: detected.sourceSha,
    newBuilds: builds.map((build) => ({
      kind: build.kind,
      name: build.name,
      fingerprint: build.fingerprint,
      sha1: build.entry.sha1,
    })),
    jobs: release.manifest.jobs.length,
    packages: release.manifest.packages.length,
  };
}

/** Applies the detected release onto the base's current metadata (refusing what is unsafe). */
export function rebaseOnto(
  detected: DetectedRelease,
  baseFiles: MetadataFiles,
  options: { track: TrackedMetadata },
): PlannedRelease {
  const { release } = detected;
  const rebased = rebaseRelease(release, baseFiles, { track: options.track });
  return {
    name: release.name,
    version: release.version,
    key: release.releaseKey,
    source: detected.sourceSha,
    files: rebased.files,
    summary: summarize(detected, rebased.addedBuilds),
  };
}

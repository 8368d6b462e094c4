import {
  detectRelease,
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  rebaseRelease,
  parseBuildIndexPath,
  readFinalConfig,
  readReleaseIndex,
  releaseIndexPath,
  RELEASES_DIR,
  type MetadataFiles,
  type NewBuild,
  type Release,
  type TrackedMetadata,
} from '../../bosh/index.js';
import { UserError } from '../../errors.js';
import type { Git } from '../../git/git.js';
import { readMetadataFiles } from '../../io/metadata-dir.js';
import { involvedMetadata } from './involved.js';
import type { ReleaseSummary } from '../../rules/pull-body.js';

/** The checkout's new release and the full sha of the commit it was cut from. */
export interface DetectedRelease {
  name: string;
  version: string;
  release: Release;
  sourceSha: string;
  /**
   * The checkout's metadata files the release involves (involvedMetadata): config/final.yml,
   * the release index, the manifest, the indexes it references, and every file the checkout
   * changed; not the rest of the repository's metadata.
   */
  files: MetadataFiles;
}

/** The release applied onto the base as it is now: the exact files of the PR commit. */
interface PlannedRelease {
  name: string;
  version: string;
  key: string;
  source: string;
  files: ReadonlyMap<string, string>;
  summary: ReleaseSummary;
}

/**
 * Finds the one new final release in the checkout a put was given. Its new entries are read
 * against the commit its files were written on: HEAD when `bosh create-release --final` (or
 * `finalize-release`) left them uncommitted, else the parent of the checkout's own commit that
 * added them. Only that commit and the uncommitted files are judged as what the checkout
 * changes. The commit it was cut from is the manifest's `commit_hash`: HEAD, or any commit in its
 * history (a checkout that moved on, a dev tarball tested earlier and finalized later).
 */
export async function detectCheckoutRelease(options: {
  checkout: string;
  git: Git;
  releaseName: string | undefined;
  track: TrackedMetadata;
  allowUncommitted: boolean;
}): Promise<DetectedRelease> {
  const { checkout, git, track } = options;
  const name =
    options.releaseName ??
    readFinalConfig(await readMetadataFiles(checkout, [FINAL_CONFIG_PATH])).name;
  const head = await git.resolveCommit(checkout, 'HEAD');
  if (head === undefined)
    throw new UserError(`${checkout} has no commit: give the checkout of the release repository`);

  const written = await whereWritten({ checkout, git, head, name, track });
  const { base, files, tracked } = await involvedMetadata({
    checkout,
    git,
    onto: written.onto,
    name,
  });
  refuseUnimported({ tracked, where: written.onto.slice(0, 7), files, name, track });
  const indexPath = releaseIndexPath(name);
  if (track === 'both' && base.get(indexPath) === files.get(indexPath)) {
    throw new UserError(
      `${RELEASES_DIR}/${name}/ has no new final release: run bosh create-release --final before the put`,
    );
  }
  const release = detectRelease({
    base,
    checkout: files,
    releaseName: name,
    changedPaths: written.changedPaths,
    allowUncommitted: options.allowUncommitted,
    track,
  });
  const sourceSha = await cutFrom({ checkout, git, release, onto: written.onto });
  return { name, version: release.version, release, sourceSha, files };
}

/** Where the release's files were written: the commit they went onto, and what changed since. */
interface Written {
  /** HEAD for uncommitted files; else the parent of the commit that added them. */
  onto: string;
  /** Paths the release's commit and the work tree change (not the commits in between). */
  changedPaths: string[];
}

// bosh writes the release into the work tree; a task may commit it, and the checkout may move on
// after that commit (more commits, a merge). The newest of the checkout's own commits touching
// the metadata is the release's; with none, HEAD's own commit (a checkout fetched after a task
// pushed its release commit somewhere).
async function whereWritten(options: {
  checkout: string;
  git: Git;
  head: string;
  name: string;
  track: TrackedMetadata;
}): Promise<Written> {
  const { checkout, git, head, name, track } = options;
  const dir = track === 'both' ? `${RELEASES_DIR}/${name}/` : `${FINAL_BUILDS_DIR}/`;
  const inWorkTree = await git.changedPaths(checkout, head);
  if (inWorkTree.some((path) => path.startsWith(dir))) {
    return { onto: head, changedPaths: inWorkTree };
  }
  const tracked = track === 'both' ? releaseIndexPath(name) : FINAL_BUILDS_DIR;
  const commit = (await git.newestOwnCommitTouching(checkout, tracked)) ?? head;
  const parent = await git.resolveCommit(checkout, `${commit}^`);
  const inCommit = parent === undefined ? [] : await git.pathsBetween(checkout, parent, commit);
  if (parent === undefined || !inCommit.some((path) => path.startsWith(dir))) {
    return { onto: head, changedPaths: inWorkTree };
  }
  return {
    onto: parent,
    changedPaths: [...new Set([...inCommit, ...inWorkTree])].sort(),
  };
}

// The manifest names the commit the release was cut from (bosh-cli releasedir/git_repo.go
// LastCommitSHA: `git rev-parse --short HEAD`, or "non-git" / "empty"); finalize-release keeps
// the dev release's (cmd/finalize_release.go changes only name and version).
async function cutFrom(options: {
  checkout: string;
  git: Git;
  release: Release;
  onto: string;
}): Promise<string> {
  const { checkout, git, release, onto } = options;
  const named = release.sourceCommit;
  const where = `${release.manifestPath} says release ${release.version} was cut from`;
  if (!/^[0-9a-f]{4,40}$/.test(named)) {
    throw new UserError(
      `${where} ${named === '' ? 'no commit (commit_hash is missing)' : `"${named}" (commit_hash), not a commit`}: cut the release in a git checkout of the repository`,
    );
  }
  const sha = await git.resolveCommit(checkout, named);
  if (sha === undefined) {
    throw new UserError(
      (await git.isShallow(checkout))
        ? `${where} ${named}, which this shallow checkout does not have: give the put a checkout with that commit in its history (the git resource: without params.depth, or deep enough)`
        : `${where} ${named}, which the checkout does not have: give the put the checkout the release was cut in, or one that moved on from that commit`,
    );
  }
  if (!(await git.isAncestor(checkout, sha, onto))) {
    throw new UserError(
      `${where} ${named}, which is not in the history of ${onto.slice(0, 7)} the release was written on: give the put the checkout the release was cut in, or one that moved on from that commit`,
    );
  }
  return sha;
}

/**
 * Refuses a release onto metadata (`tracked`, at `where`) that does not track its history yet:
 * all of it would look new, which is the import's job (and a clearer message than "several new
 * versions" or "unreferenced build").
 */
export function refuseUnimported(options: {
  /** The paths of the metadata files at `where` (a map of them, or their set). */
  tracked: Pick<ReadonlySet<string>, 'has' | 'keys'>;
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
  const what = track === 'both' ? `${RELEASES_DIR}/${name}/` : `${FINAL_BUILDS_DIR}/`;
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
    uncommittedChanges: release.manifest.uncommittedChanges,
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

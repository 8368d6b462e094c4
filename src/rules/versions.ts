// Versions and the cursor (docs/versions.md): a merged release as a Concourse version, the order
// check reports them in, and what a (possibly partial) cursor names. Pure.
import type { ResourceVersion } from '../concourse/contract.js';
import type { PullRequest } from '../github/github.js';
import { higherVersion } from './backport.js';

/** A merged release PR and the release its merge brought to the base (docs/versions.md). */
export interface MergedRelease {
  /** The BOSH version the merge brought. */
  version: string;
  number: number;
  /** The merge commit on the base. */
  mergeSha: string;
  mergedAt: string;
  url: string;
  /** What the PR committed: the release index entry too, or only `.final_builds`. */
  track: 'both' | 'final_builds';
  /**
   * The highest version the base had before this release merged, when this one is not higher
   * (a backport): check does not report it unless `source.report_lower_versions`. Undefined when
   * it is higher than everything before it.
   */
  lowerThan: string | undefined;
}

/** The Concourse version of a merged release: its version, its PR and its merge commit. */
export function resourceVersionOf(release: MergedRelease): ResourceVersion {
  return { version: release.version, pr: String(release.number), ref: release.mergeSha };
}

/** Whether check reports a merged release as a version. */
export function isReported(
  release: MergedRelease,
  options: { reportLowerVersions?: boolean | undefined },
): boolean {
  return options.reportLowerVersions === true || release.lowerThan === undefined;
}

export function inMergeOrder<T extends { mergedAt?: string | undefined; number: number }>(
  items: readonly T[],
): T[] {
  return [...items].sort(
    (a, b) => (a.mergedAt ?? '').localeCompare(b.mergedAt ?? '') || a.number - b.number,
  );
}

/**
 * A `.final_builds`-only release has no release index on its base to be compared with: it is
 * compared with the releases merged before it in `releases` (oldest first).
 */
export function comparedInOrder(releases: MergedRelease[]): MergedRelease[] {
  const earlier: string[] = [];
  return releases.map((release) => {
    const compared =
      release.track === 'final_builds' && release.lowerThan === undefined
        ? { ...release, lowerThan: higherVersion(release.version, earlier) }
        : release;
    earlier.push(release.version);
    return compared;
  });
}

// Whether a cursor names a PR by its number or merge commit (a version alone needs the facts).
export function namesPull(
  cursor: Partial<ResourceVersion> | undefined,
  pull: PullRequest,
): boolean {
  if (cursor === undefined || (!cursor.pr && !cursor.ref)) return false;
  return (
    (!cursor.pr || cursor.pr === String(pull.number)) &&
    (!cursor.ref || cursor.ref === pull.mergeCommitSha)
  );
}

/** Whether a cursor names nothing (`{}` or only empty fields): Concourse's first check. */
export function isEmptyCursor(cursor: Partial<ResourceVersion>): boolean {
  return !cursor.version && !cursor.pr && !cursor.ref;
}

/** Whether a version is the one a (possibly partial) cursor names. */
export function matchesCursor(
  candidate: ResourceVersion,
  cursor: Partial<ResourceVersion>,
): boolean {
  if (isEmptyCursor(cursor)) return false;
  return (
    (!cursor.pr || cursor.pr === candidate.pr) &&
    (!cursor.ref || cursor.ref === candidate.ref) &&
    (!cursor.version || cursor.version === candidate.version)
  );
}

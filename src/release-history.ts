import type { Version } from './contract.js';
import type { CacheEntry, EtagCache } from './etag-cache.js';
import type { GitHub, PullRequest } from './github.js';
import type { Logger } from './log.js';
import { parsePullBlock } from './pr-body.js';
import { parseCommitTrailers } from './release-commit.js';

/** Where a release goes and the lock branch that guards it. */
export interface ReleaseTarget {
  base: string;
  releaseName: string;
  lockBranch: string;
}

/** A merged release PR as a Concourse version. */
export interface MergedRelease {
  version: Version;
  mergedAt: string;
  number: number;
  url: string;
}

/** The lock branch of a release on a base: `<prefix><base>/<release>` (DESIGN §5). */
export function lockBranchName(prefix: string, base: string, releaseName: string): string {
  return `${prefix}${base}/${releaseName}`;
}

const PAGE_SIZE = 100;

interface PageValue {
  pulls: PullRequest[];
  hasNextPage: boolean;
}

export interface HistoryOptions {
  github: GitHub;
  cache: EtagCache;
  log: Logger;
  target: ReleaseTarget;
  /** Page back only until this version is found (check's cursor); none: until the newest. */
  cursor?: Partial<Version> | undefined;
}

/**
 * Merged release PRs of the lock branch into the base, oldest first by merge time then number.
 * Pages (newest update first) only as far as needed: past the cursor's merge, or, without a
 * cursor, past the newest merge. Each page is a conditional request; a 304 reuses what the
 * cache remembers, and costs no rate limit.
 */
export async function readMergedReleases(options: HistoryOptions): Promise<MergedRelease[]> {
  const { github, cache, target } = options;
  const found = new Map<number, MergedRelease>();
  for (let page = 1; ; page++) {
    const { pulls, hasNextPage } = await readPage(github, cache, target, page);
    for (const pull of pulls) {
      if (!isMergedRelease(pull, target)) continue;
      const version = await versionOf(pull, options);
      if (version !== undefined)
        found.set(pull.number, {
          version,
          mergedAt: pull.mergedAt ?? '',
          number: pull.number,
          url: pull.htmlUrl,
        });
    }
    const oldestUpdate = pulls.at(-1)?.updatedAt;
    if (!hasNextPage || oldestUpdate === undefined) break;
    const horizon = pagingHorizon([...found.values()], options.cursor);
    // A PR's updated_at is never before its merged_at: past the horizon, nothing newer remains.
    if (horizon !== undefined && oldestUpdate < horizon) break;
  }
  return [...found.values()].sort(
    (a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.number - b.number,
  );
}

function pagingHorizon(
  found: MergedRelease[],
  cursor: Partial<Version> | undefined,
): string | undefined {
  if (cursor === undefined || isEmptyCursor(cursor)) {
    return found.reduce<string | undefined>(
      (max, r) => (max === undefined || r.mergedAt > max ? r.mergedAt : max),
      undefined,
    );
  }
  return found.find((r) => matchesCursor(r.version, cursor))?.mergedAt;
}

async function readPage(
  github: GitHub,
  cache: EtagCache,
  target: ReleaseTarget,
  page: number,
): Promise<PageValue> {
  const key = `pulls ${target.base} ${target.lockBranch} ${page}`;
  const cached = await cache.get<PageValue>(key);
  const answer = await github.listPullsConditional(
    {
      head: `${github.owner}:${target.lockBranch}`,
      base: target.base,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      perPage: PAGE_SIZE,
      page,
    },
    cached?.etag,
  );
  if (!answer.modified) {
    if (cached !== undefined) return cached.value;
    throw new Error(`GitHub answered 304 to an unconditional request for page ${page}`);
  }
  if (answer.etag !== undefined) {
    const entry: CacheEntry<PageValue> = {
      etag: answer.etag,
      value: answer.value,
      checkedAt: Date.now(),
    };
    await cache.set(key, entry);
  }
  return answer.value;
}

// GitHub's `head` filter is applied server-side, but the branch is checked again here: the filter
// has had quirks with deleted head branches and forks (DESIGN §7).
function isMergedRelease(pull: PullRequest, target: ReleaseTarget): boolean {
  return (
    pull.merged &&
    pull.mergedAt !== undefined &&
    pull.mergeCommitSha !== undefined &&
    pull.headRef === target.lockBranch &&
    pull.baseRef === target.base
  );
}

async function versionOf(pull: PullRequest, options: HistoryOptions): Promise<Version | undefined> {
  const block = parsePullBlock(pull.body);
  let release = block?.version;
  if (block === undefined) {
    // A body edited by hand lost the block: the release commit's trailers still say it.
    const commit = await options.github.getCommit(pull.headSha);
    release = parseCommitTrailers(commit.message).version;
  } else if (block.release !== options.target.releaseName) {
    return undefined;
  }
  if (release === undefined) {
    options.log.warn(
      `PR #${pull.number} merged from ${pull.headRef} carries no release version: skipped`,
    );
    return undefined;
  }
  return { version: release, pr: String(pull.number), ref: pull.mergeCommitSha ?? '' };
}

function isEmptyCursor(cursor: Partial<Version>): boolean {
  return !cursor.version && !cursor.pr && !cursor.ref;
}

/** Whether a version is the one a (possibly partial) cursor names. */
export function matchesCursor(version: Version, cursor: Partial<Version>): boolean {
  if (isEmptyCursor(cursor)) return false;
  return (
    (!cursor.pr || cursor.pr === version.pr) &&
    (!cursor.ref || cursor.ref === version.ref) &&
    (!cursor.version || cursor.version === version.version)
  );
}

/**
 * Concourse's check answer from the versions oldest first: with no cursor, the newest; with a
 * cursor still valid, it and everything newer; with one that cannot be placed, the newest.
 */
export function placeCursor(
  versions: readonly Version[],
  cursor: Partial<Version> | undefined,
): Version[] {
  const newest = versions.at(-1);
  if (newest === undefined) return [];
  if (cursor === undefined || isEmptyCursor(cursor)) return [newest];
  const index = versions.findIndex((version) => matchesCursor(version, cursor));
  return index < 0 ? [newest] : versions.slice(index);
}

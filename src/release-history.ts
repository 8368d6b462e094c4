import { mapConcurrent } from './concurrency.js';
import type { Version } from './contract.js';
import type { CacheEntry, EtagCache } from './etag-cache.js';
import type { GitHub, PullRequest } from './github.js';
import type { Logger } from './log.js';
import { readMergeFacts, type MergeFacts } from './merged-release.js';
import { parsePullBlock } from './pr-body.js';

/** Where a release goes and the lock branch that guards it. */
export interface ReleaseTarget {
  base: string;
  releaseName: string;
  lockBranch: string;
}

/** A merged release PR as a Concourse version: the release its merge brought to the base. */
export interface MergedRelease {
  version: Version;
  mergedAt: string;
  number: number;
  url: string;
  /** What the PR committed: the release index entry too, or only `.final_builds`. */
  track: 'both' | 'final_builds';
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
  /** The REST API's URL: part of what keys the facts of a merge in the cache. */
  apiUrl: string;
  /** Page back only until this version is found (check's cursor); none: until the newest. */
  cursor?: Partial<Version> | undefined;
  /** `newest`: only the newest merged release (read newest first, stopping at the first). */
  only?: 'newest' | undefined;
}

// The facts of merges not yet in the cache are read this many PRs at a time.
const FACT_CONCURRENCY = 8;

/**
 * Merged release PRs of the lock branch into the base, oldest first by merge time then number,
 * each with the version its merge brought to the base (merged-release.ts): the PR's text is a
 * hint, and a PR that delivered no release is skipped with a warning naming it. Pages (newest
 * update first) only as far as needed: past the cursor's merge, or, without a cursor, past the
 * newest merge; and reads what a merge brought only for the PRs asked for: from the cursor's PR
 * on (all listed ones when the cursor names only a version), or the newest. Each page is a
 * conditional request; a 304 reuses what the cache remembers, and costs no rate limit; so are
 * the facts of a merge, which never change.
 */
export async function readMergedReleases(options: HistoryOptions): Promise<MergedRelease[]> {
  const { github, cache, target, cursor } = options;
  const listed = new Map<number, PullRequest>();
  for (let page = 1; ; page++) {
    const { pulls, hasNextPage } = await readPage(github, cache, target, page);
    const merged = pulls.filter((pull) => isMergedRelease(pull, target));
    if (options.only === 'newest') {
      const newest = await newestDelivered(merged, options);
      if (newest !== undefined) return [newest];
    } else {
      for (const pull of merged) listed.set(pull.number, pull);
    }
    const oldestUpdate = pulls.at(-1)?.updatedAt;
    if (!hasNextPage || oldestUpdate === undefined) break;
    const horizon = await pagingHorizon([...listed.values()], options);
    // A PR's updated_at is never before its merged_at: past the horizon, nothing newer remains.
    if (horizon !== undefined && oldestUpdate < horizon) break;
  }
  const ordered = [...listed.values()].sort(
    (a, b) => (a.mergedAt ?? '').localeCompare(b.mergedAt ?? '') || a.number - b.number,
  );
  const from = ordered.findIndex((pull) => namesPull(cursor, pull));
  return releasesOf(from < 0 ? ordered : ordered.slice(from), options);
}

/** What each merged PR delivered, in the given order, skipping those that delivered nothing. */
export async function releasesOf(
  pulls: readonly PullRequest[],
  options: HistoryOptions,
): Promise<MergedRelease[]> {
  const releases = await mapConcurrent(pulls, FACT_CONCURRENCY, (pull) => releaseOf(pull, options));
  return releases.filter((release): release is MergedRelease => release !== undefined);
}

// Whether a cursor names a PR by its number or merge commit (a version alone needs the facts).
function namesPull(cursor: Partial<Version> | undefined, pull: PullRequest): boolean {
  if (cursor === undefined || (!cursor.pr && !cursor.ref)) return false;
  return (
    (!cursor.pr || cursor.pr === String(pull.number)) &&
    (!cursor.ref || cursor.ref === pull.mergeCommitSha)
  );
}

async function pagingHorizon(
  listed: PullRequest[],
  options: HistoryOptions,
): Promise<string | undefined> {
  const { cursor } = options;
  if (cursor === undefined || isEmptyCursor(cursor)) {
    return listed.reduce<string | undefined>(
      (max, pull) => (max === undefined || (pull.mergedAt ?? '') > max ? pull.mergedAt : max),
      undefined,
    );
  }
  if (cursor.pr || cursor.ref) return listed.find((pull) => namesPull(cursor, pull))?.mergedAt;
  // `fly check-resource --from version:X`: only what the merges brought can place it.
  const releases = await releasesOf(listed, options);
  return releases.find((release) => matchesCursor(release.version, cursor))?.mergedAt;
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

// Newest merge first: the first PR that delivered a release is the newest version.
async function newestDelivered(
  merged: PullRequest[],
  options: HistoryOptions,
): Promise<MergedRelease | undefined> {
  const newestFirst = [...merged].sort(
    (a, b) => (b.mergedAt ?? '').localeCompare(a.mergedAt ?? '') || b.number - a.number,
  );
  for (const pull of newestFirst) {
    const release = await releaseOf(pull, options);
    if (release !== undefined) return release;
  }
  return undefined;
}

/** The release a merged PR delivered, warning where its text disagrees or it delivered none. */
async function releaseOf(
  pull: PullRequest,
  options: HistoryOptions,
): Promise<MergedRelease | undefined> {
  const { target } = options;
  const facts = await readMergeFacts({
    github: options.github,
    cache: options.cache,
    where: { apiUrl: options.apiUrl, base: target.base, releaseName: target.releaseName },
    pull,
  });
  const disagreement = describeDisagreement(pull, facts, target);
  if (disagreement !== undefined) options.log.warn(disagreement);
  if (!facts.delivered) return undefined;
  return {
    version: { version: facts.version, pr: String(pull.number), ref: pull.mergeCommitSha ?? '' },
    mergedAt: pull.mergedAt ?? '',
    number: pull.number,
    url: pull.htmlUrl,
    track: facts.track,
  };
}

/**
 * The warning for a merged PR whose body's block names another release than its merge brought,
 * or that brought none; undefined when they agree (or the block is gone: the body is the
 * reviewers' to edit, and the repository says the version anyway).
 */
export function describeDisagreement(
  pull: PullRequest,
  facts: MergeFacts,
  target: ReleaseTarget,
): string | undefined {
  if (!facts.delivered) {
    return `PR #${pull.number} (${pull.htmlUrl}) merged from ${pull.headRef} but delivered no release of ${target.releaseName}: ${facts.reason}; skipped`;
  }
  const block = parsePullBlock(pull.body);
  if (block === undefined) return undefined;
  if (block.release === target.releaseName && block.version === facts.version) return undefined;
  return `PR #${pull.number} (${pull.htmlUrl}) says ${block.release} ${block.version} in its body, but its merge brought ${target.releaseName} ${facts.version} to ${target.base}: reporting ${facts.version} (the repository decides; the body is only a hint)`;
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

import { higherVersion } from './backport.js';
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
  /**
   * The highest version the base had before this release merged, when this one is not higher
   * (a backport): check does not report it unless `source.report_lower_versions`. Undefined when
   * it is higher than everything before it.
   */
  lowerThan: string | undefined;
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
  /** Whether check reports every merged release (`source.report_lower_versions`). */
  reportLowerVersions?: boolean | undefined;
  /**
   * What the base tracks (`source.track`). With `final_builds` it has no release index to tell
   * a backport by, so a release is compared with the releases merged before it: the whole
   * history is read (unless every release is reported anyway).
   */
  track?: 'both' | 'final_builds' | undefined;
}

// The facts of merges not yet in the cache are read this many PRs at a time.
const FACT_CONCURRENCY = 8;

/**
 * Merged release PRs of the lock branch into the base, oldest first by merge time then number,
 * each with the version its merge brought to the base (merged-release.ts) and whether it is lower
 * than what the base had (`lowerThan`): the PR's text is a hint, and a PR that delivered no
 * release is skipped with a warning naming it. Pages (newest update first) only as far as
 * needed: past the cursor's merge, or, without a cursor, past the newest merge (all of them when
 * the base tracks only `.final_builds`); and reads what a merge brought only for the PRs asked
 * for: from the cursor's PR on (all listed ones when the cursor names only a version). Each page
 * is a conditional request; a 304 reuses what the cache remembers, and costs no rate limit; so
 * are the facts of a merge, which never change.
 */
export async function readMergedReleases(options: HistoryOptions): Promise<MergedRelease[]> {
  const whole = comparesWithEveryEarlierRelease(options);
  const listed = new Map<number, PullRequest>();
  for await (const { merged, oldestUpdate } of mergedPages(options)) {
    for (const pull of merged) listed.set(pull.number, pull);
    if (whole || oldestUpdate === undefined) continue;
    const horizon = await pagingHorizon([...listed.values()], options);
    // A PR's updated_at is never before its merged_at: past the horizon, nothing newer remains.
    if (horizon !== undefined && oldestUpdate < horizon) break;
  }
  const ordered = inMergeOrder([...listed.values()]);
  const from = Math.max(
    0,
    ordered.findIndex((pull) => namesPull(options.cursor, pull)),
  );
  if (!whole) return comparedInOrder(await releasesOf(ordered.slice(from), options));
  const asked = new Set(ordered.slice(from).map((pull) => pull.number));
  const releases = comparedInOrder(await releasesOf(ordered, options));
  return releases.filter((release) => asked.has(release.number));
}

/**
 * The newest merged release that check reports (higher than everything its base had before it,
 * or any with `reportLowerVersions`), and the lower ones merged after it, oldest first. Reads
 * newest first and stops at it, unless the base tracks only `.final_builds` (then all of them).
 */
export async function readNewestReported(
  options: HistoryOptions,
): Promise<{ newest: MergedRelease | undefined; passed: MergedRelease[] }> {
  const history = { ...options, cursor: undefined };
  if (comparesWithEveryEarlierRelease(history)) {
    const releases = await readMergedReleases(history);
    const at = releases.findLastIndex((release) => isReported(release, history));
    return { newest: releases[at], passed: releases.slice(at + 1) };
  }
  const passed: MergedRelease[] = [];
  const seen = new Set<number>();
  for await (const { merged } of mergedPages(history)) {
    const fresh = merged.filter((pull) => !seen.has(pull.number));
    for (const pull of fresh) seen.add(pull.number);
    for (const pull of inMergeOrder(fresh).reverse()) {
      const release = await releaseOf(pull, history);
      if (release === undefined) continue;
      if (isReported(release, history)) return { newest: release, passed: inMergeOrder(passed) };
      passed.push(release);
    }
  }
  return { newest: undefined, passed: inMergeOrder(passed) };
}

/** Whether check reports a merged release as a version. */
export function isReported(release: MergedRelease, options: HistoryOptions): boolean {
  return options.reportLowerVersions === true || release.lowerThan === undefined;
}

function comparesWithEveryEarlierRelease(options: HistoryOptions): boolean {
  return options.track === 'final_builds' && options.reportLowerVersions !== true;
}

/** What each merged PR delivered, in the given order, skipping those that delivered nothing. */
export async function releasesOf(
  pulls: readonly PullRequest[],
  options: HistoryOptions,
): Promise<MergedRelease[]> {
  const releases = await mapConcurrent(pulls, FACT_CONCURRENCY, (pull) => releaseOf(pull, options));
  return releases.filter((release): release is MergedRelease => release !== undefined);
}

/** The merged release PRs of each page of the lock branch's closed PRs, newest update first. */
async function* mergedPages(
  options: HistoryOptions,
): AsyncGenerator<{ merged: PullRequest[]; oldestUpdate: string | undefined }> {
  const { github, cache, target } = options;
  for (let page = 1; ; page++) {
    const { pulls, hasNextPage } = await readPage(github, cache, target, page);
    const oldestUpdate = hasNextPage ? pulls.at(-1)?.updatedAt : undefined;
    yield { merged: pulls.filter((pull) => isMergedRelease(pull, target)), oldestUpdate };
    if (oldestUpdate === undefined) return;
  }
}

function inMergeOrder<T extends { mergedAt?: string | undefined; number: number }>(
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
function comparedInOrder(releases: MergedRelease[]): MergedRelease[] {
  const earlier: string[] = [];
  return releases.map((release) => {
    const compared =
      release.track === 'final_builds' && release.lowerThan === undefined
        ? { ...release, lowerThan: higherVersion(release.version.version, earlier) }
        : release;
    earlier.push(release.version.version);
    return compared;
  });
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
    lowerThan:
      facts.highestBefore === undefined
        ? undefined
        : higherVersion(facts.version, [facts.highestBefore]),
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

/** Whether a cursor names nothing (`{}` or only empty fields): Concourse's first check. */
export function isEmptyCursor(cursor: Partial<Version>): boolean {
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

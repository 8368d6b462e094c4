import { higherVersion } from '../rules/backport.js';
import {
  comparedInOrder,
  inMergeOrder,
  isEmptyCursor,
  isReported,
  matchesCursor,
  namesPull,
  resourceVersionOf,
  type MergedRelease,
} from '../rules/versions.js';
import { mapConcurrent } from '../io/concurrency.js';
import type { ResourceVersion } from '../concourse/contract.js';
import type { CacheEntry, EtagCache } from '../io/etag-cache.js';
import type { GitHub, PullRequest } from '../github/github.js';
import type { Logger } from '../io/log.js';
import { readMergeFacts, type MergeFacts } from './merge-facts.js';
import type { ReleaseTarget } from '../rules/lock-state.js';
import { parsePullBlock } from '../rules/pull-block.js';

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
  cursor?: Partial<ResourceVersion> | undefined;
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

function comparesWithEveryEarlierRelease(options: HistoryOptions): boolean {
  return options.track === 'final_builds' && options.reportLowerVersions !== true;
}

/** What each merged PR delivered, in the given order, skipping those that delivered nothing. */
async function releasesOf(
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
  return releases.find((release) => matchesCursor(resourceVersionOf(release), cursor))?.mergedAt;
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
// has had quirks with deleted head branches and forks (docs/versions.md).
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
    version: facts.version,
    number: pull.number,
    mergeSha: pull.mergeCommitSha ?? '',
    mergedAt: pull.mergedAt ?? '',
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
function describeDisagreement(
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

// What a merged release PR delivered, read from the repository rather than from the PR's text
// (docs/versions.md, "A merged PR's version"): the release index entries its merge added to the
// base, or, for a PR that committed only `.final_builds` (`track: final_builds`), the trailers of
// the resource's own release commit among the PR's commits, with `.final_builds` entries brought by
// the merge.
import {
  compareVersionTexts,
  FINAL_BUILDS_DIR,
  parseReleaseIndex,
  releaseIndexPath,
} from '../bosh/index.js';
import type { EtagCache } from '../io/etag-cache.js';
import { UserError } from '../errors.js';
import type { CommitInfo, GitHub, PullRequest } from '../github/github.js';
import { isReleaseCommit, parseCommitTrailers } from '../rules/release-commit.js';

/** What one merge brought to the base, as far as the release is concerned. */
export type MergeFacts =
  | {
      delivered: true;
      /** The release version the merge brought (for an import: the highest it brought). */
      version: string;
      /** `both`: the release index gained it; `final_builds`: only `.final_builds` entries. */
      track: 'both' | 'final_builds';
      /**
       * The highest version the base's release index listed just before the merge (the starting
       * version, releases pushed by hand and every earlier merge included); undefined when it
       * listed none or there was no index (`track: final_builds`).
       */
      highestBefore: string | undefined;
    }
  | {
      delivered: false;
      /** Why nothing counts, for the warning that names the PR. */ reason: string;
    };

/** Where a release lives: what, with the repository, makes a merge's facts unique. */
interface ReleaseWhere {
  apiUrl: string;
  base: string;
  releaseName: string;
}

// 2: facts carry highestBefore.
const FACTS_FORMAT = 2;

/**
 * What a merged PR delivered. Facts about a merge commit never change, so they are kept in
 * `cache` without expiry, keyed by API URL, repository, base, release, PR and merge sha: an idle
 * check reads them without a request.
 */
export async function readMergeFacts(options: {
  github: GitHub;
  cache: EtagCache;
  where: ReleaseWhere;
  pull: PullRequest;
}): Promise<MergeFacts> {
  const { github, cache, where, pull } = options;
  const merge = pull.mergeCommitSha;
  if (!pull.merged || merge === undefined) {
    return { delivered: false, reason: 'it is not merged' };
  }
  const key = [
    `merge-facts/${FACTS_FORMAT}`,
    where.apiUrl,
    `${github.owner}/${github.repo}`,
    where.base,
    where.releaseName,
    `#${pull.number}`,
    merge,
  ].join(' ');
  const cached = await cache.get<MergeFacts>(key);
  if (cached !== undefined) return cached.value;
  const facts = await computeFacts(github, where, pull, merge);
  await cache.set(key, { etag: '', value: facts, checkedAt: Date.now() });
  return facts;
}

async function computeFacts(
  github: GitHub,
  where: ReleaseWhere,
  pull: PullRequest,
  merge: string,
): Promise<MergeFacts> {
  const pullCommits = lazy(() => github.listPullCommits(pull.number));
  const before = await commitBeforeMerge(github, merge, pullCommits);
  const indexPath = releaseIndexPath(where.releaseName);
  let highestBefore: string | undefined;
  try {
    const [after, prior] = await Promise.all([
      indexEntries(github, indexPath, merge),
      before === undefined ? new Map<string, string>() : indexEntries(github, indexPath, before),
    ]);
    highestBefore = highest([...prior.values()]);
    const added = [...after].filter(([id]) => !prior.has(id)).map(([, version]) => version);
    const version = highest(added);
    if (version !== undefined) return { delivered: true, version, track: 'both', highestBefore };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { delivered: false, reason: `${indexPath} cannot be read there (${error.message})` };
  }

  // No new release index entry: a PR of the `.final_builds`-only migration step, or no release.
  // Its trailers name no release, so only the release's own lock branch (…/<release>) counts.
  if (!pull.headRef.endsWith(`/${where.releaseName}`)) {
    return { delivered: false, reason: `its merge added no version to ${indexPath}` };
  }
  // A release commit by its trailers alone, whoever authored it (rules/release-commit.ts says why).
  const commit = [...(await pullCommits())].reverse().find((c) => isReleaseCommit(c.message));
  const own = commit === undefined ? undefined : parseCommitTrailers(commit.message);
  if (own?.version === undefined) {
    return {
      delivered: false,
      reason: `its merge added no version to ${indexPath}, and none of its commits is a release commit of this resource`,
    };
  }
  const brought = before === undefined ? undefined : await github.compareCommits(before, merge);
  const builds = brought?.files.some(
    (file) =>
      file.filename.startsWith(`${FINAL_BUILDS_DIR}/`) &&
      file.filename.endsWith('/index.yml') &&
      file.additions > 0,
  );
  if (builds !== true) {
    return {
      delivered: false,
      reason: `its release commit names ${where.releaseName} ${own.version}, but its merge added neither a version to ${indexPath} nor a ${FINAL_BUILDS_DIR} entry`,
    };
  }
  return { delivered: true, version: own.version, track: 'final_builds', highestBefore };
}

/**
 * The base commit just before the merge brought the PR's changes. A merge commit: its first
 * parent. One parent: a squash (the commit's parent), or a rebase, whose replayed commits keep
 * each PR commit's message and author; walk back over those, and never further than the PR's
 * own commits.
 */
async function commitBeforeMerge(
  github: GitHub,
  merge: string,
  pullCommits: () => Promise<CommitInfo[]>,
): Promise<string | undefined> {
  const mergeCommit = await github.getCommit(merge);
  if (mergeCommit.parents.length !== 1) return mergeCommit.parents[0];
  const own = await pullCommits();
  let current = mergeCommit;
  let before = mergeCommit.parents[0];
  for (let index = own.length - 1; index >= 0; index--) {
    const original = own[index];
    if (original === undefined || !replays(current, original)) break;
    before = current.parents[0];
    if (index === 0 || before === undefined) break;
    const parent = await github.getCommit(before);
    if (parent.parents.length !== 1) break;
    current = parent;
  }
  return before;
}

// A rebase merge replays a commit with its message and author (name, email and date); a squash
// writes a new message and authors it now.
function replays(commit: CommitInfo, original: CommitInfo): boolean {
  if (commit.sha === original.sha) return true;
  const a = commit.author;
  const b = original.author;
  return (
    a !== undefined &&
    b !== undefined &&
    commit.message.trimEnd() === original.message.trimEnd() &&
    a.name === b.name &&
    a.email === b.email &&
    Date.parse(a.date) === Date.parse(b.date)
  );
}

/** The entries (ID → version) of a release index at a commit; none when the file is absent. */
async function indexEntries(
  github: GitHub,
  path: string,
  ref: string,
): Promise<Map<string, string>> {
  const answer = await github.getFileConditional(path, ref, undefined);
  if (!answer.modified || answer.value === undefined) return new Map();
  return new Map(parseReleaseIndex(answer.value, `${path} at ${ref}`).builds);
}

function highest(versions: string[]): string | undefined {
  return versions.reduce<string | undefined>(
    (best, version) =>
      best === undefined || compareVersionTexts(version, best) > 0 ? version : best,
    undefined,
  );
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

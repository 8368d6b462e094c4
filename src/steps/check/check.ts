import { describeSkipped } from '../../rules/backport.js';
import type { CheckResponse, ResourceVersion } from '../../concourse/contract.js';
import type { EtagCache } from '../../io/etag-cache.js';
import type { GitHub } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import {
  readMergedReleases,
  readNewestReported,
  type HistoryOptions,
} from '../../history/merged-releases.js';
import {
  isEmptyCursor,
  isReported,
  matchesCursor,
  resourceVersionOf,
  type MergedRelease,
} from '../../rules/versions.js';
import { resolveTarget } from '../../history/release-target.js';
import type { CheckInput } from '../../concourse/settings.js';
import { startingVersion } from '../../history/starting-version.js';

export interface CheckDeps {
  github: GitHub;
  cache: EtagCache;
  log: Logger;
  /** The clock of what check remembers for a while (tests move it). */
  now?: (() => number) | undefined;
}

/**
 * Reports merged release PRs as versions, oldest first (docs/versions.md): by default only those
 * higher than everything their base had before them, logging each lower one it passes over.
 */
export async function check(input: CheckInput, deps: CheckDeps): Promise<CheckResponse> {
  const target = await resolveTarget({
    github: deps.github,
    cache: deps.cache,
    source: input.source,
    now: deps.now,
  });
  const history: HistoryOptions = {
    ...deps,
    target,
    apiUrl: input.source.apiUrl,
    reportLowerVersions: input.source.reportLowerVersions,
    track: input.source.track,
  };
  const skipped = new Map<number, MergedRelease>();
  const skip = (releases: MergedRelease[]): void => {
    for (const release of releases) {
      if (!isReported(release, history)) skipped.set(release.number, release);
    }
  };
  const start = () => startingVersion({ ...deps, target });
  // Without a cursor Concourse wants only the newest version: read no other merge.
  const newest = async (): Promise<ResourceVersion | undefined> => {
    const { newest: release, passed } = await readNewestReported(history);
    skip(passed);
    return release === undefined ? await start() : resourceVersionOf(release);
  };
  try {
    return await answer(input.version, { history, newest, start, skip });
  } finally {
    for (const release of skipped.values()) {
      if (release.lowerThan === undefined) continue;
      const { number, url, lowerThan } = release;
      deps.log.warn(describeSkipped({ number, url, version: release.version, lowerThan }, target));
    }
  }
}

/** Concourse's answer to a check from `cursor` (docs/versions.md): oldest first, latest last. */
async function answer(
  cursor: Partial<ResourceVersion> | undefined,
  context: {
    history: HistoryOptions;
    newest: () => Promise<ResourceVersion | undefined>;
    start: () => Promise<ResourceVersion | undefined>;
    skip: (releases: MergedRelease[]) => void;
  },
): Promise<ResourceVersion[]> {
  const { history, newest, skip } = context;
  if (cursor === undefined || isEmptyCursor(cursor)) return present(await newest());

  const merged = await readMergedReleases({ ...history, cursor });
  const reported = (releases: MergedRelease[]) =>
    releases.filter((release) => isReported(release, history));
  // The base's starting release as the cursor: every merged release PR came after it (all of
  // them were read, for the cursor names none).
  if (cursor.pr === '' && cursor.version && cursor.ref) {
    skip(merged);
    const after = reported(merged).map(resourceVersionOf);
    if (after.length === 0) return present(await context.start());
    return [{ version: cursor.version, pr: '', ref: cursor.ref }, ...after];
  }
  const at = merged.findIndex((release) => matchesCursor(resourceVersionOf(release), cursor));
  // A version that cannot be placed (its PR's record gone, or it delivered nothing): the newest.
  const own = merged[at];
  const after = merged.slice(at + 1);
  skip(after);
  const later = reported(after);
  if (own === undefined) {
    const last = later.at(-1);
    return last === undefined ? present(await newest()) : [resourceVersionOf(last)];
  }
  if (later.length > 0 || isReported(own, history)) {
    return [own, ...later].map(resourceVersionOf);
  }
  // The cursor is a lower release merged after the newest reported one (a pinned version, or
  // fly check-resource --from): it is valid, but the newest reported version must stay last:
  // Concourse gives every version of an answer that holds a new one a new check order, in the
  // answer's order, and takes the highest as the latest (saveVersions and incrementCheckOrder in
  // https://github.com/concourse/concourse/blob/master/atc/db/resource_config_scope.go).
  return [resourceVersionOf(own), ...present(await newest())];
}

function present(version: ResourceVersion | undefined): ResourceVersion[] {
  return version === undefined ? [] : [version];
}

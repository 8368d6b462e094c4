import type { CheckResponse, Version } from '../contract.js';
import type { EtagCache } from '../etag-cache.js';
import type { GitHub } from '../github.js';
import type { Logger } from '../log.js';
import { placeCursor, readMergedReleases } from '../release-history.js';
import { resolveTarget } from '../release-target.js';
import type { CheckInput } from '../settings.js';
import { startingVersion } from '../starting-version.js';

export interface CheckDeps {
  github: GitHub;
  cache: EtagCache;
  log: Logger;
  /** The clock of what check remembers for a while (tests move it). */
  now?: (() => number) | undefined;
}

/** Reports merged release PRs as versions, oldest first (DESIGN §4, §7). */
export async function check(input: CheckInput, deps: CheckDeps): Promise<CheckResponse> {
  const target = await resolveTarget({
    github: deps.github,
    cache: deps.cache,
    source: input.source,
    now: deps.now,
  });
  const cursor = input.version;
  const fromCursor = cursor !== undefined && Object.values(cursor).some((value) => !!value);
  // Without a cursor Concourse wants only the newest version: read no other merge.
  const merged = await readMergedReleases({
    ...deps,
    target,
    apiUrl: input.source.apiUrl,
    cursor,
    only: fromCursor ? undefined : 'newest',
  });
  const versions = merged.map((release) => release.version);
  if (versions.length === 0) {
    const start = await startingVersion({ ...deps, target });
    return start === undefined ? [] : [start];
  }
  // The base's starting release as the cursor: every merged release PR came after it.
  if (cursor?.pr === '' && cursor.version && cursor.ref) {
    const start: Version = { version: cursor.version, pr: '', ref: cursor.ref };
    return [start, ...versions];
  }
  return placeCursor(versions, cursor);
}

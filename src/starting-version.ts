import type { Version } from './contract.js';
import type { EtagCache } from './etag-cache.js';
import type { GitHub } from './github.js';
import type { ReleaseTarget } from './release-history.js';
import { highestFinalVersion, releaseIndexPath, releaseManifestPath } from './bosh/index.js';

/**
 * The base's current release as a version, for a repository where no release PR has merged yet
 * (DESIGN §4): the highest final version, `pr: ""`, and the commit that added its manifest.
 * Undefined when the base has no final release. Remembered per index ETag: an idle poll asks
 * GitHub one conditional question.
 */
export async function startingVersion(options: {
  github: GitHub;
  cache: EtagCache;
  target: ReleaseTarget;
}): Promise<Version | undefined> {
  const { github, cache, target } = options;
  const indexPath = releaseIndexPath(target.releaseName);
  const key = `start ${target.base} ${indexPath}`;
  const cached = await cache.get<Version | null>(key);
  const answer = await github.getFileConditional(indexPath, target.base, cached?.etag);
  if (!answer.modified && cached !== undefined) return cached.value ?? undefined;
  if (!answer.modified || answer.value === undefined) return undefined;
  const highest = highestFinalVersion(
    new Map([[indexPath, answer.value]]),
    target.releaseName,
  )?.version;
  let version: Version | null = null;
  if (highest !== undefined) {
    const manifest = releaseManifestPath(target.releaseName, highest);
    const commit = await github.lastCommitTouching(manifest, target.base);
    if (commit !== undefined) version = { version: highest, pr: '', ref: commit.sha };
  }
  if (answer.etag !== undefined)
    await cache.set(key, { etag: answer.etag, value: version, checkedAt: Date.now() });
  return version ?? undefined;
}

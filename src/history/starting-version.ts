import type { ResourceVersion } from '../concourse/contract.js';
import { revalidated, type EtagCache } from '../io/etag-cache.js';
import type { GitHub } from '../github/github.js';
import type { ReleaseTarget } from '../rules/lock-state.js';
import { highestFinalVersion, releaseIndexPath, releaseManifestPath } from '../bosh/index.js';

/**
 * The base's current release as a version, for a repository where no release PR has merged yet
 * (docs/versions.md, "The starting version"): the highest final version, `pr: ""`, and the commit
 * that added its manifest. Undefined when the base has no final release.
 *
 * Remembered for REVALIDATE_AFTER_MS (etag-cache.ts), then revalidated by the index's ETag: an idle poll of such
 * a repository asks GitHub one question (its release PRs), not two. The price: a release pushed
 * straight to the base, not through a release PR, is reported up to that much later.
 */
export async function startingVersion(options: {
  github: GitHub;
  cache: EtagCache;
  target: ReleaseTarget;
  now?: (() => number) | undefined;
}): Promise<ResourceVersion | undefined> {
  const { github, target } = options;
  const indexPath = releaseIndexPath(target.releaseName);
  const version = await revalidated<ResourceVersion | null>({
    cache: options.cache,
    key: `start ${target.base} ${indexPath}`,
    now: options.now,
    ask: async (etag) => {
      const answer = await github.getFileConditional(indexPath, target.base, etag);
      if (!answer.modified) return answer;
      return { ...answer, value: await startAt(github, target, answer.value) };
    },
  });
  return version ?? undefined;
}

async function startAt(
  github: GitHub,
  target: ReleaseTarget,
  index: string | undefined,
): Promise<ResourceVersion | null> {
  if (index === undefined) return null;
  const indexPath = releaseIndexPath(target.releaseName);
  const highest = highestFinalVersion(new Map([[indexPath, index]]), target.releaseName)?.version;
  if (highest === undefined) return null;
  const manifest = releaseManifestPath(target.releaseName, highest);
  const commit = await github.lastCommitTouching(manifest, target.base);
  return commit === undefined ? null : { version: highest, pr: '', ref: commit.sha };
}

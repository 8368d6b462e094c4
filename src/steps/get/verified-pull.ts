// Which merged release PR a get's version names, checked against what its merge delivered.
import type { ResourceVersion } from '../../concourse/contract.js';
import type { SourceSettings } from '../../concourse/settings.js';
import { UserError } from '../../errors.js';
import { isGitHubFailure } from '../../github/failures.js';
import type { GitHub, PullRequest } from '../../github/github.js';
import { readMergeFacts } from '../../history/merge-facts.js';
import { noEtagCache } from '../../io/etag-cache.js';

/** The version's PR, what its lock branch names, and what its merge delivered. */
export interface Verified {
  pull: PullRequest;
  releaseName: string;
  track: 'both' | 'final_builds';
}

/**
 * The version's PR, checked to be merged at `ref` and to have delivered exactly that release:
 * what its merge brought to the base decides, never its (editable) body.
 */
export async function verifiedPull(
  github: GitHub,
  requested: ResourceVersion,
  source: SourceSettings,
  /** Told the release name as soon as the PR is read, before its merge is checked. */
  onReleaseName: (name: string) => void = () => undefined,
): Promise<Verified> {
  const pull = await mergedPull(github, requested);
  // The lock branch is <prefix><base>/<release>, and a release name has no slash.
  const releaseName = source.releaseName ?? pull.headRef.split('/').at(-1) ?? '';
  onReleaseName(releaseName);
  const facts = await readMergeFacts({
    github,
    cache: noEtagCache,
    where: { apiUrl: source.apiUrl, base: pull.baseRef, releaseName },
    pull,
  });
  if (!facts.delivered) {
    throw new UserError(
      `version ${requested.version} is not available: PR #${requested.pr} delivered no release of ${releaseName} (${facts.reason}): pick a version check reported`,
    );
  }
  if (facts.version !== requested.version) {
    throw new UserError(
      `version ${requested.version} is not what PR #${requested.pr} merged: its merge ${requested.ref.slice(0, 7)} brought ${releaseName} ${facts.version} to ${pull.baseRef}, so get {"version":"${facts.version}","pr":"${requested.pr}","ref":"${requested.ref}"} (as check reports it)`,
    );
  }
  return { pull, releaseName, track: facts.track };
}

async function mergedPull(github: GitHub, requested: ResourceVersion): Promise<PullRequest> {
  let pull: PullRequest;
  try {
    pull = await github.getPull(Number(requested.pr));
  } catch (error) {
    if (isGitHubFailure(error, 'not-found')) {
      throw new UserError(
        `version ${requested.version} is not available: PR #${requested.pr} does not exist in this repository`,
      );
    }
    throw error;
  }
  if (!pull.merged) {
    throw new UserError(
      `version ${requested.version} is not available: PR #${requested.pr} is ${pull.state} and not merged (${pull.htmlUrl})`,
    );
  }
  if (pull.mergeCommitSha !== requested.ref) {
    throw new UserError(
      `version ${requested.version} is not available: PR #${requested.pr} merged as ${pull.mergeCommitSha ?? 'nothing'}, not ${requested.ref}`,
    );
  }
  return pull;
}

import { revalidated, type EtagCache } from './etag-cache.js';
import { UserError } from './errors.js';
import type { Conditional, GitHub } from './github.js';
import { lockBranchName, type ReleaseTarget } from './release-history.js';
import type { SourceSettings } from './settings.js';
import { parseFinalConfig } from './bosh/index.js';

/**
 * What rarely changes — the default branch, config/final.yml's name, the base's starting release —
 * check asks GitHub again at most this often, so that an idle poll stays one request. A change is
 * seen at most this late; the requests are conditional anyway.
 */
export const REVALIDATE_AFTER_MS = 5 * 60_000;

export interface TargetOptions {
  github: GitHub;
  cache: EtagCache;
  source: SourceSettings;
  /** The release name when the caller already knows it (out reads the checkout's). */
  releaseName?: string | undefined;
  now?: (() => number) | undefined;
}

/** The base branch, the release name and the lock branch, from source or from GitHub. */
export async function resolveTarget(options: TargetOptions): Promise<ReleaseTarget> {
  const { github, source } = options;
  const base =
    source.baseBranch ??
    (await remembered(options, 'repository', (etag) => github.getRepositoryConditional(etag)))
      .defaultBranch;
  const releaseName =
    source.releaseName ??
    options.releaseName ??
    (await remembered(options, `final.yml ${base}`, async (etag) => {
      const answer = await github.getFileConditional('config/final.yml', base, etag);
      if (!answer.modified) return answer;
      if (answer.value === undefined) {
        throw new UserError(
          `config/final.yml is not on ${base}: set source.release_name, or check source.base_branch`,
        );
      }
      return {
        ...answer,
        value: parseFinalConfig(answer.value, `config/final.yml on ${base}`).name,
      };
    }));
  return { base, releaseName, lockBranch: lockBranchName(source.branchPrefix, base, releaseName) };
}

function remembered<T>(
  options: TargetOptions,
  key: string,
  ask: (etag: string | undefined) => Promise<Conditional<T>>,
): Promise<T> {
  return revalidated({
    cache: options.cache,
    key,
    maxAgeMs: REVALIDATE_AFTER_MS,
    now: options.now,
    ask,
  });
}

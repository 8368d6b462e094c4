import type { EtagCache } from './etag-cache.js';
import { UserError } from './errors.js';
import type { Conditional, GitHub } from './github.js';
import { lockBranchName, type ReleaseTarget } from './release-history.js';
import type { SourceSettings } from './settings.js';
import { parseFinalConfig } from './bosh/index.js';

// The default branch and config/final.yml's name rarely change: check re-asks GitHub for them at
// most this often, so that an idle poll stays one request. Both are conditional requests anyway.
const REVALIDATE_AFTER_MS = 5 * 60_000;

export interface TargetOptions {
  github: GitHub;
  cache: EtagCache;
  source: SourceSettings;
  /** The release name when the caller already knows it (out reads the checkout's). */
  releaseName?: string | undefined;
  now?: () => number;
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

async function remembered<T>(
  options: TargetOptions,
  key: string,
  ask: (etag: string | undefined) => Promise<Conditional<T>>,
): Promise<T> {
  const now = (options.now ?? Date.now)();
  const cached = await options.cache.get<T>(key);
  if (cached !== undefined && now - cached.checkedAt < REVALIDATE_AFTER_MS) return cached.value;
  const answer = await ask(cached?.etag);
  if (!answer.modified) {
    if (cached === undefined)
      throw new Error(`GitHub answered 304 to an unconditional request (${key})`);
    await options.cache.set(key, { ...cached, checkedAt: now });
    return cached.value;
  }
  if (answer.etag !== undefined)
    await options.cache.set(key, { etag: answer.etag, value: answer.value, checkedAt: now });
  return answer.value;
}

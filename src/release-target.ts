import { revalidated, type EtagCache } from './etag-cache.js';
import { UserError } from './errors.js';
import type { Conditional, GitHub } from './github.js';
import { lockBranchName, type ReleaseTarget } from './release-history.js';
import type { SourceSettings } from './settings.js';
import { parseFinalConfig } from './bosh/index.js';

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
  const remember = { cache: options.cache, now: options.now };
  const base =
    source.baseBranch ??
    (
      await revalidated({
        ...remember,
        key: 'repository',
        ask: (etag) => github.getRepositoryConditional(etag),
      })
    ).defaultBranch;
  const releaseName =
    source.releaseName ??
    options.releaseName ??
    (await revalidated({
      ...remember,
      key: `final.yml ${base}`,
      ask: (etag) => releaseNameOn(github, base, etag),
    }));
  return { base, releaseName, lockBranch: lockBranchName(source.branchPrefix, base, releaseName) };
}

/** config/final.yml's release name on `base`, conditionally. */
async function releaseNameOn(
  github: GitHub,
  base: string,
  etag: string | undefined,
): Promise<Conditional<string>> {
  const answer = await github.getFileConditional('config/final.yml', base, etag);
  if (!answer.modified) return answer;
  if (answer.value === undefined) {
    throw new UserError(
      `config/final.yml is not on ${base}: set source.release_name, or check source.base_branch`,
    );
  }
  return { ...answer, value: parseFinalConfig(answer.value, `config/final.yml on ${base}`).name };
}

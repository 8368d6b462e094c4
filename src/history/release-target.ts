import { revalidated, type EtagCache } from '../io/etag-cache.js';
import { UserError } from '../errors.js';
import type { Conditional, GitHub } from '../github/github.js';
import { lockBranchName, type ReleaseTarget } from '../rules/lock-state.js';
import type { SourceSettings } from '../concourse/settings.js';
import { FINAL_CONFIG_PATH, parseFinalConfig } from '../bosh/index.js';

interface TargetOptions {
  github: GitHub;
  cache: EtagCache;
  source: SourceSettings;
  /** The release name when the caller already knows it (out reads the checkout's). */
  releaseName?: string | undefined;
  now?: (() => number) | undefined;
}

/**
 * The base branch, the release name and the lock branch, from source or from GitHub. A
 * `source.base_branch` that names no branch (a tag, most often) is refused.
 */
export async function resolveTarget(options: TargetOptions): Promise<ReleaseTarget> {
  const { github, source } = options;
  const remember = { cache: options.cache, now: options.now };
  if (source.baseBranch !== undefined) {
    const named = source.baseBranch;
    await revalidated({
      ...remember,
      key: `tag ${named}`,
      ask: async (etag) => {
        const answer = await tagOnly(github, named, etag);
        if (answer.modified && answer.value) throw tagAsBase(github, named);
        return answer;
      },
    });
  }
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

/**
 * Refuses a `source.base_branch` that names a tag rather than a branch, for a step that reads
 * only the commits it is given (in); undefined without base_branch.
 */
export function refuseTagBase(github: GitHub, source: SourceSettings): Promise<void> | undefined {
  const named = source.baseBranch;
  if (named === undefined) return undefined;
  return tagOnly(github, named, undefined).then((answer) => {
    if (answer.modified && answer.value) throw tagAsBase(github, named);
  });
}

/**
 * Whether `name` is a tag and no branch, conditionally on the tag lookup. A branch is looked up
 * only when a tag of that name exists: the common case costs one request, whose answer a moving
 * base does not change.
 */
async function tagOnly(
  github: GitHub,
  name: string,
  etag: string | undefined,
): Promise<Conditional<boolean>> {
  const tag = await github.hasTagConditional(name, etag);
  if (!tag.modified || !tag.value) return tag;
  return { ...tag, value: (await github.getBranchSha(name)) === undefined };
}

// A pull request's base is a branch: GitHub refuses a tag (422, "base" invalid), while check and
// get would read a tag named as the base like a branch.
function tagAsBase(github: GitHub, name: string): UserError {
  return new UserError(
    `source.base_branch: ${name} is a tag in ${github.owner}/${github.repo}, not a branch: name the branch release PRs go to (a pull request's base must be a branch)`,
  );
}

/** config/final.yml's release name on `base`, conditionally. */
async function releaseNameOn(
  github: GitHub,
  base: string,
  etag: string | undefined,
): Promise<Conditional<string>> {
  const answer = await github.getFileConditional(FINAL_CONFIG_PATH, base, etag);
  if (!answer.modified) return answer;
  if (answer.value === undefined) {
    throw new UserError(
      `${FINAL_CONFIG_PATH} is not on ${base}: set source.release_name, or check source.base_branch`,
    );
  }
  return {
    ...answer,
    value: parseFinalConfig(answer.value, `${FINAL_CONFIG_PATH} on ${base}`).name,
  };
}

import { fail, notFound } from '../../model/errors.js';
import { commitItemJson, diffEntriesJson } from '../json/commits.js';
import { paginate, repositoryLink } from '../paging.js';
import type { RestResponse, RouteRequest } from '../route-types.js';
import { repositoryUrls } from '../json/common.js';

// "When calling this endpoint without any paging parameter (per_page or page), the returned list
// is limited to 250 commits, and the last commit in the list is the most recent of the entire
// comparison." With paging, "the list of changed files is only shown on the first page of
// results, and it includes up to 300 changed files" (repos/compare-commits in GitHub's OpenAPI
// description).
const UNPAGED_COMMITS = 250;
const MAX_FILES = 300;

/**
 * GET /repos/{owner}/{repo}/compare/{basehead}: `git log BASE..HEAD` from the merge base, and
 * whether HEAD is ahead of, behind, identical to or diverged from BASE. BASE and HEAD are
 * branches, tags or commit shas — any commit of the repository, a PR's `refs/pull/N/head` ones
 * included: GitHub resolves those too (https://github.com/QwenLM/qwen-code/pull/6035, "GitHub
 * replicates a fork PR's head commits into the base repo via refs/pull/N/head"), so resolving is
 * no proof that a commit is on a branch; `status` is. A name or sha it cannot resolve is 404
 * `Not Found`; two unrelated histories are 404 `No common ancestor between BASE and HEAD.`
 * (https://github.com/github-changelog-generator/github-changelog-generator/issues/695). Forks
 * (`USER:REF`) exist only as the repository's own owner here.
 */
export async function handleCompare(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const basehead = params['basehead'] ?? '';
  const [baseName, headName, ...rest] = basehead.split('...');
  if (baseName === undefined || headName === undefined || rest.length > 0) notFound(docs);
  const git = repository.git;
  const [base, head] = await Promise.all(
    [baseName, headName].map((name) => git.resolveCommitish(ownName(name, repository.owner))),
  );
  if (base === null || base === undefined || head === null || head === undefined) {
    notFound(docs);
  }
  const mergeBase = await git.mergeBase(base, head);
  if (mergeBase === null) {
    fail(404, `No common ancestor between ${baseName} and ${headName}.`, docs);
  }
  const ahead = await git.commitsBetween(mergeBase, head);
  const behind = await git.commitsBetween(mergeBase, base);
  const status =
    base === head
      ? 'identical'
      : behind.length === 0
        ? 'ahead'
        : ahead.length === 0
          ? 'behind'
          : 'diverged';
  const paged = query.has('per_page') || query.has('page');
  const page = paged
    ? paginate(ahead, query, repositoryLink(context, repository, `/compare/${basehead}`))
    : { items: ahead.slice(-UNPAGED_COMMITS), link: null };
  const firstPage = !paged || Math.max(Number(query.get('page') ?? 1) || 1, 1) === 1;
  const files = firstPage
    ? (await diffEntriesJson(context, repository, mergeBase, head)).files.slice(0, MAX_FILES)
    : [];
  const [baseCommit, mergeBaseCommit, ...commits] = await git.readCommits([
    base,
    mergeBase,
    ...page.items,
  ]);
  const { api, web: html } = repositoryUrls(context, repository);
  const owner = repository.owner;
  return {
    status: 200,
    headers: page.link === null ? {} : { link: page.link },
    body: {
      url: `${api}/compare/${basehead}`,
      html_url: `${html}/compare/${basehead}`,
      permalink_url: `${html}/compare/${owner}:${base}...${owner}:${head}`,
      diff_url: `${html}/compare/${basehead}.diff`,
      patch_url: `${html}/compare/${basehead}.patch`,
      base_commit: baseCommit && commitItemJson(context, repository, baseCommit),
      merge_base_commit: mergeBaseCommit && commitItemJson(context, repository, mergeBaseCommit),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: commits.map((commit) => commitItemJson(context, repository, commit)),
      files,
    },
  };
}

/** `OWNER:REF` names REF in OWNER's fork; the sandbox has no forks, so only the owner's own. */
function ownName(name: string, owner: string): string {
  const colon = name.indexOf(':');
  if (colon < 0) return name;
  return name.slice(0, colon) === owner ? name.slice(colon + 1) : '';
}

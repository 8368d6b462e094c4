import type { TreeEntry } from '../../git/objects.js';
import { notFound } from '../../model/errors.js';
import type { RestResponse, RouteRequest } from '../route-types.js';
import { repositoryUrls } from '../json/common.js';

/**
 * GET /repos/{owner}/{repo}/git/trees/{tree_sha}[?recursive=…] — "Returns a single tree using the
 * SHA1 value or ref name for that tree" (https://docs.github.com/rest/git/trees#get-a-tree).
 *
 * - `tree_sha` may be a tree's sha, a commit's (the commit's tree: "the SHA1 value can be either
 *   the tree OR a commit SHA1", https://github.com/github/docs/issues/25084), or a branch or tag
 *   name; anything else is 404. The answer's `sha` repeats what was asked when it named a commit,
 *   as GitHub's does (https://github.com/cscheid/rgithub/issues/43).
 * - `recursive` set to any value — "`0`, `1`, `"true"`, and `"false"`" alike — lists every entry
 *   below the tree, subtrees included, by path from it; absent, only the tree's own entries.
 * - "The limit for the `tree` array is 100,000 entries with a maximum size of 7 MB when using the
 *   `recursive` parameter": past either, the array stops there and `truncated` is true
 *   (`treeEntryLimit` lowers the entry limit for tests).
 */
export async function handleGetTree(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const git = repository.git;
  const asked = params['tree_sha'] ?? '';
  const recursive = query.has('recursive');
  // A sha is listed as it is (git lists a commit's tree too, and refuses a blob's sha); a name is
  // resolved as a branch or tag first.
  const isSha = /^[0-9a-f]{40}$/.test(asked);
  const commit = isSha ? null : await git.resolveCommitish(asked);
  const treeish = isSha ? asked : commit;
  const entries = treeish === null ? null : await git.listTreeish(treeish, recursive);
  if (entries === null || treeish === null) notFound(docs);
  const { api } = repositoryUrls(context, repository);
  const items: Record<string, unknown>[] = [];
  let bytes = 0;
  let truncated = false;
  for (const entry of entries) {
    const item = treeItem(api, entry);
    bytes += JSON.stringify(item).length + 1;
    if (recursive && (items.length >= context.treeEntryLimit || bytes > MAX_RECURSIVE_BYTES)) {
      truncated = true;
      break;
    }
    items.push(item);
  }
  const sha = isSha ? asked : await git.treeOf(treeish);
  return {
    status: 200,
    body: { sha, url: `${api}/git/trees/${sha}`, tree: items, truncated },
  };
}

/** "a maximum size of 7 MB when using the `recursive` parameter". */
const MAX_RECURSIVE_BYTES = 7 * 1000 * 1000;

/** GitHub's fields in its order: `size` for blobs only, no `url` for a submodule's commit. */
function treeItem(api: string, entry: TreeEntry): Record<string, unknown> {
  const { path, mode, type, sha } = entry;
  if (type === 'commit') return { path, mode, type, sha };
  if (type === 'tree') return { path, mode, type, sha, url: `${api}/git/trees/${sha}` };
  return { path, mode, type, sha, size: entry.size ?? 0, url: `${api}/git/blobs/${sha}` };
}

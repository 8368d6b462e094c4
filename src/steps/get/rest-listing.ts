import type { GitHub, GitTreeEntry } from '../../github/github.js';

// The blob ids of a commit's files under some paths, read through GitHub's tree listings
// (https://docs.github.com/rest/git/trees#get-a-tree) instead of fetching the commit's trees with
// git: the commit's root tree (a commit's sha names its tree: "The SHA1 value or ref (branch or
// tag) name of the tree", and https://github.com/github/docs/issues/25084), then each top-level
// directory the paths start in, recursively, in parallel. Two REST round trips that run beside
// the PR read, where git would need a fetch of its own before the one fetch of the blobs.
// Anything the listing cannot answer for sure — a truncated listing, a tree GitHub does not
// have, a symbolic link or a failed request — gives the reason instead, and the caller asks git,
// whose answer (and refusal) stays the reference.

/** The blobs by path, or why the listing cannot say. */
type RestListing = { blobs: Map<string, string> } | { unsure: string };

/** The blob ids of the files at or below `paths` (from the repository's root) at `commit`. */
export async function listThroughRest(
  github: GitHub,
  commit: string,
  paths: readonly string[],
): Promise<RestListing> {
  try {
    const root = await github.getTree(commit, { recursive: false });
    if (root === undefined) return { unsure: `GitHub lists no tree for ${commit}` };
    const tops = new Map(root.entries.map((entry) => [entry.path, entry]));
    const wanted = (path: string) =>
      paths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const below = await Promise.all(
      [...new Set(paths.map((path) => path.split('/')[0] ?? ''))].map((name) =>
        entriesUnder(github, tops.get(name)),
      ),
    );
    const blobs = new Map<string, string>();
    for (const entry of below.flat()) {
      if (entry === 'unsure') return { unsure: 'GitHub truncated a tree listing' };
      if (!wanted(entry.path) || entry.type !== 'blob') continue;
      // git's listing refuses a link with the message get gives (blobs.ts).
      if (entry.mode === '120000') return { unsure: `${entry.path} is a symbolic link` };
      blobs.set(entry.path, entry.sha);
    }
    return { blobs };
  } catch (error) {
    return { unsure: error instanceof Error ? error.message : String(error) };
  }
}

/** A top-level entry and, for a tree, every entry below it, by path from the root. */
async function entriesUnder(
  github: GitHub,
  top: GitTreeEntry | undefined,
): Promise<Array<GitTreeEntry | 'unsure'>> {
  if (top === undefined) return [];
  if (top.type !== 'tree') return [top];
  const listing = await github.getTree(top.sha, { recursive: true });
  if (listing === undefined || listing.truncated) return ['unsure'];
  return listing.entries.map((entry) => ({ ...entry, path: `${top.path}/${entry.path}` }));
}

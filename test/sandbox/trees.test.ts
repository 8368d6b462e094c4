import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  client,
  createExampleRepository,
  failure,
  mustGit,
  OWNER,
  REPO,
  startTestSandbox,
  stopTestSandbox,
} from './support.js';

// GET /repos/{owner}/{repo}/git/trees/{tree_sha}, as https://docs.github.com/rest/git/trees#get-a-tree
// describes it (sandbox/rest/handlers/trees.ts).

let sandbox: Sandbox;
let octokit: Client;
const base = { owner: OWNER, repo: REPO };
/** The sandbox's recursive listings stop after this many entries (GitHub: 100,000). */
const LIMIT = 5;

function bare(...args: string[]): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, REPO), ...args]);
}

/** `git ls-tree` of a tree as the API's entries: path, mode, type, sha (and size for blobs). */
async function lsTree(tree: string, recursive: boolean): Promise<Record<string, unknown>[]> {
  const out = await bare('ls-tree', ...(recursive ? ['-r', '-t'] : []), '--long', tree);
  return out.split('\n').map((line) => {
    const [info = '', path = ''] = line.split('\t');
    const [mode = '', type = '', sha = '', size = ''] = info.trim().split(/\s+/);
    return { path, mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}) };
  });
}

/** The entries without their `url` (checked on their own). */
function withoutUrls(entries: Array<Record<string, unknown>>): Record<string, unknown>[] {
  return entries.map((entry) =>
    Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'url')),
  );
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ treeEntryLimit: LIMIT });
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', () => {
  test('a tree by its sha: its own entries, in git’s order, with GitHub’s URLs', async () => {
    const tree = await bare('rev-parse', 'main:releases/example');
    const { data } = await octokit.rest.git.getTree({ ...base, tree_sha: tree });
    const api = `${sandbox.apiUrl}/repos/${OWNER}/${REPO}`;
    expect(data.sha).toBe(tree);
    expect(data.url).toBe(`${api}/git/trees/${tree}`);
    expect(data.truncated).toBe(false);
    expect(withoutUrls(data.tree)).toEqual(await lsTree(tree, false));
    for (const entry of data.tree) expect(entry.url).toBe(`${api}/git/${entry.type}s/${entry.sha}`);
  });

  test('recursive with any value — "0" and "false" too — lists every entry below, by path', async () => {
    const tree = await bare('rev-parse', 'main:.final_builds/jobs');
    const all = await lsTree(tree, true);
    expect(all.length).toBeLessThanOrEqual(LIMIT);
    expect(all.some((entry) => String(entry.path).includes('/'))).toBe(true);
    for (const recursive of ['1', '0', 'false']) {
      const { data } = await octokit.rest.git.getTree({ ...base, tree_sha: tree, recursive });
      expect(withoutUrls(data.tree)).toEqual(all);
      expect(data.truncated).toBe(false);
    }
  });

  test('a commit’s sha or a branch name gives the commit’s tree; the answer repeats a sha asked', async () => {
    const commit = await bare('rev-parse', 'main');
    const tree = await bare('rev-parse', 'main^{tree}');
    const byCommit = await octokit.rest.git.getTree({ ...base, tree_sha: commit });
    const byTree = await octokit.rest.git.getTree({ ...base, tree_sha: tree });
    const byBranch = await octokit.rest.git.getTree({ ...base, tree_sha: 'main' });
    expect(byCommit.data.tree).toEqual(byTree.data.tree);
    expect(byBranch.data.tree).toEqual(byTree.data.tree);
    expect(byCommit.data.sha).toBe(commit);
    expect(byBranch.data.sha).toBe(tree);
  });

  test('past the entry limit a recursive listing stops there and says truncated', async () => {
    const root = await bare('rev-parse', 'main^{tree}');
    const all = await lsTree(root, true);
    expect(all.length).toBeGreaterThan(LIMIT);
    const { data } = await octokit.rest.git.getTree({ ...base, tree_sha: root, recursive: '1' });
    expect(data.truncated).toBe(true);
    expect(withoutUrls(data.tree)).toEqual(all.slice(0, LIMIT));
    // Without recursive, no limit applies: the root's own entries, whole.
    const flat = await octokit.rest.git.getTree({ ...base, tree_sha: root });
    expect(flat.data.truncated).toBe(false);
    expect(flat.data.tree).toHaveLength((await lsTree(root, false)).length);
  });

  test('a sha that names no tree or commit, or a blob, is 404 Not Found', async () => {
    const blob = await bare('rev-parse', 'main:config/final.yml');
    for (const tree_sha of ['f'.repeat(40), blob, 'no-such-branch']) {
      const answer = await failure(octokit.rest.git.getTree({ ...base, tree_sha }));
      expect(answer.status).toBe(404);
      expect(answer.message).toContain('Not Found');
    }
  });
});

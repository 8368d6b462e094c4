import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BareRepo } from './bare-repo.js';
import type { GitIdentity } from './objects.js';
import { identityEnv } from './objects.js';
import { runGit } from './run.js';

export type MergeMethod = 'merge' | 'squash' | 'rebase';

interface MergeInput {
  base: string;
  head: string;
  /** Full commit message for `merge` and `squash`. */
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
  scratchDir: string;
}

type MergeOutcome =
  { kind: 'merged'; sha: string } | { kind: 'conflict' } | { kind: 'not-rebaseable' };

/**
 * Performs a pull request merge the way GitHub's merge button does, as real git objects in the
 * bare repository, without touching any ref: returns the commit the base branch should move to.
 */
export async function performMerge(
  git: BareRepo,
  method: MergeMethod,
  input: MergeInput,
): Promise<MergeOutcome> {
  if (method === 'rebase') return rebase(git, input);
  const tree = await git.mergeTrees(input.base, input.head);
  if (tree === null) return { kind: 'conflict' };
  const sha = await git.commitTree({
    tree,
    parents: method === 'merge' ? [input.base, input.head] : [input.base],
    message: input.message,
    author: input.author,
    committer: input.committer,
  });
  return { kind: 'merged', sha };
}

/**
 * Replays the head's commits onto the base (original authors, GitHub as committer) with
 * cherry-pick in a scratch worktree: git 2.39 has no `merge-tree --merge-base` for doing it in
 * memory. GitHub refuses to rebase a branch that contains merge commits.
 */
async function rebase(git: BareRepo, input: MergeInput): Promise<MergeOutcome> {
  const commits = await git.commitsBetween(input.base, input.head);
  for (const sha of commits) {
    const parents = (await git.readCommit(sha)).parents;
    if (parents.length > 1) return { kind: 'not-rebaseable' };
  }
  const worktree = mkdtempSync(join(input.scratchDir, 'rebase-'));
  const env = identityEnv(input.committer, input.committer);
  try {
    await git.git(['worktree', 'add', '--quiet', '--detach', worktree, input.base]);
    for (const sha of commits) {
      const picked = await runGit(['cherry-pick', '--keep-redundant-commits', sha], {
        cwd: worktree,
        env: {
          GIT_COMMITTER_NAME: env['GIT_COMMITTER_NAME'] ?? '',
          GIT_COMMITTER_EMAIL: env['GIT_COMMITTER_EMAIL'] ?? '',
          GIT_COMMITTER_DATE: env['GIT_COMMITTER_DATE'] ?? '',
        },
        allowFailure: true,
      });
      if (picked.code !== 0) {
        await runGit(['cherry-pick', '--abort'], { cwd: worktree, allowFailure: true });
        return { kind: 'conflict' };
      }
    }
    const head = await runGit(['rev-parse', 'HEAD'], { cwd: worktree });
    return { kind: 'merged', sha: head.stdout.trim() };
  } finally {
    await git.git(['worktree', 'remove', '--force', worktree], { allowFailure: true });
    rmSync(worktree, { recursive: true, force: true });
    await git.git(['worktree', 'prune'], { allowFailure: true });
  }
}

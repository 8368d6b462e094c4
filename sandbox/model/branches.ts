import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxContext } from './context.js';
import { closePull, markMerged, liveStats, refreshPullRefs, touch } from './pull-request.js';
import type { Repository } from './repositories.js';

/** One ref a push (or a REST call, or a merge) changed. */
export interface RefUpdate {
  ref: string;
  /** null when the ref was created. */
  oldSha: string | null;
  /** null when the ref was deleted. */
  newSha: string | null;
  /** Not a fast-forward: the old commit is not an ancestor of the new one. */
  forced: boolean;
  created: boolean;
  deleted: boolean;
}

/** The record of a branch deleted at `oldSha` (by the ref API, a merge or a person). */
export function refDeletion(ref: string, oldSha: string): RefUpdate {
  return { ref, oldSha, newSha: null, forced: false, created: false, deleted: true };
}

/**
 * What GitHub does to pull requests when branches move (pushes, ref API calls, merges):
 * a push to the head updates the PR's head; deleting the head or base branch closes open PRs;
 * a head reset so that it has no commits over the base closes the PR; a base that comes to
 * contain the head marks the PR merged.
 */
export async function onRefsUpdated(
  context: SandboxContext,
  repository: Repository,
  updates: RefUpdate[],
  actor: string,
): Promise<void> {
  const now = context.clock.now();
  for (const update of updates) {
    if (!update.ref.startsWith('refs/heads/')) continue;
    const branch = update.ref.slice('refs/heads/'.length);
    repository.pushedAt = now;
    for (const pull of repository.pulls.values()) {
      if (pull.headRef === branch) pull.headDeleted = update.deleted;
      if (pull.state !== 'open') continue;
      if (pull.headRef === branch) {
        if (update.newSha === null) {
          await closePull(context, repository, pull, actor);
          continue;
        }
        pull.headSha = update.newSha;
        touch(context, pull);
        if (await repository.git.isAncestor(pull.headSha, pull.baseSha)) {
          await closePull(context, repository, pull, actor);
          await refreshPullRefs(context, repository, pull);
          continue;
        }
        await refreshPullRefs(context, repository, pull);
      }
      if (pull.baseRef === branch) {
        if (update.newSha === null) {
          await closePull(context, repository, pull, actor);
          continue;
        }
        if (await repository.git.isAncestor(pull.headSha, update.newSha)) {
          pull.stats = await liveStats(repository, pull);
          pull.baseSha = update.newSha;
          markMerged(context, pull, { mergeCommitSha: update.newSha, by: actor, at: now });
        } else {
          pull.baseSha = update.newSha;
          await refreshPullRefs(context, repository, pull);
        }
      }
    }
  }
}

/** A commit a person pushes: files changed over a parent (see `Sandbox.commitToBranch`). */
export interface CommitFiles {
  /** Path → new content; null deletes the file. */
  files: Record<string, string | null>;
  message: string;
  /** Default: the branch's head (a new branch needs `parent`). */
  parent?: string;
  /** The account committing (default `octocat`). */
  by?: string;
  /**
   * The author and committer written into the commit instead of the account's noreply identity:
   * a commit made elsewhere (e.g. by a bot with its own git identity) and pushed by `by`.
   */
  identity?: { name: string; email: string };
}

/**
 * Commits files onto a branch as a person's push does, and lets pull requests follow it;
 * returns the commit. Call inside `repository.exclusive`.
 */
export async function commitFiles(
  context: SandboxContext,
  repository: Repository,
  branch: string,
  commit: CommitFiles,
): Promise<string> {
  const git = repository.git;
  const ref = `refs/heads/${branch}`;
  const by = commit.by ?? 'octocat';
  const old = await git.refSha(ref);
  const parent = commit.parent ?? old;
  if (parent === null) throw new Error(`${branch} does not exist: give a parent`);
  const index = join(
    context.scratchDir,
    `commit-${Date.now()}-${Math.random().toString(36).slice(2)}.index`,
  );
  const tree = await git.writeTree(parent, commit.files, index);
  rmSync(index, { force: true });
  const now = context.clock.now();
  const identity =
    commit.identity === undefined
      ? context.accounts.gitIdentity(by, now)
      : { ...commit.identity, date: now };
  const sha = await git.commitTree({
    tree,
    parents: [parent],
    message: `${commit.message.replace(/\n*$/, '')}\n`,
    author: identity,
    committer: identity,
  });
  if (!(await git.updateRef(ref, sha, old))) throw new Error(`${branch} moved during the commit`);
  const update: RefUpdate = {
    ref,
    oldSha: old,
    newSha: sha,
    forced: old !== null && !(await git.isAncestor(old, sha)),
    created: old === null,
    deleted: false,
  };
  await onRefsUpdated(context, repository, [update], by);
  return sha;
}

/** Deletes a branch as a person does (closing the pull requests it heads). Call inside `exclusive`. */
export async function deleteBranch(
  context: SandboxContext,
  repository: Repository,
  branch: string,
  by: string,
): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const old = await repository.git.refSha(ref);
  if (old === null) throw new Error(`${branch} does not exist`);
  await repository.git.deleteRef(ref, old);
  await onRefsUpdated(context, repository, [refDeletion(ref, old)], by);
}

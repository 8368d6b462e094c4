import type { MergeMethod } from '../git/merge.js';
import { performMerge } from '../git/merge.js';
import type { RefUpdate } from './branches.js';
import { onRefsUpdated, refDeletion } from './branches.js';
import type { SandboxContext } from './context.js';
import { DOCS } from './docs.js';
import { fail } from './errors.js';
import type { PullRequest } from './pull-request.js';
import { githubCommitter, liveStats, markMerged, openPulls } from './pull-request.js';
import type { Repository } from './repositories.js';
import { refuseUnmetStatusChecks } from './statuses.js';

interface MergePullInput {
  method: MergeMethod;
  /** The head commit the caller reviewed: a different head gives 409. */
  sha?: string;
  commitTitle?: string;
  commitMessage?: string;
  by: string;
}

interface MergeResult {
  sha: string;
  refUpdates: RefUpdate[];
}

function defaultMessage(
  method: MergeMethod,
  repository: Repository,
  pull: PullRequest,
  commitSubjects: string[],
): { title: string; message: string } {
  if (method === 'squash') {
    return {
      title: `${pull.title} (#${pull.number})`,
      message: commitSubjects.map((subject) => `* ${subject}`).join('\n\n'),
    };
  }
  return {
    title: `Merge pull request #${pull.number} from ${repository.owner}/${pull.headRef}`,
    message: pull.title,
  };
}

/**
 * Merges a pull request like PUT /pulls/{n}/merge: a real merge, squash or rebase in the bare
 * repository, the base moved with a compare-and-swap, the PR marked merged with
 * `merge_commit_sha` = the commit the base now points at. Call inside `repository.exclusive`.
 */
export async function mergePull(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  input: MergePullInput,
): Promise<MergeResult> {
  const documentationUrl = DOCS['pulls/merge'];
  if (pull.state !== 'open') fail(405, 'Pull Request is not mergeable', documentationUrl);
  // https://github.com/dlang/dlang-bot/issues/77 quotes this 409 body.
  if (input.sha !== undefined && input.sha !== pull.headSha) {
    fail(409, 'Head branch was modified. Review and try the merge again.', documentationUrl);
  }
  const allowed: Record<MergeMethod, [boolean, string]> = {
    merge: [repository.allowMergeCommit, 'Merge commits are not allowed on this repository.'],
    squash: [repository.allowSquashMerge, 'Squash merges are not allowed on this repository.'],
    rebase: [repository.allowRebaseMerge, 'Rebase merges are not allowed on this repository.'],
  };
  const [isAllowed, refusal] = allowed[input.method];
  if (!isAllowed) fail(405, refusal, documentationUrl);
  if (pull.draft) fail(405, 'Pull Request is not mergeable', documentationUrl);
  refuseUnmetStatusChecks(repository, pull.baseRef, pull.headSha, documentationUrl);
  const baseRef = `refs/heads/${pull.baseRef}`;
  const baseSha = await repository.git.refSha(baseRef);
  if (baseSha === null) fail(405, 'Pull Request is not mergeable', documentationUrl);

  const commits = await repository.git.commitsBetween(baseSha, pull.headSha);
  const subjects: string[] = [];
  for (const sha of commits) {
    subjects.push((await repository.git.readCommit(sha)).message.split('\n')[0] ?? '');
  }
  const fallback = defaultMessage(input.method, repository, pull, subjects);
  const title = input.commitTitle ?? fallback.title;
  const body = input.commitMessage ?? fallback.message;
  const now = context.clock.now();
  const merger = context.accounts.gitIdentity(input.by, now);
  const outcome = await performMerge(repository.git, input.method, {
    base: baseSha,
    head: pull.headSha,
    message: body === '' ? `${title}\n` : `${title}\n\n${body}\n`,
    author: input.method === 'squash' ? context.accounts.gitIdentity(pull.user, now) : merger,
    committer: githubCommitter(now),
    scratchDir: context.scratchDir,
  });
  if (outcome.kind === 'conflict') fail(405, 'Pull Request is not mergeable', documentationUrl);
  if (outcome.kind === 'not-rebaseable')
    fail(405, "This branch can't be rebased", documentationUrl);

  pull.baseSha = baseSha;
  const stats = await liveStats(repository, pull);
  // https://github.com/tgymnich/fork-sync/issues/4: "Base branch was modified. Review and try
  // the merge again." when the base moves under the merge.
  if (!(await repository.git.updateRef(baseRef, outcome.sha, baseSha))) {
    fail(405, 'Base branch was modified. Review and try the merge again.', documentationUrl);
  }
  const refUpdates: RefUpdate[] = [
    {
      ref: baseRef,
      oldSha: baseSha,
      newSha: outcome.sha,
      forced: false,
      created: false,
      deleted: false,
    },
  ];
  pull.stats = stats;
  markMerged(context, pull, { mergeCommitSha: outcome.sha, by: input.by, at: now });

  // "Automatically delete head branches": not while another open PR uses the branch.
  // https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/configuring-pull-request-merges/managing-the-automatic-deletion-of-branches
  const stillUsed = openPulls(repository).some(
    (other) => other.headRef === pull.headRef || other.baseRef === pull.headRef,
  );
  const headRef = `refs/heads/${pull.headRef}`;
  if (repository.deleteBranchOnMerge && !stillUsed && !repository.isProtected(headRef)) {
    if (await repository.git.deleteRef(headRef, pull.headSha)) {
      refUpdates.push(refDeletion(headRef, pull.headSha));
    }
  }
  await onRefsUpdated(context, repository, refUpdates, input.by);
  return { sha: outcome.sha, refUpdates };
}

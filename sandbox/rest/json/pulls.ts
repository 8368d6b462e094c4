import type { SandboxContext } from '../../model/context.js';
import { commentCount } from '../../model/issues.js';
import type { PullRequest } from '../../model/pull-request.js';
import { liveStats } from '../../model/pull-request.js';
import type { Repository } from '../../model/repositories.js';
import { teamJson, userJson } from './accounts.js';
import { isoSeconds, nodeId, repositoryUrls } from './common.js';
import { repositoryJson } from './repository.js';

/** How the account relates to the repository, as GitHub's `author_association` says it. */
export function authorAssociation(repository: Repository, login: string): string {
  if (login.toLowerCase() === repository.owner.toLowerCase()) return 'OWNER';
  if (repository.collaborators.has(login.toLowerCase())) return 'COLLABORATOR';
  return 'CONTRIBUTOR';
}

/** GitHub's `label` object for one of the repository's labels (by name or key). */
export function labelJson(
  context: SandboxContext,
  repository: Repository,
  name: string,
): Record<string, unknown> {
  const label = repository.labels.get(name.toLowerCase());
  if (label === undefined) throw new Error(`unknown label ${name}`);
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${repositoryUrls(context, repository).api}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

function branchJson(
  context: SandboxContext,
  repository: Repository,
  ref: string,
  sha: string,
): Record<string, unknown> {
  return {
    label: `${repository.owner}:${ref}`,
    ref,
    sha,
    user: userJson(context, repository.owner),
    repo: repositoryJson(context, repository, true),
  };
}

/** GitHub's `pull-request-simple` object, as in list responses. */
export function pullSimpleJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Record<string, unknown> {
  const { api } = repositoryUrls(context, repository);
  const html = `${repositoryUrls(context, repository).web}/pull/${pull.number}`;
  const url = `${api}/pulls/${pull.number}`;
  const issueUrl = `${api}/issues/${pull.number}`;
  const assignees = pull.assignees.map((login) => userJson(context, login));
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(context, pull.user),
    body: pull.body,
    created_at: isoSeconds(pull.createdAt),
    updated_at: isoSeconds(pull.updatedAt),
    closed_at: pull.closedAt === null ? null : isoSeconds(pull.closedAt),
    merged_at: pull.mergedAt === null ? null : isoSeconds(pull.mergedAt),
    // "Before merging, this holds the SHA of the test merge commit": not a sign of a merge.
    // https://docs.github.com/rest/pulls/pulls#get-a-pull-request
    merge_commit_sha: pull.mergeCommitSha ?? pull.testMergeSha,
    assignee: assignees[0] ?? null,
    assignees,
    requested_reviewers: pull.requestedReviewers.map((login) => userJson(context, login)),
    requested_teams: pull.requestedTeams.map((slug) => teamJson(context, repository.owner, slug)),
    labels: pull.labels.map((name) => labelJson(context, repository, name)),
    milestone: null,
    draft: pull.draft,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    head: branchJson(context, repository, pull.headRef, pull.headSha),
    base: branchJson(context, repository, pull.baseRef, pull.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${pull.headSha}` },
    },
    author_association: authorAssociation(repository, pull.user),
    auto_merge: null,
    active_lock_reason: null,
  };
}

/** GitHub's full `pull-request` object, with mergeability computed by a real test merge. */
export async function pullJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Promise<Record<string, unknown>> {
  const stats = pull.stats ?? (await liveStats(repository, pull));
  let mergeable: boolean | null = null;
  let mergeableState = 'unknown';
  if (pull.state === 'open') {
    mergeable = pull.testMergeSha !== null;
    mergeableState = pull.draft ? 'draft' : mergeable ? 'clean' : 'dirty';
  }
  return {
    ...pullSimpleJson(context, repository, pull),
    merged: pull.mergedAt !== null,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.mergedBy === null ? null : userJson(context, pull.mergedBy),
    comments: commentCount(repository, pull),
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

import type { SandboxContext } from '../../model/context.js';
import type { IssueComment } from '../../model/issues.js';
import { commentCount } from '../../model/issues.js';
import type { PullRequest } from '../../model/pull-request.js';
import type { Repository } from '../../model/repositories.js';
import { userJson } from './accounts.js';
import { isoSeconds, nodeId, repositoryUrls } from './common.js';
import { authorAssociation, labelJson } from './pulls.js';

/** GitHub's `issue` object for a pull request (every PR is also an issue). */
export function issueJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Record<string, unknown> {
  const { api } = repositoryUrls(context, repository);
  const url = `${api}/issues/${pull.number}`;
  const html = `${repositoryUrls(context, repository).web}/pull/${pull.number}`;
  const assignees = pull.assignees.map((login) => userJson(context, login));
  return {
    id: pull.issueId,
    node_id: nodeId('PR', pull.id),
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: pull.number,
    state: pull.state,
    state_reason: null,
    title: pull.title,
    body: pull.body,
    user: userJson(context, pull.user),
    labels: pull.labels.map((name) => labelJson(context, repository, name)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: commentCount(repository, pull),
    pull_request: {
      url: `${api}/pulls/${pull.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: pull.mergedAt === null ? null : isoSeconds(pull.mergedAt),
    },
    closed_at: pull.closedAt === null ? null : isoSeconds(pull.closedAt),
    created_at: isoSeconds(pull.createdAt),
    updated_at: isoSeconds(pull.updatedAt),
    draft: pull.draft,
    closed_by: pull.closedBy === null ? null : userJson(context, pull.closedBy),
    author_association: authorAssociation(repository, pull.user),
  };
}

/** GitHub's `issue-comment` object. */
export function commentJson(
  context: SandboxContext,
  repository: Repository,
  comment: IssueComment,
): Record<string, unknown> {
  const { api } = repositoryUrls(context, repository);
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${repositoryUrls(context, repository).web}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(context, comment.user),
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: authorAssociation(repository, comment.user),
  };
}

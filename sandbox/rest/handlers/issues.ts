import { nodeId } from '../../model/accounts.js';
import type { SandboxContext } from '../../model/context.js';
import { hasWriteAccess } from '../../model/context.js';
import { isoSeconds } from '../json/common.js';
import type { PullRequest } from '../../model/pulls.js';
import { authorAssociation, labelJson, requirePull } from '../../model/pulls.js';
import type { Repository } from '../../model/repositories.js';
import type { RestResponse } from '../response.js';
import {
  asObject,
  docs,
  fail,
  listResponse,
  paginate,
  requiredString,
  stringList,
} from '../response.js';
import type { RouteRequest } from '../route-types.js';

export interface IssueComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: Date;
  updatedAt: Date;
}

export const ISSUE_DOCS = {
  get: docs('issues/issues#get-an-issue'),
  listLabels: docs('issues/labels#list-labels-for-an-issue'),
  addLabels: docs('issues/labels#add-labels-to-an-issue'),
  setLabels: docs('issues/labels#set-labels-for-an-issue'),
  removeLabel: docs('issues/labels#remove-a-label-from-an-issue'),
  addAssignees: docs('issues/assignees#add-assignees-to-an-issue'),
  removeAssignees: docs('issues/assignees#remove-assignees-from-an-issue'),
  listComments: docs('issues/comments#list-issue-comments'),
  createComment: docs('issues/comments#create-an-issue-comment'),
};

let nextLabelId = 7_000_001;
let nextCommentId = 5_000_001;

/** GitHub's `issue` object for a pull request (every PR is also an issue). */
export function issueJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Record<string, unknown> {
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  const url = `${api}/issues/${pull.number}`;
  const html = `${context.urls.web}/${repository.fullName}/pull/${pull.number}`;
  const assignees = pull.assignees.map((login) => context.accounts.userJson(login));
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
    user: context.accounts.userJson(pull.user),
    labels: pull.labels.map((name) => labelJson(context, repository, name)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: repository.comments.filter((comment) => comment.issueNumber === pull.number).length,
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
    closed_by: pull.closedBy === null ? null : context.accounts.userJson(pull.closedBy),
    author_association: authorAssociation(repository, pull.user),
  };
}

function commentJson(
  context: SandboxContext,
  repository: Repository,
  comment: IssueComment,
): Record<string, unknown> {
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${context.urls.web}/${repository.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: context.accounts.userJson(comment.user),
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: authorAssociation(repository, comment.user),
  };
}

/** The repository's label of that name, created on the fly with GitHub's default colour. */
function ensureLabel(repository: Repository, name: string): string {
  const key = name.toLowerCase();
  if (!repository.labels.has(key)) {
    repository.labels.set(key, { id: nextLabelId++, name, color: 'ededed', description: null });
  }
  return key;
}

/** `{labels: [...]}`, `[...]` or `{labels: [{name}]}`: GitHub accepts all three. */
function requestedLabels(body: unknown): string[] {
  const list = Array.isArray(body) ? body : asObject(body)['labels'];
  if (!Array.isArray(list)) return [];
  return list
    .map((item: unknown) => (typeof item === 'string' ? item : asObject(item)['name']))
    .filter((name): name is string => typeof name === 'string' && name !== '');
}

/** Replaces a pull request's labels by what `change` makes of them; answers its labels. */
function relabel(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  change: (labels: string[]) => string[],
): Promise<RestResponse> {
  return repository.exclusive(async () => {
    pull.labels = change(pull.labels);
    pull.updatedAt = context.clock.now();
    return { status: 200, body: pull.labels.map((name) => labelJson(context, repository, name)) };
  });
}

export async function handleGetIssue({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.get);
  return { status: 200, body: issueJson(context, repository, pull) };
}

export async function handleListLabels({
  context,
  repository,
  params,
  query,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.listLabels);
  const page = paginate(
    pull.labels,
    query,
    `${context.urls.api}/repositories/${repository.id}/issues/${pull.number}/labels`,
  );
  return listResponse(page, (name) => labelJson(context, repository, name));
}

export async function handleAddLabels({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.addLabels);
  const names = requestedLabels(body);
  return relabel(context, repository, pull, (labels) => [
    ...new Set([...labels, ...names.map((name) => ensureLabel(repository, name))]),
  ]);
}

export async function handleSetLabels({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.setLabels);
  const names = requestedLabels(body);
  return relabel(context, repository, pull, () => [
    ...new Set(names.map((name) => ensureLabel(repository, name))),
  ]);
}

export async function handleRemoveLabel({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.removeLabel);
  const key = (params['name'] ?? '').toLowerCase();
  if (!pull.labels.includes(key)) fail(404, 'Label does not exist', ISSUE_DOCS.removeLabel);
  return relabel(context, repository, pull, (labels) => labels.filter((name) => name !== key));
}

export async function handleAddAssignees({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.addAssignees);
  // Assignees without access to the repository are silently dropped, as GitHub does.
  const logins = stringList(asObject(body)['assignees']).filter((login) =>
    hasWriteAccess(context, repository.collaborators, login),
  );
  return repository.exclusive(async () => {
    for (const login of logins) {
      const account = context.accounts.get(login);
      if (!pull.assignees.some((known) => known.toLowerCase() === login.toLowerCase())) {
        pull.assignees.push(account.login);
      }
    }
    pull.updatedAt = context.clock.now();
    return { status: 201, body: issueJson(context, repository, pull) };
  });
}

export async function handleRemoveAssignees({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.removeAssignees);
  const logins = new Set(
    stringList(asObject(body)['assignees']).map((login) => login.toLowerCase()),
  );
  return repository.exclusive(async () => {
    pull.assignees = pull.assignees.filter((login) => !logins.has(login.toLowerCase()));
    pull.updatedAt = context.clock.now();
    return { status: 200, body: issueJson(context, repository, pull) };
  });
}

export async function handleListComments({
  context,
  repository,
  params,
  query,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['issue_number'], ISSUE_DOCS.listComments);
  const since = query.get('since');
  const comments = repository.comments.filter(
    (comment) =>
      comment.issueNumber === pull.number &&
      (since === null || comment.updatedAt.getTime() >= new Date(since).getTime()),
  );
  const page = paginate(
    comments,
    query,
    `${context.urls.api}/repositories/${repository.id}/issues/${pull.number}/comments`,
  );
  return listResponse(page, (comment) => commentJson(context, repository, comment));
}

export async function handleCreateComment({
  context,
  repository,
  params,
  body,
  token,
}: RouteRequest): Promise<RestResponse> {
  const documentationUrl = ISSUE_DOCS.createComment;
  const pull = requirePull(repository, params['issue_number'], documentationUrl);
  const text = requiredString(asObject(body), 'body', documentationUrl);
  return repository.exclusive(async () => {
    const now = context.clock.now();
    const comment: IssueComment = {
      id: nextCommentId++,
      issueNumber: pull.number,
      body: text,
      user: token.login,
      createdAt: now,
      updatedAt: now,
    };
    repository.comments.push(comment);
    pull.updatedAt = now;
    const json = commentJson(context, repository, comment);
    return { status: 201, body: json, headers: { location: String(json['url']) } };
  });
}

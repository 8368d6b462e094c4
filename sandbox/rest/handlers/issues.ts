import {
  addAssignees,
  addComment,
  ensureLabel,
  removeAssignees,
  setLabels,
} from '../../model/issues.js';
import type { SandboxContext } from '../../model/context.js';
import type { PullRequest } from '../../model/pull-request.js';
import type { Repository } from '../../model/repositories.js';
import { fail } from '../../model/errors.js';
import { requirePull } from '../../model/pulls.js';
import { asObject, requiredString, stringList } from '../input.js';
import { commentJson, issueJson } from '../json/issues.js';
import { labelJson } from '../json/pulls.js';
import { listResponse, paginate, repositoryLink } from '../paging.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

// Every pull request is also an issue; the sandbox has no issues that are not pull requests.

/** `{labels: [...]}`, `[...]` or `{labels: [{name}]}`: GitHub accepts all three. */
function requestedLabels(body: unknown): string[] {
  const list = Array.isArray(body) ? body : asObject(body)['labels'];
  if (!Array.isArray(list)) return [];
  return list
    .map((item: unknown) => (typeof item === 'string' ? item : asObject(item)['name']))
    .filter((name): name is string => typeof name === 'string' && name !== '');
}

/** Sets a pull request's labels to what `change` makes of them; answers its labels. */
function relabel(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  change: (labels: string[]) => string[],
): Promise<RestResponse> {
  return repository.exclusive(async () => {
    setLabels(context, pull, change(pull.labels));
    return { status: 200, body: pull.labels.map((name) => labelJson(context, repository, name)) };
  });
}

export async function handleGetIssue(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  return { status: 200, body: issueJson(context, repository, pull) };
}

export async function handleListLabels(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const link = repositoryLink(context, repository, `/issues/${pull.number}/labels`);
  return listResponse(paginate(pull.labels, query, link), (name) =>
    labelJson(context, repository, name),
  );
}

export async function handleAddLabels(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const names = requestedLabels(body);
  return relabel(context, repository, pull, (labels) => [
    ...new Set([...labels, ...names.map((name) => ensureLabel(context, repository, name))]),
  ]);
}

export async function handleSetLabels(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const names = requestedLabels(body);
  return relabel(context, repository, pull, () => [
    ...new Set(names.map((name) => ensureLabel(context, repository, name))),
  ]);
}

export async function handleRemoveLabel(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const key = (params['name'] ?? '').toLowerCase();
  if (!pull.labels.includes(key)) fail(404, 'Label does not exist', docs);
  return relabel(context, repository, pull, (labels) => labels.filter((name) => name !== key));
}

export async function handleAddAssignees(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const logins = stringList(asObject(body)['assignees']);
  return repository.exclusive(async () => {
    addAssignees(context, repository, pull, logins);
    return { status: 201, body: issueJson(context, repository, pull) };
  });
}

export async function handleRemoveAssignees(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const logins = stringList(asObject(body)['assignees']);
  return repository.exclusive(async () => {
    removeAssignees(context, pull, logins);
    return { status: 200, body: issueJson(context, repository, pull) };
  });
}

export async function handleListComments(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const since = query.get('since');
  const comments = repository.comments.filter(
    (comment) =>
      comment.issueNumber === pull.number &&
      (since === null || comment.updatedAt.getTime() >= new Date(since).getTime()),
  );
  const link = repositoryLink(context, repository, `/issues/${pull.number}/comments`);
  return listResponse(paginate(comments, query, link), (comment) =>
    commentJson(context, repository, comment),
  );
}

export async function handleCreateComment(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, token, docs } = request;
  const pull = requirePull(repository, params['issue_number'], docs);
  const text = requiredString(asObject(body), 'body', docs);
  return repository.exclusive(async () => {
    const comment = addComment(context, repository, pull, { body: text, user: token.login });
    const json = commentJson(context, repository, comment);
    return { status: 201, body: json, headers: { location: String(json['url']) } };
  });
}

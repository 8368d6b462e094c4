import { fail } from '../../model/errors.js';
import {
  combinedState,
  createStatus,
  latestByContext,
  statusesOf,
  type StatusState,
} from '../../model/statuses.js';
import { asObject, optionalString, requiredString } from '../input.js';
import { repositoryUrls } from '../json/common.js';
import { repositoryJson } from '../json/repository.js';
import { simpleStatusJson, statusJson } from '../json/statuses.js';
import { listResponse, paginate, repositoryLink } from '../paging.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

/** POST /repos/{owner}/{repo}/statuses/{sha}: a new status on a commit (201). */
export async function handleCreateStatus(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, token, docs } = request;
  const fields = asObject(body);
  const state = requiredString(fields, 'state', docs) as StatusState;
  const status = await repository.exclusive(() =>
    createStatus(
      context,
      repository,
      {
        sha: params['sha'] ?? '',
        state,
        description: optionalString(fields, 'description', docs),
        targetUrl: optionalString(fields, 'target_url', docs),
        context: optionalString(fields, 'context', docs),
        by: token.login,
      },
      docs,
    ),
  );
  return { status: 201, body: statusJson(context, repository, status) };
}

/** GET /repos/{owner}/{repo}/commits/{ref}/statuses: every status of the commit, newest first. */
export async function handleListStatuses(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query } = request;
  const ref = params['ref'] ?? '';
  const sha = await repository.git.resolveCommitish(ref);
  // The operation documents no 404 (repos/list-commit-statuses-for-ref): an empty list.
  const statuses = sha === null ? [] : statusesOf(repository, sha);
  const link = repositoryLink(context, repository, `/commits/${encodeURIComponent(ref)}/statuses`);
  return listResponse(paginate(statuses, query, link), (status) =>
    statusJson(context, repository, status),
  );
}

/** GET /repos/{owner}/{repo}/commits/{ref}/status: the newest status of each context, combined. */
export async function handleCombinedStatus(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, token, docs } = request;
  const ref = params['ref'] ?? '';
  const sha = await repository.git.resolveCommitish(ref);
  if (sha === null) fail(404, `No commit found for SHA: ${ref}`, docs);
  const latest = latestByContext(repository, sha);
  const { api } = repositoryUrls(context, repository);
  return {
    status: 200,
    body: {
      state: combinedState(latest),
      statuses: latest.map((status) => simpleStatusJson(context, repository, status)),
      sha,
      total_count: latest.length,
      repository: repositoryJson(context, repository, !token.readOnly),
      commit_url: `${api}/commits/${sha}`,
      url: `${api}/commits/${sha}/status`,
    },
  };
}

import { checkReviewers, removeReviewers, requestReviewers } from '../../model/issues.js';
import { requirePull } from '../../model/pulls.js';
import { asObject, stringList } from '../input.js';
import { teamJson, userJson } from '../json/accounts.js';
import { pullSimpleJson } from '../json/pulls.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

/** The users and teams a review request body names (`reviewers`, `team_reviewers`). */
function requested(body: unknown): { reviewers: string[]; teams: string[] } {
  const input = asObject(body);
  return {
    reviewers: stringList(input['reviewers']),
    teams: stringList(input['team_reviewers']),
  };
}

export async function handleListReviewers(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  return {
    status: 200,
    body: {
      users: pull.requestedReviewers.map((login) => userJson(context, login)),
      teams: pull.requestedTeams.map((slug) => teamJson(context, repository.owner, slug)),
    },
  };
}

export async function handleRequestReviewers(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  const asked = requested(body);
  checkReviewers(context, repository, pull, asked, docs);
  return repository.exclusive(async () => {
    requestReviewers(context, pull, asked);
    return { status: 201, body: pullSimpleJson(context, repository, pull) };
  });
}

export async function handleRemoveReviewers(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  const asked = requested(body);
  return repository.exclusive(async () => {
    removeReviewers(context, pull, asked);
    return { status: 200, body: pullSimpleJson(context, repository, pull) };
  });
}

import { userJson } from '../json/accounts.js';
import { isoSeconds } from '../json/common.js';
import type { GlobalRouteRequest, RestResponse } from '../route-types.js';

/** `GET /rate_limit`: the token's primary rate limit (this request is free). */
export async function handleRateLimit(request: GlobalRouteRequest): Promise<RestResponse> {
  const { context, token } = request;
  const window = context.tokens.window(token);
  const core = {
    limit: window.limit,
    used: window.used,
    remaining: Math.max(window.limit - window.used, 0),
    reset: Math.floor(window.resetAt.getTime() / 1000),
  };
  const search = { limit: 30, used: 0, remaining: 30, reset: core.reset };
  return { status: 200, body: { resources: { core, search, graphql: core }, rate: core } };
}

/** `GET /user`: the token's account. */
export async function handleAuthenticatedUser(request: GlobalRouteRequest): Promise<RestResponse> {
  const { context, token } = request;
  const account = context.accounts.get(token.login);
  return {
    status: 200,
    body: {
      ...userJson(context, token.login),
      name: null,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: isoSeconds(account.createdAt),
      updated_at: isoSeconds(account.createdAt),
      private_gists: 0,
      total_private_repos: 0,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: false,
    },
  };
}

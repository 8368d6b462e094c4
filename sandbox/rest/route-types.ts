import type { App } from '../model/apps.js';
import type { RefUpdate } from '../model/branches.js';
import type { SandboxContext } from '../model/context.js';
import type { OperationId } from '../model/docs.js';
import type { Repository } from '../model/repositories.js';
import type { Token } from '../model/tokens.js';

/** What a REST handler answers. */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Refs the request changed, for the request log. */
  refUpdates?: RefUpdate[];
}

interface RequestCommon {
  context: SandboxContext;
  /** The path template's parameters, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (`{}` when there is none). */
  body: unknown;
  /** The documentation page of the route's operation: its error answers link it. */
  docs: string;
}

/** What the handler of a route outside any repository gets (`GET /user`, `GET /rate_limit`). */
export interface GlobalRouteRequest extends RequestCommon {
  token: Token;
}

/** What a `/repos/{owner}/{repo}/…` route handler gets. */
export interface RouteRequest extends GlobalRouteRequest {
  /** The `{owner}/{repo}` of the path, already resolved (404 otherwise). */
  repository: Repository;
}

/** What a route that authenticates as a GitHub App (a JWT) gets instead of a token. */
export interface AppRouteRequest extends RequestCommon {
  app: App;
}

interface RouteCommon {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The path template of GitHub's OpenAPI description, e.g. `/repos/{owner}/{repo}/pulls`. */
  template: string;
  /** The operationId in GitHub's OpenAPI description (its documentation page follows). */
  operationId: OperationId;
  /** GET routes that do not count against the primary rate limit (GET /rate_limit). */
  free?: boolean;
}

/**
 * A REST route: a repository's (`/repos/{owner}/{repo}/…`, authenticated by a token that reaches
 * it), a global one (authenticated by a token), or a GitHub App's (authenticated by its JWT).
 */
export type RouteDefinition =
  | (RouteCommon & {
      scope: 'repository';
      handler: (request: RouteRequest) => Promise<RestResponse>;
    })
  | (RouteCommon & {
      scope: 'global';
      handler: (request: GlobalRouteRequest) => Promise<RestResponse>;
    })
  | (RouteCommon & { scope: 'app'; handler: (request: AppRouteRequest) => Promise<RestResponse> });

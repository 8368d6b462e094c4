import type { App } from '../model/apps.js';
import type { SandboxContext } from '../model/context.js';
import type { Repository } from '../model/repositories.js';
import type { RestResponse } from './response.js';
import type { Token } from '../model/tokens.js';

/** What a REST route handler outside any repository gets. */
export interface GlobalRouteRequest {
  context: SandboxContext;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  token: Token;
}

/** What a `/repos/{owner}/{repo}/…` route handler gets. */
export interface RouteRequest extends GlobalRouteRequest {
  /** The `{owner}/{repo}` of the path, already resolved (404 otherwise). */
  repository: Repository;
}

/** What a route that authenticates as a GitHub App (a JWT) gets instead of a token. */
export interface AppRouteRequest {
  context: SandboxContext;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  app: App;
}

export type RouteHandler = (request: RouteRequest) => Promise<RestResponse>;

interface RouteCommon {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The path template of GitHub's OpenAPI description, e.g. `/repos/{owner}/{repo}/pulls`. */
  template: string;
  /** The operationId in GitHub's OpenAPI description. */
  operationId: string;
  /** The documentation URL GitHub puts in this route's error bodies. */
  docs: string;
  /** GET routes that do not count against the primary rate limit (GET /rate_limit). */
  free?: boolean;
}

export type RouteDefinition =
  | (RouteCommon & { scope: 'repository'; handler: RouteHandler })
  | (RouteCommon & {
      scope: 'global';
      handler: (request: GlobalRouteRequest) => Promise<RestResponse>;
    })
  | (RouteCommon & { scope: 'app'; handler: (request: AppRouteRequest) => Promise<RestResponse> });

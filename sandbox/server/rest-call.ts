import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SandboxContext } from '../model/context.js';
import { DOCS, REST_DOCS } from '../model/docs.js';
import { errorBody } from '../model/errors.js';
import type { Repository } from '../model/repositories.js';
import { matchRoute } from '../rest/router.js';
import type { RestResponse, RouteDefinition } from '../rest/route-types.js';
import { ROUTES } from '../rest/routes.js';

/** The prefix of GitHub Enterprise's REST API. */
export const API_PREFIX = '/api/v3';

/** A REST request as the pipeline knows it once classified. */
export interface Call {
  request: IncomingMessage;
  url: URL;
  method: string;
  route: RouteDefinition | null;
  params: Record<string, string>;
  /** `METHOD template` (or the path when no route matches), as the log and faults name it. */
  name: string;
  repository: Repository | undefined;
  /** `owner/repo` of the path, when it names one. */
  repositoryName: string | null;
  write: boolean;
  docs: string;
  /** GitHub's `x-github-request-id`. */
  requestId: string;
  /** The headers every answer carries (`date` is the sandbox clock's time of arrival). */
  headers: Record<string, string>;
}

/** What a REST request asks: which route, which repository, whether it writes. */
export function classify(context: SandboxContext, request: IncomingMessage, url: URL): Call {
  const method = request.method ?? 'GET';
  const path = canonicalApiPath(context, url.pathname.slice(API_PREFIX.length) || '/');
  const match = matchRoute(ROUTES, method, path);
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const route = match?.route ?? null;
  const params = match?.params ?? {};
  const { owner, repo } = params;
  const repository =
    owner !== undefined && repo !== undefined ? context.repositories.find(owner, repo) : undefined;
  return {
    request,
    url,
    method,
    route,
    params,
    name: route === null ? `${method} ${path}` : `${method} ${route.template}`,
    repository,
    repositoryName: repository?.fullName ?? (owner !== undefined ? `${owner}/${repo ?? ''}` : null),
    write: method !== 'GET' && method !== 'HEAD',
    docs: route === null ? REST_DOCS : DOCS[route.operationId],
    requestId,
    headers: {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': requestId,
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
      // The sandbox clock's "now": @octokit/auth-app corrects a JWT's clock skew from this header.
      date: context.clock.now().toUTCString(),
    },
  };
}

/** `/repositories/{id}/…` — the form GitHub's Link headers use — as `/repos/{owner}/{repo}/…`. */
function canonicalApiPath(context: SandboxContext, path: string): string {
  const match = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
  if (match === null) return path;
  const repository = context.repositories.byId(Number(match[1]));
  return repository === undefined ? path : `/repos/${repository.fullName}${match[2] ?? ''}`;
}

/** GitHub's error answer for this call. */
export function error(call: Call, status: number, message: string): RestResponse {
  return { status, body: errorBody(status, message, call.docs), headers: {} };
}

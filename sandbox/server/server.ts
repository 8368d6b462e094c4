import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxContext } from '../model/context.js';
import { etagFor, matchesIfNoneMatch } from './etag.js';
import type { ActiveFault, Faults } from './faults.js';
import { gitServiceOf, parseGitPath, serveGit } from '../git-http/backend.js';
import type { Repository } from '../model/repositories.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import type { RefUpdate } from '../model/branches.js';
import { DOCS, RATE_LIMIT_DOCS, REST_DOCS } from '../model/docs.js';
import { errorBody, GitHubError } from '../model/errors.js';
import { asObject, parseJsonBody } from '../rest/input.js';
import { matchRoute } from '../rest/router.js';
import type { RestResponse, RouteDefinition } from '../rest/route-types.js';
import { ROUTES } from '../rest/routes.js';
import type { RateWindow, Token } from '../model/tokens.js';
import { tokenFromAuthorization } from '../model/tokens.js';

const API_PREFIX = '/api/v3';

/** A handler for `/_sandbox/…` control requests (the standalone server's remote control). */
export type ControlHandler = (
  request: IncomingMessage,
  body: string,
  url: URL,
) => Promise<{ status: number; body: unknown }>;

/** One REST answer, for tests that check every body against GitHub's OpenAPI description. */
export interface RestObservation {
  operationId: string | null;
  route: string;
  status: number;
  body: unknown;
}

export interface ServerDependencies {
  context: SandboxContext;
  log: RequestLog;
  faults: Faults;
  control?: ControlHandler;
  observe?: (observation: RestObservation) => void;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string; cert: string };
}

type Outcome = Pick<RequestLogEntry, 'status' | 'fault' | 'countedAgainstRateLimit'> & {
  refUpdates?: RefUpdate[];
};

interface Classified {
  kind: RequestLogEntry['kind'];
  route: string;
  repository: string | null;
  gitService: RequestLogEntry['gitService'];
  write: boolean;
  tokenId: string | null;
}

/** The sandbox's HTTP server: REST below /api/v3, git smart HTTP at /<owner>/<repo>.git. */
export function createSandboxServer(dependencies: ServerDependencies): Server {
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(dependencies, request, response).catch((error: unknown) => {
      console.error('sandbox: request failed', error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ message: 'Server Error' }));
      } else {
        response.destroy();
      }
    });
  };
  const server =
    dependencies.tls === undefined
      ? createServer(listener)
      : createHttpsServer({ key: dependencies.tls.key, cert: dependencies.tls.cert }, listener);
  // Keep-alive sockets would hold `close()` up; tests stop the server promptly.
  server.keepAliveTimeout = 1000;
  return server;
}

async function handle(
  dependencies: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { context, log } = dependencies;
  const started = Date.now();
  const seq = log.nextSeq();
  const time = context.clock.now().toISOString();
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
  const classified: Classified = {
    kind: 'other',
    route: `${method} ${url.pathname}`,
    repository: null,
    gitService: null,
    write: false,
    tokenId: null,
  };
  const record = (outcome: Outcome): void => {
    log.add({
      seq,
      time,
      ...classified,
      method,
      path: `${url.pathname}${url.search}`,
      status: outcome.status,
      refUpdates: outcome.refUpdates ?? [],
      fault: outcome.fault,
      countedAgainstRateLimit: outcome.countedAgainstRateLimit,
      durationMs: Date.now() - started,
    });
  };

  if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
    classified.kind = 'rest';
    record(await handleRest(dependencies, request, response, url, classified));
    return;
  }
  const gitPath = parseGitPath(method, url.pathname);
  if (gitPath !== null) {
    classified.kind = 'git';
    record(await handleGit(dependencies, request, response, url, gitPath, classified));
    return;
  }
  if (url.pathname.startsWith('/_sandbox/') && dependencies.control !== undefined) {
    classified.kind = 'control';
    const body = await readBody(request);
    const answer = await dependencies
      .control(request, body.toString('utf8'), url)
      .catch((error: unknown) => ({ status: 400, body: { message: String(error) } }));
    sendJson(response, answer.status, answer.body, {});
    record({ status: answer.status, fault: null, countedAgainstRateLimit: false });
    return;
  }
  sendJson(response, 404, { message: 'Not Found' }, {});
  record({ status: 404, fault: null, countedAgainstRateLimit: false });
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  response.end(text);
}

function rateHeaders(window: RateWindow): Record<string, string> {
  return {
    'x-ratelimit-limit': String(window.limit),
    'x-ratelimit-remaining': String(Math.max(window.limit - window.used, 0)),
    'x-ratelimit-used': String(window.used),
    'x-ratelimit-reset': String(Math.floor(window.resetAt.getTime() / 1000)),
    'x-ratelimit-resource': 'core',
  };
}

/** `/repositories/{id}/…` — the form GitHub's Link headers use — as `/repos/{owner}/{repo}/…`. */
function canonicalApiPath(context: SandboxContext, path: string): string {
  const match = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
  if (match === null) return path;
  const repository = context.repositories.byId(Number(match[1]));
  return repository === undefined ? path : `/repos/${repository.fullName}${match[2] ?? ''}`;
}

async function applyDelay(fault: ActiveFault | null): Promise<void> {
  if (fault?.kind === 'delay') await sleep(fault.delayMs);
}

async function handleRest(
  dependencies: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  classified: Classified,
): Promise<Outcome> {
  const { context, faults } = dependencies;
  const method = request.method ?? 'GET';
  const apiPath = canonicalApiPath(context, url.pathname.slice(API_PREFIX.length) || '/');
  const match = matchRoute(ROUTES, method, apiPath);
  const route: RouteDefinition | null = match?.route ?? null;
  const params = match?.params ?? {};
  classified.route = route === null ? `${method} ${apiPath}` : `${method} ${route.template}`;
  classified.write = method !== 'GET' && method !== 'HEAD';
  const owner = params['owner'];
  const repo = params['repo'];
  const repository: Repository | undefined =
    owner !== undefined && repo !== undefined ? context.repositories.find(owner, repo) : undefined;
  classified.repository =
    repository?.fullName ?? (owner !== undefined ? `${owner}/${repo ?? ''}` : null);
  const tokenValue = tokenFromAuthorization(request.headers.authorization);
  // Routes of a GitHub App take its JWT, never a token.
  const appAuth = route?.scope === 'app' ? context.apps.authenticate(tokenValue) : null;
  const app = appAuth !== null && !('refused' in appAuth) ? appAuth : undefined;
  const token: Token | undefined =
    tokenValue === null || route?.scope === 'app' ? undefined : context.tokens.find(tokenValue);
  classified.tokenId = app !== undefined ? `app-${app.id}` : (token?.id ?? null);
  const documentationUrl = route === null ? REST_DOCS : DOCS[route.operationId];
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const baseHeaders: Record<string, string> = {
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': requestId,
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    // The sandbox clock's "now": @octokit/auth-app corrects a JWT's clock skew from this header.
    date: context.clock.now().toUTCString(),
  };

  const fault = faults.take({
    rest: true,
    route: classified.route,
    gitService: null,
    gitServiceCall: false,
    repository: classified.repository,
  });
  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return { status: 0, fault: 'reset', countedAgainstRateLimit: false };
  }
  await applyDelay(fault);
  const window = app !== undefined ? context.apps.window(app) : context.tokens.window(token);
  const faultName = fault?.kind ?? null;

  const answer = (result: RestResponse, counted: boolean): Outcome => {
    if (counted) window.used++;
    const headers = { ...baseHeaders, ...rateHeaders(window), ...result.headers };
    if (result.status !== 304) {
      dependencies.observe?.({
        operationId: route?.operationId ?? null,
        route: classified.route,
        status: result.status,
        body: result.body,
      });
    }
    if (faultName === 'lost') {
      request.socket.destroy();
    } else {
      sendJson(response, result.status, result.body, headers);
    }
    return {
      status: result.status,
      fault: faultName,
      countedAgainstRateLimit: counted,
      refUpdates: result.refUpdates ?? [],
    };
  };
  const error = (
    status: number,
    message: string,
    extra: Record<string, string> = {},
  ): RestResponse => ({
    status,
    body: errorBody(status, message, documentationUrl),
    headers: extra,
  });

  if (fault?.kind === 'status') {
    const message = fault.status >= 500 ? 'Server Error' : `HTTP ${fault.status}`;
    return answer(error(fault.status, message), false);
  }
  if (fault?.kind === 'secondary-rate-limit') {
    // The message GitHub sends (and @octokit/plugin-throttling matches with /\bsecondary rate\b/i).
    return answer(
      {
        status: 403,
        body: errorBody(
          403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          RATE_LIMIT_DOCS,
        ),
        headers: { 'retry-after': String(fault.retryAfter) },
      },
      false,
    );
  }

  if (fault?.kind === 'content-creation-limit') {
    // The words GitHub answers when an account creates content faster than it allows
    // (https://github.com/cli/cli/issues/4801: "was submitted too quickly", type UNPROCESSABLE),
    // in REST's 422 envelope; the limits: "no more than 80 content-generating requests per
    // minute and no more than 500 content-generating requests per hour" (RATE_LIMIT_DOCS).
    return answer(
      {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: classified.route.includes('/pulls') ? 'PullRequest' : 'Issue',
              code: 'custom',
              message: 'was submitted too quickly',
            },
          ],
          documentation_url: documentationUrl,
          status: '422',
        },
        headers: fault.retryAfterGiven ? { 'retry-after': String(fault.retryAfter) } : {},
      },
      false,
    );
  }

  if (fault?.kind === 'no-commits') {
    // A PR opened right after its branch was pushed can meet this while GitHub has not caught up
    // with the push: https://github.com/reenhanced/gitreflow/pull/226, and hub retries it
    // (https://github.com/mislav/hub/pull/1294).
    const input = asObject(
      parseJsonBody((await readBody(request)).toString('utf8'), documentationUrl),
    );
    const text = (key: string): string => (typeof input[key] === 'string' ? input[key] : '');
    return answer(
      {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `No commits between ${text('base')} and ${text('head')}`,
            },
          ],
          documentation_url: documentationUrl,
          status: '422',
        },
      },
      true,
    );
  }

  if (appAuth !== null && 'refused' in appAuth) {
    return answer(
      {
        status: 401,
        body: { message: appAuth.refused, documentation_url: REST_DOCS, status: '401' },
      },
      false,
    );
  }
  if (tokenValue !== null && token === undefined && app === undefined)
    return answer(error(401, 'Bad credentials'), false);
  const free = route?.free === true;
  if (!free && window.used >= window.limit) {
    const who =
      token === undefined ? '127.0.0.1' : `user ID ${context.accounts.get(token.login).id}`;
    return answer(error(403, `API rate limit exceeded for ${who}.`), false);
  }
  if (route === null) return answer(error(404, 'Not Found'), !free);
  if (route.scope === 'app' && app !== undefined) {
    const body = parseJsonBody((await readBody(request)).toString('utf8'), documentationUrl);
    const result = await route
      .handler({ context, params, query: url.searchParams, body, app, docs: documentationUrl })
      .catch((thrown: unknown) => {
        if (!(thrown instanceof GitHubError)) throw thrown;
        return { status: thrown.status, body: thrown.body, headers: thrown.headers };
      });
    return answer(result, true);
  }
  if (token === undefined) {
    // Anonymous callers cannot see private repositories: GitHub answers 404, not 401, for them.
    return answer(
      route.scope === 'global' && route.template === '/user'
        ? error(401, 'Requires authentication')
        : error(404, 'Not Found'),
      true,
    );
  }
  // An installation token does not see repositories its installation does not reach.
  if (
    route.scope === 'repository' &&
    (repository === undefined || !token.reach(repository.fullName))
  )
    return answer(error(404, 'Not Found'), true);
  if (classified.write && token.readOnly) {
    return answer(error(403, 'Resource not accessible by integration'), true);
  }

  const rawBody = (await readBody(request)).toString('utf8');
  let result: RestResponse;
  try {
    const body = parseJsonBody(rawBody, documentationUrl);
    const query = url.searchParams;
    result =
      route.scope === 'repository'
        ? await route.handler({
            context,
            params,
            query,
            body,
            token,
            repository: repository as Repository,
            docs: documentationUrl,
          })
        : route.scope === 'global'
          ? await route.handler({ context, params, query, body, token, docs: documentationUrl })
          : error(401, 'A JSON web token could not be decoded');
  } catch (thrown) {
    if (thrown instanceof GitHubError) {
      result = { status: thrown.status, body: thrown.body, headers: thrown.headers };
    } else {
      // A sandbox bug: say so loudly, and answer like GitHub's own 500.
      console.error(`sandbox: ${classified.route} failed`, thrown);
      result = error(500, 'Server Error');
    }
  }

  if (method === 'GET' && result.status === 200) {
    const etag = etagFor(JSON.stringify(result.body), classified.tokenId);
    result.headers = {
      ...result.headers,
      etag,
      'cache-control': 'private, max-age=60, s-maxage=60',
    };
    // "Making a conditional request does not count against your primary rate limit if a 304
    // response is returned": https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      return answer({ status: 304, headers: result.headers }, false);
    }
  }
  return answer(result, !free);
}

async function handleGit(
  dependencies: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  path: NonNullable<ReturnType<typeof parseGitPath>>,
  classified: Classified,
): Promise<Outcome> {
  const { context, faults } = dependencies;
  const service = gitServiceOf(path, url.searchParams);
  const isServiceCall = path.action !== 'info/refs';
  const repository = context.repositories.find(path.owner, path.repo);
  classified.route = path.route;
  classified.gitService = service;
  classified.repository = repository?.fullName ?? `${path.owner}/${path.repo}`;
  classified.write = isServiceCall && service === 'git-receive-pack';
  const tokenValue = tokenFromAuthorization(request.headers.authorization);
  const token = tokenValue === null ? undefined : context.tokens.find(tokenValue);
  classified.tokenId = token?.id ?? null;
  const plain = (status: number, text: string, headers: Record<string, string> = {}): Outcome => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    response.end(text);
    return { status, fault: null, countedAgainstRateLimit: false };
  };

  const fault = faults.take({
    rest: false,
    route: path.route,
    gitService: service,
    gitServiceCall: isServiceCall,
    repository: classified.repository,
  });
  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return { status: 0, fault: 'reset', countedAgainstRateLimit: false };
  }
  await applyDelay(fault);
  const faultName = fault?.kind ?? null;
  if (fault?.kind === 'status')
    return { ...plain(fault.status, 'Server Error\n'), fault: faultName };
  if (fault?.kind === 'secondary-rate-limit') {
    return {
      ...plain(403, 'You have exceeded a secondary rate limit.\n', {
        'retry-after': String(fault.retryAfter),
      }),
      fault: faultName,
    };
  }

  // git asks for credentials only after a 401 with a challenge.
  if (token === undefined) {
    return {
      ...plain(401, 'Invalid username or token.\n', { 'www-authenticate': 'Basic realm="GitHub"' }),
      fault: faultName,
    };
  }
  if (repository === undefined || !token.reach(repository.fullName))
    return { ...plain(404, 'Repository not found.\n'), fault: faultName };
  if (service === 'git-receive-pack' && token.readOnly) {
    return {
      ...plain(403, `Permission to ${repository.fullName}.git denied to ${token.login}.\n`),
      fault: faultName,
    };
  }
  if (service === null) return { ...plain(403, 'Service not enabled.\n'), fault: faultName };

  const streamIt = faultName !== 'lost';
  const served = await serveGit({
    context,
    request,
    repository,
    path,
    query: url.searchParams,
    token,
    stream: streamIt ? response : undefined,
  });
  if (faultName === 'lost') {
    request.socket.destroy();
  } else if (!response.headersSent) {
    response.writeHead(served.response.status, served.response.headers);
    response.end(served.response.body);
  }
  return {
    status: served.response.status,
    fault: faultName,
    countedAgainstRateLimit: false,
    refUpdates: served.refUpdates,
  };
}

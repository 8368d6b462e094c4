import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseGitPath } from '../git-http/backend.js';
import type { SandboxContext } from '../model/context.js';
import type { Faults } from './faults.js';
import { serveGitRequest } from './git.js';
import { readBody, sendJson } from './io.js';
import type { RequestLog, RequestLogEntry, Served } from './request-log.js';
import type { RestObservation } from './rest.js';
import { serveRest } from './rest.js';
import { API_PREFIX } from './rest-call.js';

/** A handler for `/_sandbox/…` control requests (the standalone server's remote control). */
export type ControlHandler = (
  request: IncomingMessage,
  body: string,
  url: URL,
) => Promise<{ status: number; body: unknown }>;

/** What the server needs: the sandbox's state, its log and faults, and the optional parts. */
export interface ServerDependencies {
  context: SandboxContext;
  log: RequestLog;
  faults: Faults;
  control?: ControlHandler;
  observe?: (observation: RestObservation) => void;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string; cert: string };
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

/** Serves one request by its kind and logs it. */
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
  const { kind, served } = await serveByKind(dependencies, request, response, url);
  log.add({
    seq,
    time,
    kind,
    method,
    path: `${url.pathname}${url.search}`,
    ...served,
    refUpdates: served.refUpdates ?? [],
    durationMs: Date.now() - started,
  });
}

async function serveByKind(
  dependencies: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<{ kind: RequestLogEntry['kind']; served: Served }> {
  const method = request.method ?? 'GET';
  if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
    return { kind: 'rest', served: await serveRest(dependencies, request, response, url) };
  }
  const gitPath = parseGitPath(method, url.pathname);
  if (gitPath !== null) {
    const served = await serveGitRequest(dependencies, request, response, url, gitPath);
    return { kind: 'git', served };
  }
  const { control } = dependencies;
  const unrouted = (status: number): Served => ({
    route: `${method} ${url.pathname}`,
    repository: null,
    gitService: null,
    write: false,
    tokenId: null,
    status,
    fault: null,
    countedAgainstRateLimit: false,
  });
  if (url.pathname.startsWith('/_sandbox/') && control !== undefined) {
    const body = (await readBody(request)).toString('utf8');
    const answer = await control(request, body, url).catch((error: unknown) => ({
      status: 400,
      body: { message: String(error) },
    }));
    sendJson(response, answer.status, answer.body, {});
    return { kind: 'control', served: unrouted(answer.status) };
  }
  sendJson(response, 404, { message: 'Not Found' }, {});
  return { kind: 'other', served: unrouted(404) };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxContext } from '../model/context.js';
import { GitHubError } from '../model/errors.js';
import { parseJsonBody } from '../rest/input.js';
import type { RestResponse } from '../rest/route-types.js';
import type { Caller } from './rest-access.js';
import {
  authenticate,
  rateHeaders,
  rateWindow,
  refuseAccess,
  refuseCredentials,
  refuseOverLimit,
} from './rest-access.js';
import { etagFor, matchesIfNoneMatch } from './etag.js';
import type { Call } from './rest-call.js';
import { classify, error } from './rest-call.js';
import type { FaultKind, RestAnswer } from './faults.js';
import { restFaultAnswer } from './faults.js';
import { readBody, sendJson } from './io.js';
import type { Served } from './request-log.js';
import type { ServerDependencies } from './server.js';

/** One REST answer, for tests that check every body against GitHub's OpenAPI description. */
export interface RestObservation {
  operationId: string | null;
  route: string;
  status: number;
  body: unknown;
}

/**
 * Serves one REST request below /api/v3, stage by stage: classify it, authenticate the caller,
 * let an injected fault act; then the first stage that answers wins — the fault's own answer, a
 * refused credential, the rate limit, the route's access rules, the handler (with the
 * conditional-request stage over it); then count it, hand it to the observer (the OpenAPI
 * validation of the sandbox's tests), send it (or lose it) and return what the log records.
 */
export async function serveRest(
  dependencies: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<Served> {
  const { context, faults } = dependencies;
  const call = classify(context, request, url);
  const caller = authenticate(context, call);
  const fault = faults.take({
    rest: true,
    route: call.name,
    gitService: null,
    gitServiceCall: false,
    repository: call.repositoryName,
  });
  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return logged(call, caller, { status: 0 }, false, 'reset');
  }
  if (fault?.kind === 'delay') await sleep(fault.delayMs);
  const window = rateWindow(context, caller);
  const answer =
    (await restFaultAnswer(fault, call)) ??
    refuseCredentials(call, caller) ??
    refuseOverLimit(context, call, caller, window) ??
    refuseAccess(call, caller) ??
    conditional(call, caller, await dispatch(context, call, caller));

  if (answer.counted) window.used++;
  if (answer.response.status !== 304) {
    dependencies.observe?.({
      operationId: call.route?.operationId ?? null,
      route: call.name,
      status: answer.response.status,
      body: answer.response.body,
    });
  }
  if (fault?.kind === 'lost') {
    request.socket.destroy();
  } else {
    const { status, body, headers } = answer.response;
    sendJson(response, status, body, { ...call.headers, ...rateHeaders(window), ...headers });
  }
  return logged(call, caller, answer.response, answer.counted, fault?.kind ?? null);
}

/** What the request log records of a REST request. */
function logged(
  call: Call,
  caller: Caller,
  response: RestResponse,
  counted: boolean,
  fault: FaultKind | null,
): Served {
  return {
    route: call.name,
    repository: call.repositoryName,
    gitService: null,
    write: call.write,
    tokenId: caller.id,
    status: response.status,
    fault,
    countedAgainstRateLimit: counted,
    refUpdates: response.refUpdates ?? [],
  };
}

/** The route's handler; GitHub's refusals it throws are answered as they are. */
async function dispatch(context: SandboxContext, call: Call, caller: Caller): Promise<RestAnswer> {
  const { route } = call;
  const counted = route?.free !== true;
  try {
    if (route === null) throw new Error('dispatch without a route');
    const body = parseJsonBody((await readBody(call.request)).toString('utf8'), call.docs);
    const request = {
      context,
      params: call.params,
      query: call.url.searchParams,
      body,
      docs: call.docs,
    };
    let response: RestResponse;
    if (route.scope === 'app' && caller.app !== undefined) {
      response = await route.handler({ ...request, app: caller.app });
    } else if (
      route.scope === 'repository' &&
      caller.token !== undefined &&
      call.repository !== undefined
    ) {
      response = await route.handler({
        ...request,
        token: caller.token,
        repository: call.repository,
      });
    } else if (route.scope === 'global' && caller.token !== undefined) {
      response = await route.handler({ ...request, token: caller.token });
    } else {
      throw new Error(`no caller for ${call.name}`);
    }
    return { response, counted };
  } catch (thrown) {
    if (thrown instanceof GitHubError) {
      const { status, body, headers } = thrown;
      return { response: { status, body, headers }, counted };
    }
    // A sandbox bug: say so loudly, and answer like GitHub's own 500.
    console.error(`sandbox: ${call.name} failed`, thrown);
    return { response: error(call, 500, 'Server Error'), counted };
  }
}

/**
 * The conditional-request stage: a GET's 200 carries a weak ETag (the caller's own); `If-None-Match` with it gives 304.
 * "Making a conditional request does not count against your primary rate limit if a 304
 * response is returned": https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 */
function conditional(call: Call, caller: Caller, answer: RestAnswer): RestAnswer {
  if (call.method !== 'GET' || answer.response.status !== 200) return answer;
  const etag = etagFor(JSON.stringify(answer.response.body), caller.id);
  const headers = {
    ...answer.response.headers,
    etag,
    'cache-control': 'private, max-age=60, s-maxage=60',
  };
  if (matchesIfNoneMatch(call.request.headers['if-none-match'], etag)) {
    return { response: { status: 304, headers }, counted: false };
  }
  return { ...answer, response: { ...answer.response, headers } };
}

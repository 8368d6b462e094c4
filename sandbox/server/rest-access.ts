import type { App } from '../model/apps.js';
import type { SandboxContext } from '../model/context.js';
import { REST_DOCS } from '../model/docs.js';
import type { RateWindow, Token } from '../model/tokens.js';
import { tokenFromAuthorization } from './credentials.js';
import type { RestAnswer } from './faults.js';
import type { Call } from './rest-call.js';
import { error } from './rest-call.js';

// Who a REST request comes from and what it may do: the pipeline's stages between the fault's
// answer and the handler.

/** Who is calling: a token, an App (by its JWT), nobody, or a credential GitHub refuses. */
export interface Caller {
  token: Token | undefined;
  app: App | undefined;
  /** The 401 text for a JWT GitHub refuses. */
  refusedJwt: string | undefined;
  /** A credential was sent that names no live token. */
  badCredentials: boolean;
  /** What the log shows: a token's id or `app-<id>`, never the secret. */
  id: string | null;
}

/** The caller. Routes of a GitHub App take its JWT, never a token. */
export function authenticate(context: SandboxContext, call: Call): Caller {
  const credential = tokenFromAuthorization(call.request.headers.authorization);
  if (call.route?.scope === 'app') {
    const proof = context.apps.authenticate(credential);
    const app = 'refused' in proof ? undefined : proof;
    const refusedJwt = 'refused' in proof ? proof.refused : undefined;
    const id = app === undefined ? null : `app-${app.id}`;
    return { token: undefined, app, refusedJwt, badCredentials: false, id };
  }
  const token = credential === null ? undefined : context.tokens.find(credential);
  return {
    token,
    app: undefined,
    refusedJwt: undefined,
    badCredentials: credential !== null && token === undefined,
    id: token?.id ?? null,
  };
}

/** The primary rate-limit window the caller uses: its token's, its App's, or the anonymous one. */
export function rateWindow(context: SandboxContext, caller: Caller): RateWindow {
  return caller.app !== undefined
    ? context.apps.window(caller.app)
    : context.tokens.window(caller.token);
}

/** A JWT or token GitHub refuses: 401, not counted. */
export function refuseCredentials(call: Call, caller: Caller): RestAnswer | null {
  if (caller.refusedJwt !== undefined) {
    const body = { message: caller.refusedJwt, documentation_url: REST_DOCS, status: '401' };
    return { response: { status: 401, body }, counted: false };
  }
  if (caller.badCredentials)
    return { response: error(call, 401, 'Bad credentials'), counted: false };
  return null;
}

/** An exhausted primary rate limit: 403 (GET /rate_limit stays free and open). */
export function refuseOverLimit(
  context: SandboxContext,
  call: Call,
  caller: Caller,
  window: RateWindow,
): RestAnswer | null {
  if (call.route?.free === true || window.used < window.limit) return null;
  const who =
    caller.token === undefined
      ? '127.0.0.1'
      : `user ID ${context.accounts.get(caller.token.login).id}`;
  return { response: error(call, 403, `API rate limit exceeded for ${who}.`), counted: false };
}

/**
 * What the route lets the caller see and do. Anonymous callers cannot see private
 * repositories (GitHub answers 404, not 401); an installation token does not see repositories
 * its installation does not reach; a read-only token cannot write.
 */
export function refuseAccess(call: Call, caller: Caller): RestAnswer | null {
  const { route } = call;
  if (route === null) return { response: error(call, 404, 'Not Found'), counted: true };
  if (route.scope === 'app') return null;
  const { token } = caller;
  if (token === undefined) {
    const anonymous =
      route.scope === 'global' && route.template === '/user'
        ? error(call, 401, 'Requires authentication')
        : error(call, 404, 'Not Found');
    return { response: anonymous, counted: true };
  }
  if (
    route.scope === 'repository' &&
    (call.repository === undefined || !token.reach(call.repository.fullName))
  ) {
    return { response: error(call, 404, 'Not Found'), counted: true };
  }
  // GitHub's 403 for a token without the permission an operation needs.
  const statusDenied = route.operationId === 'repos/create-commit-status' && !token.statuses;
  if ((call.write && token.readOnly) || statusDenied) {
    return { response: error(call, 403, 'Resource not accessible by integration'), counted: true };
  }
  return null;
}

/** GitHub's `x-ratelimit-*` headers for the caller's window. */
export function rateHeaders(window: RateWindow): Record<string, string> {
  return {
    'x-ratelimit-limit': String(window.limit),
    'x-ratelimit-remaining': String(Math.max(window.limit - window.used, 0)),
    'x-ratelimit-used': String(window.used),
    'x-ratelimit-reset': String(Math.floor(window.resetAt.getTime() / 1000)),
    'x-ratelimit-resource': 'core',
  };
}

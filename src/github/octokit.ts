import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
// Types only: @octokit/types comes with @octokit/rest.
import type { EndpointOptions, RequestInterface, RequestParameters, Route } from '@octokit/types';
import { UserError } from '../errors.js';
import type { Logger } from '../io/log.js';
import type { Credential } from './credential.js';
import { statusOf } from './failures.js';
import { contentCreationLimit, throttle } from './rate-limits.js';

/** How the client reaches GitHub and how long it waits; tests shorten the waits. */
export interface TransportOptions {
  apiUrl: string;
  log: Logger;
  userAgent?: string;
  /**
   * Scales every `retry-after` and backoff (ms per second announced); 1000 in production.
   * Tests lower it so that a sandbox's `retry-after: 60` does not stall them.
   */
  retryAfterBaseValue?: number;
  /** Turns off the client-side spacing of writes (≥ 1 s on GitHub's advice); tests only. */
  throttleWrites?: boolean;
  /** Aborts one HTTP attempt that takes longer than this. */
  requestTimeoutMs?: number;
  /** Node's fetch unless given (e.g. one through a proxy, see io/network.ts). */
  fetch?: typeof fetch | undefined;
}

const ThrottledOctokit = Octokit.plugin(certificateRefusals, retry, throttling);
const RetryingOctokit = Octokit.plugin(certificateRefusals, retry);

// 4xx are answers, not accidents: never retried, except rate limits (the throttling plugin).
const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 451];
const REQUEST_TIMEOUT_MS = 30_000;

/** The Octokit the client calls: retries, throttling and the content-creation limit, as a credential. */
export function createOctokit(options: TransportOptions & { credential: Credential }) {
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1000;
  const octokit = new ThrottledOctokit({
    ...common(options),
    authStrategy: credentialStrategy(options.credential),
    throttle: throttle({ ...options, retryAfterBaseValue }),
  });
  contentCreationLimit(octokit, { log: options.log, retryAfterBaseValue });
  return octokit;
}

/**
 * A REST request function without credentials, for the calls that carry their own: a GitHub
 * App's JWT (see app-credential.ts). Same transport and retries as the client.
 */
export function createBareRequest(options: TransportOptions): Octokit['request'] {
  return new RetryingOctokit(common(options)).request;
}

function common(options: TransportOptions) {
  const fetch = options.fetch ?? globalThis.fetch;
  return {
    baseUrl: options.apiUrl,
    userAgent: options.userAgent ?? 'bosh-release-pr',
    log: octokitLog(options.log),
    request: { fetch: timedFetch(fetch, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS) },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      retries: 3,
      retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
    },
  };
}

/** A fetch that aborts each attempt after `timeoutMs` (the retry plugin re-sends the same options). */
function timedFetch(baseFetch: typeof fetch, timeoutMs: number) {
  return (url: string, init: RequestInit = {}) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    return baseFetch(url, { ...init, signal: AbortSignal.any(signals) });
  };
}

/**
 * Octokit's auth strategy over a Credential: the current token on every request, and after a
 * 401 one retry with a renewed token (an installation token may lapse during a long wait).
 */
function credentialStrategy(credential: Credential) {
  const auth = async () => ({ type: 'token', token: await credential.current() });
  const hook = async (
    request: RequestInterface,
    route: Route | EndpointOptions,
    parameters?: RequestParameters,
  ) => {
    // Octokit hands either a route and its parameters or merged options (auth-token does the same).
    const endpoint = request.endpoint.merge(route as Route, parameters);
    const send = (token: string) =>
      request({
        ...endpoint,
        headers: { ...endpoint.headers, authorization: `token ${token}` },
      } as EndpointOptions);
    const token = await credential.current();
    try {
      return await send(token);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      const renewed = await credential.renew(token);
      if (renewed === undefined) throw error;
      return send(renewed);
    }
  };
  return () => Object.assign(auth, { hook });
}

// Octokit's own lines (a request that failed, a retry) are details: debug only.
function octokitLog(log: Logger) {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => log.debug(message),
    error: (message: string) => log.debug(message),
  };
}

// Node's codes for a server certificate it does not accept (openssl's verify errors, and the
// hostname check).
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The code of a certificate Node refused, anywhere in an error's causes. */
function certificateCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * An untrusted certificate is an answer, not an accident: fail at once with what to do. Applied
 * before plugin-retry, which would otherwise retry it as a network failure (a 500 to Octokit).
 */
function certificateRefusals(octokit: { hook: Octokit['hook'] }, options: { baseUrl?: string }) {
  const origin = new URL(options.baseUrl ?? 'https://api.github.com').origin;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    try {
      return await request(requestOptions);
    } catch (error) {
      const code = certificateCode(error);
      if (code === undefined) throw error;
      throw new UserError(
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? `the certificate of ${origin} does not name its host (${code}): check source.github_api_url, or set source.skip_ssl_verification: true`
          : `the certificate of ${origin} is not trusted (${code}): set source.ca_certs to the PEM of the CA that issued it, or source.skip_ssl_verification: true`,
      );
    }
  });
}

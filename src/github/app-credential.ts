import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import type { Octokit } from '@octokit/rest';
import type { Credential } from './credential.js';
import { UserError } from '../errors.js';
import { statusOf } from './failures.js';
import type { Logger, SecretRegistry } from '../io/log.js';

interface AppCredentialOptions {
  appId: string;
  privateKey: string;
  /** Found from the repository (`GET /repos/{owner}/{repo}/installation`) when undefined. */
  installationId: string | undefined;
  owner: string;
  repo: string;
  /** A REST request function without credentials: the App's calls carry its JWT. */
  request: Octokit['request'];
  /** Every JWT and installation token is registered here before it is used. */
  secrets: SecretRegistry;
  log: Logger;
  /** Milliseconds since the epoch (tests use the sandbox's clock). */
  now?: () => number;
  /** Keeps the installation token between steps (check's /tmp cache); none: one per step. */
  store?: TokenStore;
}

/**
 * An installation token as kept between steps. (Not its installation: the App may be installed
 * anew meanwhile, so a new token starts with the installation looked up again.)
 */
export interface StoredToken {
  token: string;
  /** GitHub's clock, ms since the epoch. */
  expiresAt: number;
}

/** Where an installation token outlives its step. */
export interface TokenStore {
  load(): Promise<StoredToken | undefined>;
  save(token: StoredToken): Promise<void>;
}

// An installation token lives an hour; one closer than this to its end is replaced before use, so
// that a push or a poll never starts with a token about to lapse.
const RENEW_BEFORE_MS = 5 * 60 * 1000;

const APP_FIELDS = 'source.app_id and source.private_key';

/** An installation token and when it expires (GitHub's clock, ms since the epoch). */
interface Held {
  value: string;
  expiresAt: number;
}

/**
 * A GitHub App's installation tokens for one repository (@octokit/auth-app mints them), renewed
 * before they expire and after GitHub refuses one. Nothing is requested before the first use.
 */
export function createAppCredential(options: AppCredentialOptions): Credential {
  const { appId, owner, repo, request, secrets, log } = options;
  const now = options.now ?? Date.now;
  const key = privateKey(options.privateKey);
  const slug = `${owner}/${repo}`;
  // The clock difference @octokit/auth-app measured from a refused JWT (GitHub's Date header).
  let skewSeconds = 0;
  const auth = createAppAuth({
    appId,
    createJwt: (_appId, timeDifference) => {
      if (timeDifference !== undefined) skewSeconds = timeDifference;
      return Promise.resolve(appJwt(appId, key, Math.floor(now() / 1000) + skewSeconds, secrets));
    },
    request,
    log: { warn: (message: string) => log.debug(message) },
  });

  let installation: Promise<number> | undefined;
  let token: Promise<Held> | undefined;

  const installationId = (): Promise<number> => {
    installation ??=
      options.installationId !== undefined
        ? Promise.resolve(Number(options.installationId))
        : findInstallation();
    return installation;
  };

  async function findInstallation(): Promise<number> {
    try {
      const { data } = await auth.hook(request, 'GET /repos/{owner}/{repo}/installation', {
        owner,
        repo,
      });
      log.debug(`GitHub App ${appId} is installed on ${slug} as installation ${data.id}`);
      return data.id;
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new UserError(
          `GitHub App ${appId} is not installed on ${slug} (404): install it on the repository (Contents and Pull requests: read and write), or check source.app_id`,
        );
      }
      throw refusal(error, `finding the installation of GitHub App ${appId} on ${slug}`);
    }
  }

  async function mint(): Promise<Held> {
    const id = await installationId();
    const held = await createToken(id);
    await options.store?.save({ token: held.value, expiresAt: held.expiresAt });
    return held;
  }

  async function createToken(id: number): Promise<Held> {
    const create = () => auth({ type: 'installation', installationId: id, refresh: true });
    try {
      const minted = await create().catch((error: unknown) => {
        // @octokit/auth-app corrects clock skew only on the routes its hook sends: do the same
        // for this one, from GitHub's Date header.
        const date = skewedJwtDate(error);
        if (date === undefined) throw error;
        skewSeconds = Math.floor((date - now()) / 1000);
        log.warn(
          `GitHub's clock is ${skewSeconds}s off this worker's: the GitHub App's JWT follows GitHub's`,
        );
        return create();
      });
      secrets.add(minted.token);
      return { value: minted.token, expiresAt: Date.parse(minted.expiresAt) };
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new UserError(
          `installation ${id} of GitHub App ${appId} was not found (404): check source.installation_id, or leave it out to find the installation from ${slug}`,
        );
      }
      throw refusal(error, `creating an installation token for installation ${id}`);
    }
  }

  const fresh = (): Promise<Held> => {
    // A failed mint is not remembered: the next call tries again.
    const minting: Promise<Held> = mint().catch((error: unknown) => {
      if (token === minting) token = undefined;
      throw error;
    });
    token = minting;
    return minting;
  };
  // The first token: the one an earlier check kept, while it has a while to live (an idle check
  // then makes no request for it, and its ETags stay valid: they belong to the token).
  const first = (): Promise<Held> => {
    const store = options.store;
    if (store === undefined) return fresh();
    const restoring: Promise<Held> = store
      .load()
      .then((kept) => {
        if (kept === undefined || expiresSoon(kept.expiresAt)) return mint();
        secrets.add(kept.token);
        log.debug('using the installation token an earlier check kept');
        return { value: kept.token, expiresAt: kept.expiresAt };
      })
      .catch((error: unknown) => {
        if (token === restoring) token = undefined;
        throw error;
      });
    token = restoring;
    return restoring;
  };
  const expiresSoon = (expiresAt: number) =>
    expiresAt - (now() + skewSeconds * 1000) <= RENEW_BEFORE_MS;
  // Replaces the token `seen` resolved to, unless a concurrent request replaced it already.
  const replace = (seen: Promise<Held>): Promise<Held> =>
    token !== undefined && token !== seen ? token : fresh();

  return {
    fields: APP_FIELDS,
    async current() {
      const seen = token ?? first();
      const held = await seen;
      if (!expiresSoon(held.expiresAt)) return held.value;
      log.debug('the installation token expires soon: creating a new one');
      return (await replace(seen)).value;
    },
    async renew(refused) {
      const seen = token ?? first();
      const held = await seen;
      if (held.value !== refused) return held.value;
      log.debug('GitHub refused the installation token: creating a new one');
      return (await replace(seen)).value;
    },
  };
}

function privateKey(pem: string): KeyObject {
  try {
    // A key pasted into a single-line variable often carries `\n` escapes instead of newlines.
    return createPrivateKey(pem.replace(/\\n/g, '\n'));
  } catch {
    throw new UserError(
      'source.private_key: not a PEM private key: paste the GitHub App private key (.pem) whole, with its BEGIN and END lines',
    );
  }
}

// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app:
// iat 60 s in the past against clock drift, exp at most 10 minutes ahead (9 here, against the
// "exp is too far in the future" refusals of clocks a little ahead).
function appJwt(
  appId: string,
  key: KeyObject,
  nowSeconds: number,
  secrets: SecretRegistry,
): { jwt: string; expiresAt: string } {
  const iat = nowSeconds - 60;
  const exp = nowSeconds + 9 * 60;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat, exp, iss: appId })}`;
  const jwt = `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
  secrets.add(jwt);
  return { jwt, expiresAt: new Date(exp * 1000).toISOString() };
}

/** GitHub's time (its Date header) when it refused a JWT for its iat or exp claim. */
function skewedJwtDate(error: unknown): number | undefined {
  const response = (
    error as { response?: { data?: { message?: unknown }; headers?: { date?: string } } }
  ).response;
  if (statusOf(error) !== 401 || !/claim \('(exp|iat)'\)/.test(String(response?.data?.message))) {
    return undefined;
  }
  const date = Date.parse(response?.headers?.date ?? '');
  return Number.isNaN(date) ? undefined : date;
}

function refusal(error: unknown, what: string): Error {
  const status = statusOf(error);
  const message =
    (error as { response?: { data?: { message?: unknown } } }).response?.data?.message ?? '';
  if (status === 401) {
    const clock = /claim \('(exp|iat)'\)/.test(String(message)) ? " and the worker's clock" : '';
    return new UserError(
      `GitHub refused the GitHub App's JWT while ${what} (401: ${String(message)}): check ${APP_FIELDS}${clock}`,
    );
  }
  if (status === 403) {
    return new UserError(
      `GitHub forbade ${what} (403: ${String(message)}): check that the GitHub App's installation is not suspended and has Contents and Pull requests access`,
    );
  }
  return new Error(what, { cause: error });
}

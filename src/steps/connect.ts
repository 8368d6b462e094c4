import { fixedCredential, type Credential } from '../github/credential.js';
import { cacheScope, createEtagCache, type EtagCache } from '../io/etag-cache.js';
import { createGit } from '../git/client.js';
import type { Git, GitRemote } from '../git/git.js';
import {
  createAppCredential,
  type StoredToken,
  type TokenStore,
} from '../github/app-credential.js';
import { createGitHub } from '../github/client.js';
import type { GitHub } from '../github/github.js';
import { createBareRequest, type TransportOptions } from '../github/octokit.js';
import { createNetwork } from '../io/network.js';
import type { SourceSettings } from '../concourse/settings.js';
import type { StepContext } from '../concourse/run-step.js';

/** The real GitHub, git and cache a step talks to, built once in an entrypoint. */
export interface Connections {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  cache: EtagCache;
}

/** What tests change about the real dependencies: waits, the clock, where the cache lives. */
export interface ConnectOptions {
  github?: Pick<TransportOptions, 'retryAfterBaseValue' | 'throttleWrites'>;
  gitRetryDelayMs?: number;
  /** Milliseconds since the epoch, for the expiry of installation tokens. */
  now?: () => number;
  cacheDir?: string;
  /**
   * Keep a GitHub App's installation token in the cache for the next step (check: Concourse
   * reuses its container, so an idle poll needs no token of its own).
   */
  keepAppToken?: boolean;
}

/**
 * Builds the real dependencies of a step from its source settings. Nothing is requested yet:
 * a GitHub App's token is minted on the first request. Invalid ca_certs or private_key fail here.
 */
export function connect(
  source: SourceSettings,
  context: Pick<StepContext, 'log' | 'secrets' | 'env'>,
  options: ConnectOptions = {},
): Connections {
  const network = createNetwork({
    caCerts: source.caCerts,
    skipSslVerification: source.skipSslVerification,
    env: context.env,
  });
  const transport = { apiUrl: source.apiUrl, fetch: network.fetch, ...options.github };
  // An App's tokens change: its entries belong to the App and installation.
  const identity =
    source.auth.kind === 'token'
      ? source.auth.token
      : `app ${source.auth.appId} ${source.auth.installationId ?? 'found from the repository'}`;
  const cache = createEtagCache({
    scope: cacheScope({
      apiUrl: source.apiUrl,
      owner: source.owner,
      repo: source.repo,
      credential: identity,
    }),
    ...(options.cacheDir === undefined ? {} : { dir: options.cacheDir }),
  });
  const credential: Credential =
    source.auth.kind === 'token'
      ? fixedCredential(source.auth.token)
      : createAppCredential({
          ...source.auth,
          owner: source.owner,
          repo: source.repo,
          request: createBareRequest({ ...transport, log: context.log }),
          secrets: context.secrets,
          log: context.log,
          now: options.now,
          ...(options.keepAppToken === true ? { store: cachedToken(cache) } : {}),
        });
  return {
    github: createGitHub({
      ...transport,
      credential,
      owner: source.owner,
      repo: source.repo,
      log: context.log,
    }),
    git: createGit({ log: context.log, env: context.env, retryDelayMs: options.gitRetryDelayMs }),
    remote: {
      url: source.gitUrl,
      token: credential,
      caBundle: network.caBundle,
      skipSslVerification: network.skipSslVerification,
    },
    cache,
  };
}

const INSTALLATION_TOKEN = 'installation token';

/** The installation token kept in the cache; anything unreadable there is no token. */
function cachedToken(cache: EtagCache): TokenStore {
  return {
    async load() {
      const kept = (await cache.get<Partial<StoredToken>>(INSTALLATION_TOKEN))?.value;
      const { token, expiresAt } = kept ?? {};
      return typeof token === 'string' && typeof expiresAt === 'number'
        ? { token, expiresAt }
        : undefined;
    },
    save: (token) =>
      cache.set(INSTALLATION_TOKEN, { etag: '', value: token, checkedAt: Date.now() }),
  };
}

import { fixedCredential, type Credential } from './credential.js';
import { createEtagCache, credentialScope, type EtagCache } from './etag-cache.js';
import { createGit, type Git, type GitRemote } from './git.js';
import { createAppCredential } from './github-app.js';
import { createBareRequest, createGitHub, type GitHub, type GitHubOptions } from './github.js';
import { createNetwork } from './network.js';
import type { SourceSettings } from './settings.js';
import type { StepContext } from './step.js';

/** The real GitHub, git and cache a step talks to, built once in an entrypoint. */
export interface Connections {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  cache: EtagCache;
}

/** What tests change about the real dependencies: waits, the clock, where the cache lives. */
export interface ConnectOptions {
  github?: Pick<GitHubOptions, 'retryAfterBaseValue' | 'throttleWrites'>;
  gitRetryDelayMs?: number;
  /** Milliseconds since the epoch, for the expiry of installation tokens. */
  now?: () => number;
  cacheDir?: string;
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
        });
  // An App's tokens change every step: its cache scope is the App and installation instead.
  const identity =
    source.auth.kind === 'token'
      ? source.auth.token
      : `app ${source.auth.appId} ${source.auth.installationId ?? `${source.owner}/${source.repo}`}`;
  return {
    github: createGitHub({
      ...transport,
      token: credential,
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
    cache: createEtagCache({
      scope: credentialScope(source.apiUrl, identity),
      ...(options.cacheDir === undefined ? {} : { dir: options.cacheDir }),
    }),
  };
}

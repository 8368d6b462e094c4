import { createEtagCache, credentialScope, type EtagCache } from './etag-cache.js';
import { UserError } from './errors.js';
import { createGit, type Git, type GitRemote } from './git.js';
import { createGitHub, type GitHub } from './github.js';
import type { SourceSettings } from './settings.js';
import type { StepContext } from './step.js';

/** The real GitHub, git and cache a step talks to, built once in an entrypoint. */
export interface Connections {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  cache: EtagCache;
}

/** Builds the real dependencies of a step from its source settings. */
export function connect(source: SourceSettings, context: StepContext): Connections {
  const token = credential(source);
  if (source.caCerts !== undefined || source.skipSslVerification) {
    throw new UserError(
      "source.ca_certs and source.skip_ssl_verification are not available yet in this build: the worker's system CA store is trusted",
    );
  }
  return {
    github: createGitHub({
      apiUrl: source.apiUrl,
      token,
      owner: source.owner,
      repo: source.repo,
      log: context.log,
    }),
    git: createGit({ log: context.log, env: context.env }),
    remote: { url: source.gitUrl, token, skipSslVerification: source.skipSslVerification },
    cache: createEtagCache({ scope: credentialScope(source.apiUrl, token) }),
  };
}

function credential(source: SourceSettings): string {
  if (source.auth.kind === 'token') return source.auth.token;
  throw new UserError(
    'GitHub App authentication (source.app_id, source.private_key) is not available yet in this build: use source.access_token',
  );
}

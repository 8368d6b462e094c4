import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
// Types only: @octokit/types comes with @octokit/rest.
import type { EndpointOptions, RequestInterface, RequestParameters, Route } from '@octokit/types';
import { fixedCredential, type Credential } from './credential.js';
import { UserError } from '../errors.js';
import type { Logger } from '../io/log.js';

/** A pull request as the steps see it. */
export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | undefined;
  mergeCommitSha: string | undefined;
  headRef: string;
  headSha: string;
  baseRef: string;
  htmlUrl: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  draft: boolean;
}

export interface RepositoryInfo {
  defaultBranch: string;
  deleteBranchOnMerge: boolean;
}

/** A commit's author or committer as git records it. */
export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601. */
  date: string;
}

export interface CommitInfo {
  sha: string;
  message: string;
  parents: string[];
  /** Committer date, ISO 8601. */
  date: string;
  author?: GitPerson | undefined;
  committer?: GitPerson | undefined;
}

/** What `base...head` compares to (GET /compare): the commits `head` has over the merge base. */
export interface Comparison {
  status: 'diverged' | 'ahead' | 'behind' | 'identical';
  aheadBy: number;
  behindBy: number;
  /** Oldest first; at most 250 (GitHub's limit), see `aheadBy` for the count. */
  commits: CommitInfo[];
  /** Files changed from the merge base to `head` (at most 300, GitHub's limit). */
  files: Array<{ filename: string; status: string; additions: number; deletions: number }>;
}

export interface PullFilter {
  head: string;
  /** Absent: PRs from `head` into any base. */
  base?: string | undefined;
  state: 'open' | 'closed' | 'all';
  sort?: 'created' | 'updated';
  direction?: 'asc' | 'desc';
  perPage?: number;
  page?: number;
}

/** A conditional read: either not modified since `etag`, or the new content and its ETag. */
export type Conditional<T> =
  { modified: false } | { modified: true; value: T; etag: string | undefined };

/** The GitHub operations the steps use (STYLE: a narrow interface; tests use the sandbox). */
export interface GitHub {
  readonly owner: string;
  readonly repo: string;
  /** The repository (default branch). */
  getRepository(): Promise<RepositoryInfo>;
  /** The repository (default branch), conditionally: check polls it. */
  getRepositoryConditional(etag: string | undefined): Promise<Conditional<RepositoryInfo>>;
  /** The newest commit on `ref` that touched `path`, or undefined. */
  lastCommitTouching(path: string, ref: string): Promise<CommitInfo | undefined>;
  /** The sha a branch points at, or undefined when there is no such branch. */
  getBranchSha(branch: string): Promise<string | undefined>;
  /**
   * Whether a tag of exactly this name exists, conditionally: the answer (the tags starting with
   * the name) does not change when branches move, so it revalidates with a free 304.
   */
  hasTagConditional(name: string, etag: string | undefined): Promise<Conditional<boolean>>;
  getCommit(sha: string): Promise<CommitInfo>;
  listPulls(filter: PullFilter): Promise<PullRequest[]>;
  /** One page of pulls, sent with If-None-Match: a 304 costs no rate limit. */
  listPullsConditional(
    filter: PullFilter,
    etag: string | undefined,
  ): Promise<Conditional<{ pulls: PullRequest[]; hasNextPage: boolean }>>;
  /** A file's text at a ref, conditionally; undefined when the file does not exist. */
  getFileConditional(
    path: string,
    ref: string,
    etag: string | undefined,
  ): Promise<Conditional<string | undefined>>;
  getPull(number: number): Promise<PullRequest>;
  /** A PR's commits, oldest first (at most 250: GitHub lists no more). */
  listPullCommits(number: number): Promise<CommitInfo[]>;
  /** `base...head`, or undefined when either names nothing (GET /compare answers 404). */
  compareCommits(base: string, head: string): Promise<Comparison | undefined>;
  createPull(options: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<PullRequest>;
  updatePull(
    number: number,
    changes: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<PullRequest>;
  addLabels(number: number, labels: string[]): Promise<void>;
  requestReviewers(number: number, reviewers: string[], teamReviewers: string[]): Promise<void>;
  addAssignees(number: number, assignees: string[]): Promise<void>;
}

// GitHub's own texts for the failures the steps handle, classified in one place.
export const REFERENCE_ALREADY_EXISTS = 'Reference already exists';
/** GitHub's 422 when an account creates content faster than it allows (a secondary rate limit). */
export const SUBMITTED_TOO_QUICKLY = 'was submitted too quickly';
export const PULL_REQUEST_ALREADY_EXISTS = 'A pull request already exists for';
export const NO_COMMITS_BETWEEN = 'No commits between';

export type KnownFailure =
  'pull-exists' | 'no-commits' | 'reference-exists' | 'not-found' | 'unknown';

/** Names a GitHub failure the steps know how to handle, from its status and message texts. */
export function classifyFailure(error: unknown): KnownFailure {
  const status = statusOf(error);
  const text = failureText(error);
  if (status === 422 && text.includes(PULL_REQUEST_ALREADY_EXISTS)) return 'pull-exists';
  if (status === 422 && text.includes(NO_COMMITS_BETWEEN)) return 'no-commits';
  if (status === 422 && text.includes(REFERENCE_ALREADY_EXISTS)) return 'reference-exists';
  if (status === 404) return 'not-found';
  return 'unknown';
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** The message and every validation error message of a GitHub failure, as one string. */
function failureText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const parts: string[] = [];
  if (error instanceof Error) parts.push(error.message);
  const data = (error as { response?: { data?: unknown } }).response?.data;
  if (typeof data === 'object' && data !== null) {
    const { message, errors } = data as { message?: unknown; errors?: unknown };
    if (typeof message === 'string') parts.push(message);
    if (Array.isArray(errors)) {
      for (const item of errors) {
        if (typeof item === 'string') parts.push(item);
        else if (typeof item === 'object' && item !== null && 'message' in item) {
          parts.push(String((item as { message: unknown }).message));
        }
      }
    }
  }
  return parts.join(' | ');
}

export interface GitHubOptions {
  apiUrl: string;
  /** A token, or a credential whose tokens change (a GitHub App's). */
  token: string | Credential;
  owner: string;
  repo: string;
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
  /** Node's fetch unless given (e.g. one through a proxy, see network.ts). */
  fetch?: typeof fetch | undefined;
}

const MAX_RATE_LIMIT_RETRIES = 2;
// Waiting longer than this for a rate limit to reset would outlast any sane build: fail instead.
const MAX_RATE_LIMIT_WAIT_SECONDS = 120;
// "If the retry-after response header is not present, … wait for at least one minute before
// retrying" (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
const SECONDARY_LIMIT_DEFAULT_WAIT_SECONDS = 60;

// What the user reads for the writes that create content, instead of a route template.
const CONTENT_WRITES: Array<[RegExp, string]> = [
  [/^POST \/repos\/\{owner\}\/\{repo\}\/pulls$/, 'opening the release PR'],
  [/^PATCH \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}$/, 'editing the release PR'],
  [/\/labels$/, 'labelling the release PR'],
  [/\/requested_reviewers$/, 'requesting reviewers on the release PR'],
  [/\/assignees$/, 'assigning the release PR'],
];

/**
 * GitHub's content-creation limit (80 a minute, 500 an hour per account) answers 422 "was
 * submitted too quickly" — a secondary rate limit, not a validation failure, and nothing was
 * created: the same request is sent again after GitHub's `retry-after` (a minute without one),
 * within the bounds of the other rate limits, then the step fails with one line. Applied
 * outermost, so that a write sent once (`request.retries: 0`) is retried only for this answer.
 */
function contentCreationLimit(
  octokit: { hook: Octokit['hook'] },
  options: { log: Logger; retryAfterBaseValue: number },
): void {
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let retries = 0; ; retries++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        if (statusOf(error) !== 422 || !failureText(error).includes(SUBMITTED_TOO_QUICKLY)) {
          throw error;
        }
        const route = `${requestOptions.method} ${requestOptions.url}`;
        const what = CONTENT_WRITES.find(([pattern]) => pattern.test(route))?.[1] ?? route;
        const header = (error as { response?: { headers?: Record<string, string> } }).response
          ?.headers?.['retry-after'];
        const retryAfter = Number(header) || SECONDARY_LIMIT_DEFAULT_WAIT_SECONDS;
        if (retries >= MAX_RATE_LIMIT_RETRIES || retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) {
          throw new UserError(
            `GitHub refused ${what} ${retries + 1} times as "${SUBMITTED_TOO_QUICKLY}": the account the resource acts as has reached GitHub's limit on creating content (80 a minute, 500 an hour), which a build does not wait out: re-run the build later, and give the resource a token or GitHub App of its own if other automation shares this one`,
          );
        }
        options.log.warn(
          `GitHub limited ${what} ("${SUBMITTED_TOO_QUICKLY}", its content-creation limit): trying again in ${retryAfter}s`,
        );
        await new Promise((done) => setTimeout(done, retryAfter * options.retryAfterBaseValue));
      }
    }
  });
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
function certificateFailures(octokit: { hook: Octokit['hook'] }, options: { baseUrl?: string }) {
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

const ThrottledOctokit = Octokit.plugin(certificateFailures, retry, throttling);
const RetryingOctokit = Octokit.plugin(certificateFailures, retry);

// 4xx are answers, not accidents: never retried, except rate limits (the throttling plugin).
const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 451];

type Request = Octokit['request'];

/** A fetch that aborts each attempt after `timeoutMs` (the retry plugin re-sends the same options). */
function timedFetch(baseFetch: typeof fetch, timeoutMs: number) {
  return (url: string, init: RequestInit = {}) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    return baseFetch(url, { ...init, signal: AbortSignal.any(signals) });
  };
}

/**
 * A REST request function without credentials, for the calls that carry their own: a GitHub
 * App's JWT (see github-app.ts). Same transport and retries as the client.
 */
export function createBareRequest(
  options: Pick<
    GitHubOptions,
    'apiUrl' | 'log' | 'userAgent' | 'retryAfterBaseValue' | 'requestTimeoutMs' | 'fetch'
  >,
): Request {
  return new RetryingOctokit({
    baseUrl: options.apiUrl,
    userAgent: options.userAgent ?? 'bosh-release-pr',
    log: octokitLog(options.log),
    request: {
      fetch: timedFetch(options.fetch ?? globalThis.fetch, options.requestTimeoutMs ?? 30_000),
    },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      retries: 3,
      retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
    },
  }).request;
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

/** The real GitHub REST client, with deliberate retry and throttling (issue threads in comments). */
export function createGitHub(options: GitHubOptions): GitHub {
  const { owner, repo, log } = options;
  const credential =
    typeof options.token === 'string' ? fixedCredential(options.token) : options.token;
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1000;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const retrying =
        retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
      log.warn(
        `GitHub ${kind} on ${request.method} ${request.url}: ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}`,
      );
      return retrying;
    };

  const octokit = new ThrottledOctokit({
    authStrategy: credentialStrategy(credential),
    baseUrl: options.apiUrl,
    userAgent: options.userAgent ?? 'bosh-release-pr',
    log: octokitLog(log),
    request: { fetch: timedFetch(baseFetch, timeoutMs) },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      retries: 3,
      retryAfterBaseValue,
    },
    throttle: {
      enabled: true,
      retryAfterBaseValue,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      ...(options.throttleWrites === false ? noWriteSpacing() : {}),
    },
  });

  contentCreationLimit(octokit, { log, retryAfterBaseValue });

  // Writes that may have taken effect are resolved by reading state, never re-sent blindly.
  const once = { request: { retries: 0 } };

  async function getRepositoryConditional(
    etag: string | undefined,
  ): Promise<Conditional<RepositoryInfo>> {
    try {
      const response = await octokit.rest.repos.get({
        owner,
        repo,
        headers: etag === undefined ? {} : { 'if-none-match': etag },
      });
      const { data } = response;
      return {
        modified: true,
        value: {
          defaultBranch: data.default_branch,
          deleteBranchOnMerge: data.delete_branch_on_merge ?? false,
        },
        etag: response.headers.etag,
      };
    } catch (error) {
      if (statusOf(error) === 304) return { modified: false };
      throw wrap('reading the repository', error);
    }
  }

  return {
    owner,
    repo,
    async getRepository() {
      const answer = await getRepositoryConditional(undefined);
      if (!answer.modified) throw new Error('GitHub answered 304 to an unconditional request');
      return answer.value;
    },
    getRepositoryConditional,

    async lastCommitTouching(path, ref) {
      const { data } = await call(`reading the history of ${path}`, () =>
        octokit.rest.repos.listCommits({ owner, repo, sha: ref, path, per_page: 1 }),
      );
      const [commit] = data;
      return commit === undefined ? undefined : toCommitInfo(commit);
    },

    async getBranchSha(branch) {
      try {
        const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
        // getRef answers a prefix match with an array on some servers; only an exact ref counts.
        return !Array.isArray(data) && data.ref === `refs/heads/${branch}`
          ? data.object.sha
          : undefined;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw wrap(`reading branch ${branch}`, error);
      }
    },

    async hasTagConditional(name, etag) {
      try {
        const response = await octokit.rest.git.listMatchingRefs({
          owner,
          repo,
          ref: `tags/${name}`,
          headers: etag === undefined ? {} : { 'if-none-match': etag },
        });
        return {
          modified: true,
          value: response.data.some((ref) => ref.ref === `refs/tags/${name}`),
          etag: response.headers.etag,
        };
      } catch (error) {
        if (statusOf(error) === 304) return { modified: false };
        throw wrap(`looking for tag ${name}`, error);
      }
    },

    async getCommit(sha) {
      const { data } = await call(`reading commit ${sha}`, () =>
        octokit.rest.git.getCommit({ owner, repo, commit_sha: sha }),
      );
      return {
        sha: data.sha,
        message: data.message,
        parents: data.parents.map((parent) => parent.sha),
        date: data.committer.date,
        author: toPerson(data.author),
        committer: toPerson(data.committer),
      };
    },

    async listPulls(filter) {
      const { data } = await call('listing pull requests', () =>
        octokit.rest.pulls.list({ owner, repo, ...pullQuery(filter) }),
      );
      return data.map(toPullRequest);
    },

    async listPullsConditional(filter, etag) {
      try {
        const response = await octokit.rest.pulls.list({
          owner,
          repo,
          ...pullQuery(filter),
          headers: etag === undefined ? {} : { 'if-none-match': etag },
        });
        return {
          modified: true,
          value: {
            pulls: response.data.map(toPullRequest),
            hasNextPage: /rel="next"/.test(response.headers.link ?? ''),
          },
          etag: response.headers.etag,
        };
      } catch (error) {
        // Octokit reports a 304 as an error (TOOLING.md).
        if (statusOf(error) === 304) return { modified: false };
        throw wrap('listing pull requests', error);
      }
    },

    async getFileConditional(path, ref, etag) {
      try {
        const response = await octokit.rest.repos.getContent({
          owner,
          repo,
          path,
          ref,
          headers: etag === undefined ? {} : { 'if-none-match': etag },
        });
        const data = response.data;
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
          throw new UserError(`${path} on ${ref} is not a file`);
        }
        return {
          modified: true,
          value: Buffer.from(data.content, 'base64').toString('utf8'),
          etag: response.headers.etag,
        };
      } catch (error) {
        if (statusOf(error) === 304) return { modified: false };
        if (statusOf(error) === 404) return { modified: true, value: undefined, etag: undefined };
        throw wrap(`reading ${path} on ${ref}`, error);
      }
    },

    async getPull(number) {
      const { data } = await call(`reading pull request #${number}`, () =>
        octokit.rest.pulls.get({ owner, repo, pull_number: number }),
      );
      return toPullRequest(data);
    },

    async listPullCommits(number) {
      const commits: CommitInfo[] = [];
      for (let page = 1; page <= PULL_COMMIT_PAGES; page++) {
        const { data } = await call(`reading the commits of pull request #${number}`, () =>
          octokit.rest.pulls.listCommits({ owner, repo, pull_number: number, per_page: 100, page }),
        );
        commits.push(...data.map(toCommitInfo));
        if (data.length < 100) break;
      }
      return commits;
    },

    async compareCommits(base, head) {
      try {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
          owner,
          repo,
          basehead: `${base}...${head}`,
        });
        return {
          status: data.status,
          aheadBy: data.ahead_by,
          behindBy: data.behind_by,
          commits: data.commits.map(toCommitInfo),
          files: (data.files ?? []).map((file) => ({
            filename: file.filename,
            status: file.status,
            additions: file.additions,
            deletions: file.deletions,
          })),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw wrap(`comparing ${base}...${head}`, error);
      }
    },

    async createPull({ head, base, title, body, draft }) {
      // Not wrapped: the caller classifies 422s (already exists, no commits) itself.
      const { data } = await octokit.rest.pulls.create({
        owner,
        repo,
        head,
        base,
        title,
        body,
        draft,
        ...once,
      });
      return toPullRequest(data);
    },

    async updatePull(number, changes) {
      const { data } = await call(`updating pull request #${number}`, () =>
        octokit.rest.pulls.update({ owner, repo, pull_number: number, ...changes, ...once }),
      );
      return toPullRequest(data);
    },

    async addLabels(number, labels) {
      if (labels.length === 0) return;
      await call(`labelling pull request #${number}`, () =>
        octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels, ...once }),
      );
    },

    async requestReviewers(number, reviewers, teamReviewers) {
      if (reviewers.length === 0 && teamReviewers.length === 0) return;
      await call(`requesting reviewers on pull request #${number}`, () =>
        octokit.rest.pulls.requestReviewers({
          owner,
          repo,
          pull_number: number,
          reviewers,
          team_reviewers: teamReviewers,
          ...once,
        }),
      );
    },

    async addAssignees(number, assignees) {
      if (assignees.length === 0) return;
      await call(`assigning pull request #${number}`, () =>
        octokit.rest.issues.addAssignees({ owner, repo, issue_number: number, assignees, ...once }),
      );
    },
  };

  async function call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw wrap(what, error);
    }
  }

  function wrap(what: string, error: unknown): Error {
    if (error instanceof UserError) return error;
    const status = statusOf(error);
    const slug = `${owner}/${repo}`;
    if (status === 401) {
      return new UserError(
        `GitHub refused the credentials (401 Bad credentials) while ${what}: check ${credential.fields}`,
      );
    }
    if (status === 403 && /secondary rate|rate limit/i.test(failureText(error))) {
      return new UserError(
        `GitHub rate-limited ${what} for longer than a build should wait: re-run the build later`,
      );
    }
    if (status === 403) {
      return new UserError(
        `GitHub forbade ${what} in ${slug} (403: ${failureText(error).split(' | ')[0]}): the token needs read and write access to contents and pull requests`,
      );
    }
    if (status === 404 && what === 'reading the repository') {
      return new UserError(
        `repository ${slug} was not found, or the token cannot see it: check source.repository and the token's access`,
      );
    }
    return new Error(what, { cause: error });
  }
}

// GET /pulls/{n}/commits "lists a maximum of 250 commits": three pages of 100.
const PULL_COMMIT_PAGES = 3;

interface RawCommit {
  sha: string;
  commit: {
    message: string;
    author: { name?: string; email?: string; date?: string } | null;
    committer: { name?: string; email?: string; date?: string } | null;
  };
  parents: Array<{ sha: string }>;
}

function toPerson(
  raw: { name?: string; email?: string; date?: string } | null | undefined,
): GitPerson | undefined {
  if (raw === null || raw === undefined) return undefined;
  return { name: raw.name ?? '', email: raw.email ?? '', date: raw.date ?? '' };
}

function toCommitInfo(raw: RawCommit): CommitInfo {
  return {
    sha: raw.sha,
    message: raw.commit.message,
    parents: raw.parents.map((parent) => parent.sha),
    date: raw.commit.committer?.date ?? '',
    author: toPerson(raw.commit.author),
    committer: toPerson(raw.commit.committer),
  };
}

function pullQuery(filter: PullFilter) {
  return {
    head: filter.head,
    ...(filter.base === undefined ? {} : { base: filter.base }),
    state: filter.state,
    sort: filter.sort ?? 'created',
    direction: filter.direction ?? 'desc',
    per_page: filter.perPage ?? 30,
    page: filter.page ?? 1,
  };
}

interface RawPull {
  number: number;
  state: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged?: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
  html_url: string;
  title: string;
  body: string | null;
  created_at: string;
  updated_at: string;
  draft?: boolean;
}

function toPullRequest(raw: RawPull): PullRequest {
  return {
    number: raw.number,
    state: raw.state === 'open' ? 'open' : 'closed',
    merged: raw.merged ?? raw.merged_at !== null,
    mergedAt: raw.merged_at ?? undefined,
    mergeCommitSha: raw.merge_commit_sha ?? undefined,
    headRef: raw.head.ref,
    headSha: raw.head.sha,
    baseRef: raw.base.ref,
    htmlUrl: raw.html_url,
    title: raw.title,
    body: raw.body ?? '',
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    draft: raw.draft ?? false,
  };
}

// The throttling plugin spaces writes ≥ 1 s and PR writes ≥ 3 s in module-wide limiter groups;
// tests hand it limiters without spacing (TOOLING.md).
function noWriteSpacing(): Record<string, unknown> {
  const limiter = {
    schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(job(...args)),
  };
  const group = { key: () => limiter };
  return { write: group, notifications: group, search: group, global: group, auth: group };
}

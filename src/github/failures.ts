import { UserError } from '../errors.js';

// GitHub's own texts for the refusals the steps handle, classified here and nowhere else.
/** 422 when a pull request from the head into the base is open already. */
const PULL_REQUEST_ALREADY_EXISTS = 'A pull request already exists for';
/** 422 when the head has nothing the base lacks (or GitHub has not caught up with a push). */
const NO_COMMITS_BETWEEN = 'No commits between';
/** 422 when an account creates content faster than GitHub allows (a secondary rate limit). */
export const SUBMITTED_TOO_QUICKLY = 'was submitted too quickly';
/** 403 texts of the primary and secondary rate limits. */
const RATE_LIMITED = /secondary rate|rate limit/i;

/**
 * What a GitHub refusal means to the steps: `pull-exists`, `no-commits` (opening a PR),
 * `content-limit` (GitHub's limit on creating content: wait, then send again), `not-found`
 * (a 404), or `unknown`.
 */
type GitHubFailure = 'pull-exists' | 'no-commits' | 'content-limit' | 'not-found' | 'unknown';

/**
 * A GitHub call that failed for a reason the user cannot fix from the configuration: `message`
 * says what was being done, `failure` what GitHub's answer means, `cause` GitHub's answer.
 */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';

  constructor(
    what: string,
    readonly failure: GitHubFailure,
    readonly status: number | undefined,
    options: { cause: unknown },
  ) {
    super(what, options);
  }
}

/** Names a GitHub refusal from its status and texts. */
export function classifyFailure(error: unknown): GitHubFailure {
  const status = statusOf(error);
  const text = failureText(error);
  if (status === 422 && text.includes(PULL_REQUEST_ALREADY_EXISTS)) return 'pull-exists';
  if (status === 422 && text.includes(NO_COMMITS_BETWEEN)) return 'no-commits';
  if (status === 422 && text.includes(SUBMITTED_TOO_QUICKLY)) return 'content-limit';
  if (status === 404) return 'not-found';
  return 'unknown';
}

/** The HTTP status of an Octokit error, or undefined for any other failure. */
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

/** Where a refusal happened, for the messages that say what to check. */
interface RefusalContext {
  /** `owner/repo`. */
  slug: string;
  /** The configuration fields of the credential, e.g. `source.access_token`. */
  credentialFields: string;
}

/**
 * The one error a GitHub call throws: a UserError when the user can act on it (credentials,
 * permissions, rate limits, a repository that cannot be seen), else a GitHubError.
 */
export function toGitHubError(what: string, error: unknown, context: RefusalContext): Error {
  if (error instanceof UserError || error instanceof GitHubError) return error;
  const status = statusOf(error);
  if (status === 401) {
    return new UserError(
      `GitHub refused the credentials (401 Bad credentials) while ${what}: check ${context.credentialFields}`,
    );
  }
  if (status === 403 && RATE_LIMITED.test(failureText(error))) {
    return new UserError(
      `GitHub rate-limited ${what} for longer than a build should wait: re-run the build later`,
    );
  }
  if (status === 403) {
    return new UserError(
      `GitHub forbade ${what} in ${context.slug} (403: ${failureText(error).split(' | ')[0]}): the token needs read and write access to contents and pull requests`,
    );
  }
  return new GitHubError(what, classifyFailure(error), status, { cause: error });
}

/** Whether GitHub refused a call for a missing permission (a 403 that is no rate limit). */
export function isPermissionRefusal(error: unknown): boolean {
  return statusOf(error) === 403 && !RATE_LIMITED.test(failureText(error));
}

/** Whether an error is a GitHubError with this meaning. */
export function isGitHubFailure(error: unknown, failure: GitHubFailure): boolean {
  return error instanceof GitHubError && error.failure === failure;
}

/** A GitHub error answer: thrown where GitHub refuses, and answered as it is. */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
  }
}

/** One entry of a 422 `errors` array (GitHub's `validation-error` schema). */
export interface ValidationErrorItem {
  resource: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  field?: string;
  message?: string;
}

/**
 * GitHub's error body: `{message, documentation_url, status}`. The `status` string has been part
 * of every error body since 2024, e.g. https://github.com/github/rest-api-description/issues/3726
 */
export function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
): Record<string, unknown> {
  return { message, documentation_url: documentationUrl, status: String(status) };
}

/** Refuses with `status` and GitHub's plain error body. */
export function fail(status: number, message: string, documentationUrl: string): never {
  throw new GitHubError(status, errorBody(status, message, documentationUrl));
}

/** Refuses with 404 `Not Found`. */
export function notFound(documentationUrl: string): never {
  return fail(404, 'Not Found', documentationUrl);
}

/**
 * 422 Validation Failed with an `errors` list, as in
 * `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":
 * "A pull request already exists for acme:branch."}],...}`
 * (https://github.com/google/go-github/issues/1441).
 */
export function validationFailed(errors: ValidationErrorItem[], documentationUrl: string): never {
  throw new GitHubError(422, validationFailedBody(errors, documentationUrl));
}

/** The body of GitHub's 422 Validation Failed. */
export function validationFailedBody(
  errors: ValidationErrorItem[],
  documentationUrl: string,
): Record<string, unknown> {
  return {
    message: 'Validation Failed',
    errors,
    documentation_url: documentationUrl,
    status: '422',
  };
}

import type { RefUpdate } from '../server/request-log.js';

/** What a REST handler answers. */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Refs the request changed, for the request log. */
  refUpdates?: RefUpdate[];
}

/** A GitHub error answer, thrown by handlers and turned into the response as is. */
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

export function fail(status: number, message: string, documentationUrl: string): never {
  throw new GitHubError(status, errorBody(status, message, documentationUrl));
}

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
  throw new GitHubError(422, {
    message: 'Validation Failed',
    errors,
    documentation_url: documentationUrl,
    status: '422',
  });
}

export function docs(path: string): string {
  return `https://docs.github.com/rest/${path}`;
}

/** The parsed JSON body of a request, or 400 "Problems parsing JSON" like GitHub. */
export function parseJsonBody(raw: string, documentationUrl: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return fail(400, 'Problems parsing JSON', documentationUrl);
  }
}

export function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function optionalString(
  body: Record<string, unknown>,
  key: string,
  documentationUrl: string,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    return fail(
      422,
      `Invalid request.\n\nFor '${key}', ${JSON.stringify(value)} is not a string.`,
      documentationUrl,
    );
  }
  return value;
}

/** A required string field: GitHub answers `Invalid request.\n\n"x" wasn't supplied.` */
export function requiredString(
  body: Record<string, unknown>,
  key: string,
  documentationUrl: string,
): string {
  const value = optionalString(body, key, documentationUrl);
  if (value === undefined) {
    return fail(422, `Invalid request.\n\n"${key}" wasn't supplied.`, documentationUrl);
  }
  return value;
}

export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}

export interface Paged<T> {
  items: T[];
  link: string | null;
}

/**
 * One page of a list with GitHub's `Link` header (`per_page` default 30, at most 100). Links
 * point at `linkBase` — GitHub uses `/repositories/{id}/…` there — with the request's other
 * query parameters kept.
 */
export function paginate<T>(items: T[], query: URLSearchParams, linkBase: string): Paged<T> {
  const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Math.floor(Number(query.get('page') ?? 1)) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const url = (target: number): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(target));
    return `<${linkBase}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) {
    links.push(`${url(page + 1)}; rel="next"`);
    links.push(`${url(lastPage)}; rel="last"`);
  }
  if (page > 1) links.push(`${url(1)}; rel="first"`);
  return { items: slice, link: links.length > 0 ? links.join(', ') : null };
}

/** A 200 answer of one page, each item written by `toJson`, with the page's `Link` header. */
export function listResponse<T, J>(paged: Paged<T>, toJson: (item: T) => J): RestResponse {
  return {
    status: 200,
    body: paged.items.map(toJson),
    headers: paged.link === null ? {} : { link: paged.link },
  };
}

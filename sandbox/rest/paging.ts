import type { SandboxContext } from '../model/context.js';
import type { Repository } from '../model/repositories.js';
import type { RestResponse } from './route-types.js';

interface Paged<T> {
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

/**
 * A list's URL in the form GitHub's `Link` headers use: `/repositories/{id}/…` rather than
 * `/repos/{owner}/{repo}/…` (the sandbox serves both).
 */
export function repositoryLink(
  context: SandboxContext,
  repository: Repository,
  suffix: string,
): string {
  return `${context.urls.api}/repositories/${repository.id}${suffix}`;
}

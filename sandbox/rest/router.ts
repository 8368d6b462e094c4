import type { RouteDefinition } from './route-types.js';

interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

/**
 * Params that may span several path segments when a client does not encode their slashes
 * (`basehead` is `x-multi-segment` in GitHub's OpenAPI description: `main...release/1.x`).
 */
const GREEDY = new Set(['ref', 'branch', 'path', 'basehead']);

/** Greedy params that may also be empty: `GET …/contents` and `…/contents/` list the root. */
const MAY_BE_EMPTY = new Set(['path']);

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function tryMatch(
  template: string[],
  path: string[],
  greedy: boolean,
): Record<string, string> | null {
  const params: Record<string, string> = {};
  const last = template.length - 1;
  const lastName = /^\{(.+)\}$/.exec(template[last] ?? '')?.[1];
  const spans = greedy && lastName !== undefined && GREEDY.has(lastName);
  const shortest =
    spans && MAY_BE_EMPTY.has(lastName ?? '') ? template.length - 1 : template.length;
  if (spans ? path.length < shortest : path.length !== template.length) return null;
  for (let index = 0; index < template.length; index++) {
    const part = template[index] ?? '';
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== path[index]) return null;
    } else if (spans && index === last) {
      params[name] = path.slice(index).map(decode).join('/');
    } else {
      params[name] = decode(path[index] ?? '');
    }
  }
  return params;
}

/** Finds the route for a method and a path below `/api/v3` (exact segments first). */
export function matchRoute(
  routes: RouteDefinition[],
  method: string,
  path: string,
): RouteMatch | null {
  const pathSegments = segments(path);
  for (const greedy of [false, true]) {
    for (const route of routes) {
      if (route.method !== method) continue;
      const params = tryMatch(segments(route.template), pathSegments, greedy);
      if (params !== null) return { route, params };
    }
  }
  return null;
}

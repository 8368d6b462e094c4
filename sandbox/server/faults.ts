import { RATE_LIMIT_DOCS } from '../model/docs.js';
import { errorBody, validationFailedBody } from '../model/errors.js';
import { asObject, parseJsonBody } from '../rest/input.js';
import type { RestResponse } from '../rest/route-types.js';
import { readBody } from './io.js';
import type { Call } from './rest-call.js';

/**
 * What an injected fault does to a matching request:
 * - `status`: answer with `status` (default 500) without performing the request;
 * - `reset`: destroy the connection before performing anything;
 * - `lost`: perform the request completely, then destroy the connection instead of answering
 *   (the client cannot know the action took effect);
 * - `secondary-rate-limit`: 403 with `retry-after` and GitHub's secondary-rate-limit message;
 * - `content-creation-limit`: 422 "was submitted too quickly" without effect, GitHub's answer to
 *   more content than it lets an account create (80 a minute, 500 an hour); `retry-after` only
 *   when `retryAfter` is given;
 * - `delay`: wait `delayMs` (default 1000), then serve normally;
 * - `no-commits`: for `POST …/pulls`, GitHub's 422 "No commits between BASE and HEAD" without
 *   acting, as it sometimes answers right after a push it has not caught up with yet.
 */
export type FaultKind =
  | 'status'
  | 'reset'
  | 'lost'
  | 'secondary-rate-limit'
  | 'content-creation-limit'
  | 'delay'
  | 'no-commits';

export interface FaultSpec {
  /**
   * Which requests: a REST route as `METHOD template` (e.g. `POST /repos/{owner}/{repo}/pulls`,
   * the templates of GitHub's OpenAPI description), a git service (`git-upload-pack`,
   * `git-receive-pack`: the service call itself, not the ref advertisement), a git route
   * template (`GET /{owner}/{repo}.git/info/refs`), or `*` for every request.
   */
  route: string;
  kind: FaultKind;
  status?: number;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  skip?: number;
  delayMs?: number;
  /** Seconds in the `retry-after` header of a secondary rate limit (default 1). */
  retryAfter?: number;
  /** Only requests to this `owner/repo`. */
  repository?: string;
}

interface ActiveFault {
  kind: FaultKind;
  status: number;
  delayMs: number;
  retryAfter: number;
  /** Whether the spec named `retryAfter` (a content-creation limit sends it only then). */
  retryAfterGiven: boolean;
}

interface FaultTarget {
  /** A REST request (as opposed to git's). */
  rest: boolean;
  route: string;
  gitService: string | null;
  /** True for the POST that runs a git service (as opposed to its ref advertisement). */
  gitServiceCall: boolean;
  repository: string | null;
}

interface Armed {
  spec: FaultSpec;
  remaining: number;
  toSkip: number;
}

/** Faults armed by tests, consumed by the requests they match. */
export class Faults {
  private armed: Armed[] = [];

  inject(spec: FaultSpec): void {
    this.armed.push({ spec, remaining: spec.times ?? 1, toSkip: spec.skip ?? 0 });
  }

  clear(): void {
    this.armed = [];
  }

  /** Faults not yet used up, for tests that assert a fault actually fired. */
  pending(): FaultSpec[] {
    return this.armed.filter((armed) => armed.remaining > 0).map((armed) => armed.spec);
  }

  /** Consumes and returns the first fault matching the request, if any. */
  take(target: FaultTarget): ActiveFault | null {
    for (const armed of this.armed) {
      if (armed.remaining <= 0 || !matches(armed.spec, target)) continue;
      if (armed.toSkip > 0) {
        armed.toSkip--;
        continue;
      }
      armed.remaining--;
      return {
        kind: armed.spec.kind,
        status: armed.spec.status ?? 500,
        delayMs: armed.spec.delayMs ?? 1000,
        retryAfter: armed.spec.retryAfter ?? 1,
        retryAfterGiven: armed.spec.retryAfter !== undefined,
      };
    }
    return null;
  }
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  // GitHub answers the content-creation limit in REST only.
  if (spec.kind === 'content-creation-limit' && !target.rest) return false;
  if (
    spec.repository !== undefined &&
    spec.repository.toLowerCase() !== (target.repository ?? '').toLowerCase()
  ) {
    return false;
  }
  if (spec.route === '*') return true;
  if (spec.route === target.route) return true;
  return target.gitServiceCall && spec.route === target.gitService;
}

/** A REST answer, and whether it counts against the caller's primary rate limit. */
export interface RestAnswer {
  response: RestResponse;
  counted: boolean;
}

/**
 * The answer a fault gives a REST request in GitHub's place, or null when the request goes on
 * (no fault, or one that acts on the connection: `reset`, `lost`, `delay`).
 */
export async function restFaultAnswer(
  fault: ActiveFault | null,
  call: Call,
): Promise<RestAnswer | null> {
  switch (fault?.kind) {
    case 'status': {
      const message = fault.status >= 500 ? 'Server Error' : `HTTP ${fault.status}`;
      const body = errorBody(fault.status, message, call.docs);
      return { response: { status: fault.status, body }, counted: false };
    }
    case 'secondary-rate-limit': {
      // The message GitHub sends (and @octokit/plugin-throttling matches with /\bsecondary rate\b/i).
      const message = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${call.requestId}.`;
      return {
        response: {
          status: 403,
          body: errorBody(403, message, RATE_LIMIT_DOCS),
          headers: { 'retry-after': String(fault.retryAfter) },
        },
        counted: false,
      };
    }
    case 'content-creation-limit':
      // The words GitHub answers when an account creates content faster than it allows
      // (https://github.com/cli/cli/issues/4801: "was submitted too quickly", type UNPROCESSABLE),
      // in REST's 422 envelope; the limits: "no more than 80 content-generating requests per
      // minute and no more than 500 content-generating requests per hour" (RATE_LIMIT_DOCS).
      return {
        response: {
          status: 422,
          body: validationFailedBody(
            [
              {
                resource: call.name.includes('/pulls') ? 'PullRequest' : 'Issue',
                code: 'custom',
                message: 'was submitted too quickly',
              },
            ],
            call.docs,
          ),
          headers: fault.retryAfterGiven ? { 'retry-after': String(fault.retryAfter) } : {},
        },
        counted: false,
      };
    case 'no-commits': {
      // A PR opened right after its branch was pushed can meet this while GitHub has not caught
      // up with the push: https://github.com/reenhanced/gitreflow/pull/226, and hub retries it
      // (https://github.com/mislav/hub/pull/1294).
      const raw = (await readBody(call.request)).toString('utf8');
      const input = asObject(parseJsonBody(raw, call.docs));
      const text = (key: string): string => (typeof input[key] === 'string' ? input[key] : '');
      const message = `No commits between ${text('base')} and ${text('head')}`;
      return {
        response: {
          status: 422,
          body: validationFailedBody(
            [{ resource: 'PullRequest', code: 'custom', message }],
            call.docs,
          ),
        },
        counted: true,
      };
    }
    default:
      return null;
  }
}

/** The plain-text answer a fault gives a git request in GitHub's place, or null. */
export function gitFaultAnswer(
  fault: ActiveFault | null,
): { status: number; text: string; headers: Record<string, string> } | null {
  if (fault?.kind === 'status')
    return { status: fault.status, text: 'Server Error\n', headers: {} };
  if (fault?.kind === 'secondary-rate-limit') {
    return {
      status: 403,
      text: 'You have exceeded a secondary rate limit.\n',
      headers: { 'retry-after': String(fault.retryAfter) },
    };
  }
  return null;
}

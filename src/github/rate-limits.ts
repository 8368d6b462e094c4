import type { Octokit } from '@octokit/rest';
import { UserError } from '../errors.js';
import type { Logger } from '../io/log.js';
import { classifyFailure, SUBMITTED_TOO_QUICKLY } from './failures.js';

const MAX_RATE_LIMIT_RETRIES = 2;
// Waiting longer than this for a rate limit to reset would outlast any sane build: fail instead.
const MAX_RATE_LIMIT_WAIT_SECONDS = 120;
// "If the retry-after response header is not present, … wait for at least one minute before
// retrying" (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
const SECONDARY_LIMIT_DEFAULT_WAIT_SECONDS = 60;

/** plugin-throttling's options: rate limits waited out briefly, then given up, each logged. */
export function throttle(options: {
  log: Logger;
  retryAfterBaseValue: number;
  throttleWrites?: boolean | undefined;
}) {
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
      options.log.warn(
        `GitHub ${kind} on ${request.method} ${request.url}: ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}`,
      );
      return retrying;
    };
  return {
    enabled: true,
    retryAfterBaseValue: options.retryAfterBaseValue,
    onRateLimit: onLimit('rate limit'),
    onSecondaryRateLimit: onLimit('secondary rate limit'),
    ...(options.throttleWrites === false ? noWriteSpacing() : {}),
  };
}

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
export function contentCreationLimit(
  octokit: { hook: Octokit['hook'] },
  options: { log: Logger; retryAfterBaseValue: number },
): void {
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let retries = 0; ; retries++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        if (classifyFailure(error) !== 'content-limit') throw error;
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

// The throttling plugin spaces writes ≥ 1 s and PR writes ≥ 3 s in module-wide limiter groups;
// tests hand it limiters without spacing (docs/testing.md, "Octokit in tests").
function noWriteSpacing(): Record<string, unknown> {
  const limiter = {
    schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(job(...args)),
  };
  const group = { key: () => limiter };
  return { write: group, notifications: group, search: group, global: group, auth: group };
}

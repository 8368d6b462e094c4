import { buildInfo } from '../../concourse/build-info.js';
import type { PutInput } from '../../concourse/settings.js';
import { describeError } from '../../errors.js';
import type { GitHub, PullRequest } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import { safeVerdict, type StatusVerdict } from '../../rules/commit-status.js';
import { isResourceCommit } from '../../rules/release-commit.js';

/** Where a put's or a refresh's commit statuses go and what they link to. */
export interface StatusReporter {
  github: GitHub;
  log: Logger;
  /** source.status_context: the one context branch protection requires. */
  context: string;
  /** The build, the status's target_url. */
  targetUrl: string | undefined;
}

/**
 * Sets the commit status on `sha`. It never fails the step: the PR exists or was left alone
 * either way, so a status that cannot be set is a warning that says which permission to give.
 */
export async function reportStatus(
  reporter: StatusReporter,
  sha: string,
  verdict: StatusVerdict,
): Promise<void> {
  try {
    await reporter.github.setCommitStatus(sha, {
      ...verdict,
      context: reporter.context,
      targetUrl: reporter.targetUrl,
    });
    reporter.log.debug({ sha, ...verdict }, 'commit status set');
  } catch (error) {
    reporter.log.warn(
      `could not set the commit status ${reporter.context} (${verdict.state}) on ${sha.slice(0, 7)}: ${describeError(error)}; where branch protection requires ${reporter.context}, the PR cannot merge until a put or refresh sets it`,
    );
  }
}

/**
 * Statuses set in the order they were asked for, without holding up the caller: the put's
 * `pending` goes out beside the request that opens the PR (a put between its push and its PR is
 * what other puts must not wait on), and `drain` before the next status keeps the order.
 */
export interface StatusQueue {
  post(sha: string, verdict: StatusVerdict): void;
  /** Resolves once every status posted so far was set (or warned about). */
  drain(): Promise<void>;
}

/** A StatusQueue on the reporter. */
export function statusQueue(reporter: StatusReporter): StatusQueue {
  let last: Promise<void> = Promise.resolve();
  return {
    post(sha, verdict) {
      last = last.then(() => reportStatus(reporter, sha, verdict));
    },
    drain: () => last,
  };
}

/** The status reporter of a put or a refresh: source.status_context, linking the build. */
export function statusReporter(
  input: PutInput,
  deps: { github: GitHub; log: Logger; env: NodeJS.ProcessEnv },
): StatusReporter {
  return {
    github: deps.github,
    log: deps.log,
    context: input.source.statusContext,
    targetUrl: buildInfo(deps.env).url,
  };
}

/**
 * Says on the PR's head that a put's release is safe onto the base it was planned on — unless
 * the head is a person's commit, which the resource cannot vouch for (it is left unset).
 */
export async function reportDelivered(
  reporter: StatusReporter,
  options: {
    pull: PullRequest;
    base: string;
    baseSha: string;
    identity: { name: string; email: string };
  },
): Promise<void> {
  const head = await reporter.github.getCommit(options.pull.headSha);
  if (!isResourceCommit(head, options.identity)) {
    reporter.log.info(
      `PR #${options.pull.number}'s head ${head.sha.slice(0, 7)} is not this resource's commit: its status ${reporter.context} is left to people`,
    );
    return;
  }
  await reportStatus(reporter, options.pull.headSha, safeVerdict(options.base, options.baseSha));
}

import type { SandboxContext } from './context.js';
import { fail, validationFailed } from './errors.js';
import type { Repository } from './repositories.js';

// Commit statuses (https://docs.github.com/rest/commits/statuses) and the required status checks
// of branch protection that read them when a pull request is merged.

/** A status's state as the REST API spells it. */
export type StatusState = 'error' | 'failure' | 'pending' | 'success';

/** One commit status, as created; the newest per context is the one that counts. */
export interface CommitStatus {
  id: number;
  sha: string;
  state: StatusState;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: string;
  createdAt: Date;
  updatedAt: Date;
}

// "description is too long (maximum is 140 characters)" is GitHub's 422 for a longer one
// (https://github.com/zalando/zappr/issues/378, https://github.com/sclorg/testing-farm-as-github-action/pull/187).
const MAX_DESCRIPTION = 140;
// "there is a limit of 1000 statuses per sha and context within a repository. Attempts to create
// more than 1000 statuses will result in a validation error." (the operation's description).
const MAX_PER_CONTEXT = 1000;

/** Creates a status on `sha` like POST /statuses/{sha}; refuses what GitHub refuses. */
export async function createStatus(
  context: SandboxContext,
  repository: Repository,
  input: {
    sha: string;
    state: StatusState;
    description: string | undefined;
    targetUrl: string | undefined;
    context: string | undefined;
    by: string;
  },
  documentationUrl: string,
): Promise<CommitStatus> {
  const sha = /^[0-9a-f]{40}$/i.test(input.sha)
    ? await repository.git.resolveCommitish(input.sha)
    : null;
  if (sha === null) fail(422, `No commit found for SHA: ${input.sha}`, documentationUrl);
  if (input.description !== undefined && [...input.description].length > MAX_DESCRIPTION) {
    validationFailed(
      [
        {
          resource: 'Status',
          code: 'custom',
          field: 'description',
          message: `description is too long (maximum is ${MAX_DESCRIPTION} characters)`,
        },
      ],
      documentationUrl,
    );
  }
  const name = input.context ?? 'default';
  const list = repository.statuses.get(sha) ?? [];
  const same = list.filter((status) => status.context.toLowerCase() === name.toLowerCase());
  if (same.length >= MAX_PER_CONTEXT) {
    validationFailed(
      [
        {
          resource: 'Status',
          code: 'custom',
          message: `This SHA and context has reached the maximum number of statuses.`,
        },
      ],
      documentationUrl,
    );
  }
  const now = context.clock.now();
  const status: CommitStatus = {
    id: context.ids.take('status'),
    sha,
    state: input.state,
    description: input.description ?? null,
    targetUrl: input.targetUrl ?? null,
    context: name,
    creator: input.by,
    createdAt: now,
    updatedAt: now,
  };
  repository.statuses.set(sha, [...list, status]);
  return status;
}

/** Every status of a commit, newest first (GET …/commits/{ref}/statuses). */
export function statusesOf(repository: Repository, sha: string): CommitStatus[] {
  return [...(repository.statuses.get(sha) ?? [])].reverse();
}

/** The newest status of each context, by context name (the combined status's `statuses`). */
export function latestByContext(repository: Repository, sha: string): CommitStatus[] {
  const latest = new Map<string, CommitStatus>();
  // "This field is case-insensitive." (the context field in GitHub's OpenAPI description)
  for (const status of statusesOf(repository, sha)) {
    const key = status.context.toLowerCase();
    if (!latest.has(key)) latest.set(key, status);
  }
  return [...latest.values()].sort((a, b) => a.context.localeCompare(b.context));
}

/**
 * The combined state: `failure` if any context's latest is `error` or `failure`, `pending` if
 * there is none or any is `pending`, else `success` (the operation's description).
 */
export function combinedState(
  statuses: readonly CommitStatus[],
): 'failure' | 'pending' | 'success' {
  if (statuses.some((status) => status.state === 'error' || status.state === 'failure')) {
    return 'failure';
  }
  if (statuses.length === 0 || statuses.some((status) => status.state === 'pending')) {
    return 'pending';
  }
  return 'success';
}

/**
 * Refuses the merge of `headSha` into `base` while a required status check of the base is not
 * `success` on the head, with GitHub's 405 texts: `Required status check "ci" is failing.`
 * (https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/defining-the-mergeability-of-pull-requests/troubleshooting-required-status-checks
 * shows it for a push), and `… is expected.` for a context without a status (the text tools
 * quote from GraphQL's mergePullRequest and from GH006 pushes, e.g. `Required status check "ci"
 * is expected.`). A pending context is answered as expected too: no public source quotes
 * GitHub's own text for it.
 */
export function refuseUnmetStatusChecks(
  repository: Repository,
  base: string,
  headSha: string,
  documentationUrl: string,
): void {
  const required = repository.requiredStatusChecks.get(base) ?? [];
  const latest = new Map(
    latestByContext(repository, headSha).map((status) => [status.context.toLowerCase(), status]),
  );
  for (const name of required) {
    const state = latest.get(name.toLowerCase())?.state;
    if (state === 'success') continue;
    const how = state === 'failure' || state === 'error' ? 'is failing' : 'is expected';
    fail(405, `Required status check "${name}" ${how}.`, documentationUrl);
  }
}

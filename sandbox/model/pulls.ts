import { DOCS } from './docs.js';
import { notFound, validationFailed, type ValidationErrorItem } from './errors.js';
import type { SandboxContext } from './context.js';
import type { PullRequest } from './pull-request.js';
import { closePull, openPulls, refreshPullRefs, touch } from './pull-request.js';
import type { Repository } from './repositories.js';

/** The pull request a route's `{pull_number}` or `{issue_number}` names, or GitHub's 404. */
export function requirePull(
  repository: Repository,
  raw: string | undefined,
  documentationUrl: string,
): PullRequest {
  const pull = repository.pulls.get(Number(raw));
  if (pull === undefined) return notFound(documentationUrl);
  return pull;
}

interface CreatePullInput {
  title: string;
  body?: string | null;
  /** `branch` or `owner:branch`. */
  head: string;
  base: string;
  draft?: boolean;
  maintainerCanModify?: boolean;
  user: string;
}

// GitHub's limits on a pull request's (an issue's) texts, in characters (code points):
// {"resource":"Issue","code":"custom","field":"body","message":"body is too long (maximum is 65536
// characters)"} (https://github.com/renovatebot/renovate/issues/2032) and "title is too long
// (maximum is 256 characters)" (https://github.com/googleapis/repo-automation-bots/issues/1895).
const PULL_TEXT_LIMITS = { title: 256, body: 65_536 } as const;

/** Refuses a title or body longer than GitHub allows, with GitHub's 422 for each. */
function checkPullTexts(
  input: { title?: string | undefined; body?: string | null | undefined },
  documentationUrl: string,
): void {
  const errors: ValidationErrorItem[] = [];
  for (const field of ['title', 'body'] as const) {
    const text = input[field];
    const maximum = PULL_TEXT_LIMITS[field];
    if (typeof text === 'string' && codePoints(text) > maximum) {
      errors.push({
        resource: 'Issue',
        code: 'custom',
        field,
        message: `${field} is too long (maximum is ${maximum} characters)`,
      });
    }
  }
  if (errors.length > 0) validationFailed(errors, documentationUrl);
}

function codePoints(text: string): number {
  return Array.from(text).length;
}

/** GitHub's 422 for a second open pull request of the same head and base. */
function alreadyExists(repository: Repository, headRef: string, documentationUrl: string): never {
  return validationFailed(
    [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${repository.owner}:${headRef}.`,
      },
    ],
    documentationUrl,
  );
}

/** Opens a pull request with GitHub's checks and 422 texts. Call inside `repository.exclusive`. */
export async function createPull(
  context: SandboxContext,
  repository: Repository,
  input: CreatePullInput,
): Promise<PullRequest> {
  const documentationUrl = DOCS['pulls/create'];
  checkPullTexts(input, documentationUrl);
  const colon = input.head.indexOf(':');
  const headOwner = colon === -1 ? repository.owner : input.head.slice(0, colon);
  const headRef = colon === -1 ? input.head : input.head.slice(colon + 1);
  const shas = await repository.git.branchShas([headRef, input.base]);
  const headSha =
    headOwner.toLowerCase() === repository.owner.toLowerCase() ? (shas.get(headRef) ?? null) : null;
  if (headSha === null) {
    return validationFailed(
      [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
      documentationUrl,
    );
  }
  // Only a branch is a base: a tag is "an invalid base for a pull request"
  // (https://github.com/peter-evans/create-pull-request/issues/75).
  const baseSha = shas.get(input.base) ?? null;
  if (baseSha === null) {
    return validationFailed(
      [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
      documentationUrl,
    );
  }
  const duplicate = openPulls(repository).find(
    (pull) => pull.headRef === headRef && pull.baseRef === input.base,
  );
  if (duplicate !== undefined) {
    return alreadyExists(repository, headRef, documentationUrl);
  }
  // https://github.com/tgymnich/fork-sync/issues/112: "No commits between master and master".
  if ((await repository.git.commitsBetween(baseSha, headSha)).length === 0) {
    return validationFailed(
      [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${input.base} and ${input.head}`,
        },
      ],
      documentationUrl,
    );
  }
  const now = context.clock.now();
  const number = repository.nextNumber++;
  const pull: PullRequest = {
    id: context.ids.take('pull'),
    issueId: context.ids.take('pull'),
    number,
    title: input.title,
    body: input.body ?? null,
    state: 'open',
    draft: input.draft ?? false,
    user: input.user,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    testMergeSha: null,
    headRef,
    headSha,
    baseRef: input.base,
    baseSha,
    headDeleted: false,
    labels: [],
    assignees: [],
    requestedReviewers: [],
    requestedTeams: [],
    maintainerCanModify: input.maintainerCanModify ?? false,
    stats: null,
    listedFrom: Date.now() + context.pullListLagMs,
  };
  repository.pulls.set(number, pull);
  await refreshPullRefs(context, repository, pull);
  return pull;
}

interface UpdatePullInput {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  base?: string;
  maintainerCanModify?: boolean;
}

/** Edits, closes or reopens a pull request like PATCH /pulls/{n}. Call inside `exclusive`. */
export async function updatePull(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  input: UpdatePullInput,
  by: string,
): Promise<void> {
  const documentationUrl = DOCS['pulls/update'];
  checkPullTexts(input, documentationUrl);
  const refuseState = (message: string): never =>
    validationFailed(
      [{ resource: 'PullRequest', code: 'custom', field: 'state', message }],
      documentationUrl,
    );
  if (input.base !== undefined && input.base !== pull.baseRef) {
    if (pull.state === 'closed') {
      // https://github.com/MithrilJS/mithril.js/pull/2862 (the PATCH response quoted there).
      validationFailed(
        [
          {
            message: 'Cannot change the base branch of a closed pull request.',
            resource: 'PullRequest',
            field: 'base',
            code: 'invalid',
          },
        ],
        documentationUrl,
      );
    }
    const baseSha = await repository.git.refSha(`refs/heads/${input.base}`);
    if (baseSha === null) {
      validationFailed(
        [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
        documentationUrl,
      );
    }
    pull.baseRef = input.base;
    pull.baseSha = baseSha;
    touch(context, pull);
    await refreshPullRefs(context, repository, pull);
  }
  if (input.state === 'open' && pull.state === 'closed') {
    if (pull.mergedAt !== null)
      refuseState('state cannot be changed. The pull request has been merged.');
    // https://github.com/pytorch/pytorch/pull/114423 and https://github.com/cilium/cilium/pull/47088
    const current = await repository.git.refSha(`refs/heads/${pull.headRef}`);
    if (current === null)
      refuseState(`state cannot be changed. The ${pull.headRef} branch has been deleted.`);
    if (current !== pull.headSha) {
      refuseState(
        `state cannot be changed. The ${pull.headRef} branch was force-pushed or recreated.`,
      );
    }
    if (
      openPulls(repository).some(
        (other) => other.headRef === pull.headRef && other.baseRef === pull.baseRef,
      )
    ) {
      alreadyExists(repository, pull.headRef, documentationUrl);
    }
    pull.state = 'open';
    pull.closedAt = null;
    pull.closedBy = null;
    pull.stats = null;
    pull.baseSha = (await repository.git.refSha(`refs/heads/${pull.baseRef}`)) ?? pull.baseSha;
    touch(context, pull);
    await refreshPullRefs(context, repository, pull);
  } else if (input.state === 'closed' && pull.state === 'open') {
    await closePull(context, repository, pull, by);
  }
  if (input.title !== undefined && input.title !== pull.title) {
    pull.title = input.title;
    touch(context, pull);
  }
  if (input.body !== undefined && input.body !== pull.body) {
    pull.body = input.body;
    touch(context, pull);
  }
  if (input.maintainerCanModify !== undefined) pull.maintainerCanModify = input.maintainerCanModify;
}

import type { SandboxContext } from './context.js';
import { hasWriteAccess } from './context.js';
import { fail } from './errors.js';
import type { PullRequest } from './pull-request.js';
import { touch } from './pull-request.js';
import type { Repository } from './repositories.js';

// Every pull request is also an issue: its labels, assignees, comments and review requests.
// The operations below change one; call them inside `repository.exclusive`.

/** A comment on a pull request's conversation. */
export interface IssueComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The key of the repository's label of that name, created on the fly with GitHub's default colour. */
export function ensureLabel(context: SandboxContext, repository: Repository, name: string): string {
  const key = name.toLowerCase();
  if (!repository.labels.has(key)) {
    repository.labels.set(key, {
      id: context.ids.take('label'),
      name,
      color: 'ededed',
      description: null,
    });
  }
  return key;
}

/** Replaces a pull request's labels (keys of `repository.labels`). */
export function setLabels(context: SandboxContext, pull: PullRequest, labels: string[]): void {
  pull.labels = labels;
  touch(context, pull);
}

/** Assigns people; those without access to the repository are dropped silently, as by GitHub. */
export function addAssignees(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  logins: string[],
): void {
  for (const login of logins) {
    if (!hasWriteAccess(context, repository.collaborators, login)) continue;
    const account = context.accounts.get(login);
    if (!pull.assignees.some((known) => known.toLowerCase() === login.toLowerCase())) {
      pull.assignees.push(account.login);
    }
  }
  touch(context, pull);
}

/** Unassigns people. */
export function removeAssignees(
  context: SandboxContext,
  pull: PullRequest,
  logins: string[],
): void {
  const gone = new Set(logins.map((login) => login.toLowerCase()));
  pull.assignees = pull.assignees.filter((login) => !gone.has(login.toLowerCase()));
  touch(context, pull);
}

/** Comments on a pull request's conversation. */
export function addComment(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  comment: { body: string; user: string },
): IssueComment {
  const now = context.clock.now();
  const created: IssueComment = {
    id: context.ids.take('comment'),
    issueNumber: pull.number,
    body: comment.body,
    user: comment.user,
    createdAt: now,
    updatedAt: now,
  };
  repository.comments.push(created);
  pull.updatedAt = now;
  return created;
}

/** The number of comments on a pull request's conversation. */
export function commentCount(repository: Repository, pull: PullRequest): number {
  return repository.comments.filter((comment) => comment.issueNumber === pull.number).length;
}

/**
 * Refuses review requests GitHub refuses: from the author (422 "Review cannot be requested from
 * pull request author.") and from anyone who is not a collaborator.
 */
export function checkReviewers(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  request: { reviewers: string[]; teams: string[] },
  documentationUrl: string,
): void {
  if (request.reviewers.some((login) => login.toLowerCase() === pull.user.toLowerCase())) {
    fail(422, 'Review cannot be requested from pull request author.', documentationUrl);
  }
  const strangers =
    request.reviewers.some((login) => !hasWriteAccess(context, repository.collaborators, login)) ||
    request.teams.some((slug) => !repository.teams.has(slug.toLowerCase()));
  if (strangers) {
    // The text dependabot-core matches ("not a collaborator"), e.g. quoted in
    // https://github.com/denog/routing-guide/pull/118
    fail(
      422,
      `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repository.fullName} repository.`,
      documentationUrl,
    );
  }
}

/** Requests reviews (checked with `checkReviewers` first). */
export function requestReviewers(
  context: SandboxContext,
  pull: PullRequest,
  request: { reviewers: string[]; teams: string[] },
): void {
  for (const login of request.reviewers) {
    const account = context.accounts.get(login);
    if (!pull.requestedReviewers.some((known) => known.toLowerCase() === login.toLowerCase())) {
      pull.requestedReviewers.push(account.login);
    }
  }
  for (const slug of request.teams) {
    if (!pull.requestedTeams.includes(slug.toLowerCase()))
      pull.requestedTeams.push(slug.toLowerCase());
  }
  touch(context, pull);
}

/** Withdraws review requests. */
export function removeReviewers(
  context: SandboxContext,
  pull: PullRequest,
  request: { reviewers: string[]; teams: string[] },
): void {
  const reviewers = new Set(request.reviewers.map((login) => login.toLowerCase()));
  const teams = new Set(request.teams.map((slug) => slug.toLowerCase()));
  pull.requestedReviewers = pull.requestedReviewers.filter(
    (login) => !reviewers.has(login.toLowerCase()),
  );
  pull.requestedTeams = pull.requestedTeams.filter((slug) => !teams.has(slug));
  touch(context, pull);
}

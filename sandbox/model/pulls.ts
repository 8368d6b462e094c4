import { nodeId } from './accounts.js';
import type { SandboxContext } from './context.js';
import { hasWriteAccess } from './context.js';
import type { GitIdentity } from '../git/objects.js';
import { isoSeconds } from '../rest/json/common.js';
import type { MergeMethod } from '../git/merge.js';
import { performMerge } from '../git/merge.js';
import type { Repository } from './repositories.js';
import { repositoryJson } from './repositories.js';
import { refDeletion, type RefUpdate } from '../server/request-log.js';
import type { RestResponse } from '../rest/response.js';
import { commitItemsJson } from '../rest/handlers/commits.js';
import {
  asObject,
  docs,
  fail,
  listResponse,
  notFound,
  optionalString,
  paginate,
  stringList,
  validationFailed,
  type ValidationErrorItem,
} from '../rest/response.js';
import type { RouteRequest } from '../rest/route-types.js';

export interface PullStats {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** A pull request as the sandbox keeps it; the JSON is rendered from this. */
export interface PullRequest {
  id: number;
  issueId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  user: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  mergedAt: Date | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** The test merge (refs/pull/N/merge), null when head and base conflict. */
  testMergeSha: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** The base branch's commit: followed while open, frozen when closed. */
  baseSha: string;
  /** The head branch no longer exists. */
  headDeleted: boolean;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  maintainerCanModify: boolean;
  /** Frozen at close or merge; computed live while open. */
  stats: PullStats | null;
  /** When the pulls list starts showing it (ms, real time): see `pullListLagMs`. */
  listedFrom: number;
}

export const PULL_DOCS = {
  list: docs('pulls/pulls#list-pull-requests'),
  create: docs('pulls/pulls#create-a-pull-request'),
  get: docs('pulls/pulls#get-a-pull-request'),
  update: docs('pulls/pulls#update-a-pull-request'),
  merge: docs('pulls/pulls#merge-a-pull-request'),
  checkMerged: docs('pulls/pulls#check-if-a-pull-request-has-been-merged'),
  commits: docs('pulls/pulls#list-commits-on-a-pull-request'),
  listReviewers: docs('pulls/review-requests#get-all-requested-reviewers-for-a-pull-request'),
  requestReviewers: docs('pulls/review-requests#request-reviewers-for-a-pull-request'),
  removeReviewers: docs('pulls/review-requests#remove-requested-reviewers-from-a-pull-request'),
};

const GITHUB_COMMITTER_NAME = 'GitHub';
const GITHUB_COMMITTER_EMAIL = 'noreply@github.com';
let nextPullId = 9_000_001;

/** The git identity GitHub gives an account in the commits it writes for it. */
export function accountIdentity(context: SandboxContext, login: string): GitIdentity {
  const account = context.accounts.get(login);
  return {
    name: account.login,
    email: `${account.id}+${account.login}@users.noreply.github.com`,
    date: context.clock.now(),
  };
}

function touch(context: SandboxContext, pull: PullRequest): void {
  pull.updatedAt = context.clock.now();
}

export function requirePull(
  repository: Repository,
  raw: string | undefined,
  documentationUrl: string,
): PullRequest {
  const pull = repository.pulls.get(Number(raw));
  if (pull === undefined) return notFound(documentationUrl);
  return pull;
}

export function openPulls(repository: Repository): PullRequest[] {
  return [...repository.pulls.values()].filter((pull) => pull.state === 'open');
}

export function authorAssociation(repository: Repository, login: string): string {
  if (login.toLowerCase() === repository.owner.toLowerCase()) return 'OWNER';
  if (repository.collaborators.has(login.toLowerCase())) return 'COLLABORATOR';
  return 'CONTRIBUTOR';
}

export function labelJson(
  context: SandboxContext,
  repository: Repository,
  name: string,
): Record<string, unknown> {
  const label = repository.labels.get(name.toLowerCase());
  if (label === undefined) throw new Error(`unknown label ${name}`);
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${context.urls.api}/repos/${repository.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

function branchJson(
  context: SandboxContext,
  repository: Repository,
  ref: string,
  sha: string,
): Record<string, unknown> {
  return {
    label: `${repository.owner}:${ref}`,
    ref,
    sha,
    user: context.accounts.userJson(repository.owner),
    repo: repositoryJson(repository, context.accounts, context.urls, {
      openIssues: openPulls(repository).length,
      viewerCanPush: true,
    }),
  };
}

/** GitHub's `pull-request-simple` object, as in list responses. */
export function pullSimpleJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Record<string, unknown> {
  const api = `${context.urls.api}/repos/${repository.fullName}`;
  const html = `${context.urls.web}/${repository.fullName}/pull/${pull.number}`;
  const url = `${api}/pulls/${pull.number}`;
  const issueUrl = `${api}/issues/${pull.number}`;
  const assignees = pull.assignees.map((login) => context.accounts.userJson(login));
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: context.accounts.userJson(pull.user),
    body: pull.body,
    created_at: isoSeconds(pull.createdAt),
    updated_at: isoSeconds(pull.updatedAt),
    closed_at: pull.closedAt === null ? null : isoSeconds(pull.closedAt),
    merged_at: pull.mergedAt === null ? null : isoSeconds(pull.mergedAt),
    // "Before merging, this holds the SHA of the test merge commit": not a sign of a merge.
    // https://docs.github.com/rest/pulls/pulls#get-a-pull-request
    merge_commit_sha: pull.mergeCommitSha ?? pull.testMergeSha,
    assignee: assignees[0] ?? null,
    assignees,
    requested_reviewers: pull.requestedReviewers.map((login) => context.accounts.userJson(login)),
    requested_teams: pull.requestedTeams.map((slug) =>
      context.accounts.teamJson(context.accounts.team(repository.owner, slug)),
    ),
    labels: pull.labels.map((name) => labelJson(context, repository, name)),
    milestone: null,
    draft: pull.draft,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    head: branchJson(context, repository, pull.headRef, pull.headSha),
    base: branchJson(context, repository, pull.baseRef, pull.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${pull.headSha}` },
    },
    author_association: authorAssociation(repository, pull.user),
    auto_merge: null,
    active_lock_reason: null,
  };
}

async function liveStats(repository: Repository, pull: PullRequest): Promise<PullStats> {
  const git = repository.git;
  const base = (await git.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha;
  const commits = (await git.commitsBetween(base, pull.headSha)).length;
  const diff = await git.diffStats(base, pull.headSha);
  return {
    commits,
    additions: diff.additions,
    deletions: diff.deletions,
    changedFiles: diff.files,
  };
}

/** GitHub's full `pull-request` object, with mergeability computed by a real test merge. */
export async function pullJson(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Promise<Record<string, unknown>> {
  const stats = pull.stats ?? (await liveStats(repository, pull));
  let mergeable: boolean | null = null;
  let mergeableState = 'unknown';
  if (pull.state === 'open') {
    mergeable = pull.testMergeSha !== null;
    mergeableState = pull.draft ? 'draft' : mergeable ? 'clean' : 'dirty';
  }
  return {
    ...pullSimpleJson(context, repository, pull),
    merged: pull.mergedAt !== null,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.mergedBy === null ? null : context.accounts.userJson(pull.mergedBy),
    comments: repository.comments.filter((comment) => comment.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

export interface CreatePullInput {
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
export const PULL_TEXT_LIMITS = { title: 256, body: 65_536 } as const;

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

/** Opens a pull request with GitHub's checks and 422 texts. Call inside `repository.exclusive`. */
export async function createPull(
  context: SandboxContext,
  repository: Repository,
  input: CreatePullInput,
): Promise<PullRequest> {
  const documentationUrl = PULL_DOCS.create;
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
    id: nextPullId++,
    issueId: nextPullId++,
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

/**
 * GitHub keeps every pull request's head as refs/pull/N/head (even after the branch is gone)
 * and, while it is open, its test merge as refs/pull/N/merge.
 */
async function refreshPullRefs(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
): Promise<void> {
  const git = repository.git;
  const commands = [`update refs/pull/${pull.number}/head ${pull.headSha}`];
  if (pull.state === 'open') {
    pull.testMergeSha = await testMerge(repository, pull.baseSha, pull.headSha, {
      name: GITHUB_COMMITTER_NAME,
      email: GITHUB_COMMITTER_EMAIL,
      date: context.clock.now(),
    });
    commands.push(
      pull.testMergeSha === null
        ? `delete refs/pull/${pull.number}/merge`
        : `update refs/pull/${pull.number}/merge ${pull.testMergeSha}`,
    );
  }
  await git.updateRefs(commands);
}

/**
 * GitHub's test merge of a pull request (refs/pull/N/merge): the merge commit of `head` into
 * `base` with the message `Merge <head> into <base>`, or null when they conflict. Cached: it
 * depends on the two commits only.
 */
async function testMerge(
  repository: Repository,
  base: string,
  head: string,
  committer: GitIdentity,
): Promise<string | null> {
  const key = `${base}:${head}`;
  const cached = repository.testMerges.get(key);
  if (cached !== undefined) return cached;
  const tree = await repository.git.mergeTrees(base, head);
  const sha =
    tree === null
      ? null
      : await repository.git.commitTree({
          tree,
          parents: [base, head],
          message: `Merge ${head} into ${base}\n`,
          author: committer,
          committer,
        });
  if (repository.testMerges.size >= 1000) repository.testMerges.clear();
  repository.testMerges.set(key, sha);
  return sha;
}

async function closeWithSnapshot(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  by: string | null,
): Promise<void> {
  pull.stats = await liveStats(repository, pull);
  pull.state = 'closed';
  pull.closedAt = context.clock.now();
  pull.closedBy = by;
  touch(context, pull);
}

export interface UpdatePullInput {
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
  const documentationUrl = PULL_DOCS.update;
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
      validationFailed(
        [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repository.owner}:${pull.headRef}.`,
          },
        ],
        documentationUrl,
      );
    }
    pull.state = 'open';
    pull.closedAt = null;
    pull.closedBy = null;
    pull.stats = null;
    pull.baseSha = (await repository.git.refSha(`refs/heads/${pull.baseRef}`)) ?? pull.baseSha;
    touch(context, pull);
    await refreshPullRefs(context, repository, pull);
  } else if (input.state === 'closed' && pull.state === 'open') {
    await closeWithSnapshot(context, repository, pull, by);
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

export interface MergePullInput {
  method: MergeMethod;
  /** The head commit the caller reviewed: a different head gives 409. */
  sha?: string;
  commitTitle?: string;
  commitMessage?: string;
  by: string;
}

export interface MergeResult {
  sha: string;
  refUpdates: RefUpdate[];
}

function defaultMessage(
  method: MergeMethod,
  repository: Repository,
  pull: PullRequest,
  commitSubjects: string[],
): { title: string; message: string } {
  if (method === 'squash') {
    return {
      title: `${pull.title} (#${pull.number})`,
      message: commitSubjects.map((subject) => `* ${subject}`).join('\n\n'),
    };
  }
  return {
    title: `Merge pull request #${pull.number} from ${repository.owner}/${pull.headRef}`,
    message: pull.title,
  };
}

/**
 * Merges a pull request like PUT /pulls/{n}/merge: a real merge, squash or rebase in the bare
 * repository, the base moved with a compare-and-swap, the PR marked merged with
 * `merge_commit_sha` = the commit the base now points at. Call inside `repository.exclusive`.
 */
export async function mergePull(
  context: SandboxContext,
  repository: Repository,
  pull: PullRequest,
  input: MergePullInput,
): Promise<MergeResult> {
  const documentationUrl = PULL_DOCS.merge;
  if (pull.state !== 'open') fail(405, 'Pull Request is not mergeable', documentationUrl);
  // https://github.com/dlang/dlang-bot/issues/77 quotes this 409 body.
  if (input.sha !== undefined && input.sha !== pull.headSha) {
    fail(409, 'Head branch was modified. Review and try the merge again.', documentationUrl);
  }
  const allowed: Record<MergeMethod, [boolean, string]> = {
    merge: [repository.allowMergeCommit, 'Merge commits are not allowed on this repository.'],
    squash: [repository.allowSquashMerge, 'Squash merges are not allowed on this repository.'],
    rebase: [repository.allowRebaseMerge, 'Rebase merges are not allowed on this repository.'],
  };
  const [isAllowed, refusal] = allowed[input.method];
  if (!isAllowed) fail(405, refusal, documentationUrl);
  if (pull.draft) fail(405, 'Pull Request is not mergeable', documentationUrl);
  const baseRef = `refs/heads/${pull.baseRef}`;
  const baseSha = await repository.git.refSha(baseRef);
  if (baseSha === null) fail(405, 'Pull Request is not mergeable', documentationUrl);

  const commits = await repository.git.commitsBetween(baseSha, pull.headSha);
  const subjects: string[] = [];
  for (const sha of commits) {
    subjects.push((await repository.git.readCommit(sha)).message.split('\n')[0] ?? '');
  }
  const fallback = defaultMessage(input.method, repository, pull, subjects);
  const title = input.commitTitle ?? fallback.title;
  const body = input.commitMessage ?? fallback.message;
  const now = context.clock.now();
  const merger = accountIdentity(context, input.by);
  const outcome = await performMerge(repository.git, input.method, {
    base: baseSha,
    head: pull.headSha,
    message: body === '' ? `${title}\n` : `${title}\n\n${body}\n`,
    author: input.method === 'squash' ? accountIdentity(context, pull.user) : merger,
    committer: { name: GITHUB_COMMITTER_NAME, email: GITHUB_COMMITTER_EMAIL, date: now },
    scratchDir: context.scratchDir,
  });
  if (outcome.kind === 'conflict') fail(405, 'Pull Request is not mergeable', documentationUrl);
  if (outcome.kind === 'not-rebaseable')
    fail(405, "This branch can't be rebased", documentationUrl);

  pull.baseSha = baseSha;
  const stats = await liveStats(repository, pull);
  // https://github.com/tgymnich/fork-sync/issues/4: "Base branch was modified. Review and try
  // the merge again." when the base moves under the merge.
  if (!(await repository.git.updateRef(baseRef, outcome.sha, baseSha))) {
    fail(405, 'Base branch was modified. Review and try the merge again.', documentationUrl);
  }
  const refUpdates: RefUpdate[] = [
    {
      ref: baseRef,
      oldSha: baseSha,
      newSha: outcome.sha,
      forced: false,
      created: false,
      deleted: false,
    },
  ];
  pull.stats = stats;
  pull.state = 'closed';
  pull.closedAt = now;
  pull.closedBy = input.by;
  pull.mergedAt = now;
  pull.mergedBy = input.by;
  pull.mergeCommitSha = outcome.sha;
  touch(context, pull);

  // "Automatically delete head branches": not while another open PR uses the branch.
  // https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/configuring-pull-request-merges/managing-the-automatic-deletion-of-branches
  const stillUsed = openPulls(repository).some(
    (other) => other.headRef === pull.headRef || other.baseRef === pull.headRef,
  );
  const headRef = `refs/heads/${pull.headRef}`;
  if (repository.deleteBranchOnMerge && !stillUsed && !repository.isProtected(headRef)) {
    if (await repository.git.deleteRef(headRef, pull.headSha)) {
      refUpdates.push(refDeletion(headRef, pull.headSha));
    }
  }
  await onRefsUpdated(context, repository, refUpdates, input.by);
  return { sha: outcome.sha, refUpdates };
}

/**
 * What GitHub does to pull requests when branches move (pushes, ref API calls, merges):
 * a push to the head updates the PR's head; deleting the head or base branch closes open PRs;
 * a head reset so that it has no commits over the base closes the PR; a base that comes to
 * contain the head marks the PR merged.
 */
export async function onRefsUpdated(
  context: SandboxContext,
  repository: Repository,
  updates: RefUpdate[],
  actor: string,
): Promise<void> {
  const now = context.clock.now();
  for (const update of updates) {
    if (!update.ref.startsWith('refs/heads/')) continue;
    const branch = update.ref.slice('refs/heads/'.length);
    repository.pushedAt = now;
    for (const pull of repository.pulls.values()) {
      if (pull.headRef === branch) pull.headDeleted = update.deleted;
      if (pull.state !== 'open') continue;
      if (pull.headRef === branch) {
        if (update.newSha === null) {
          await closeWithSnapshot(context, repository, pull, actor);
          continue;
        }
        pull.headSha = update.newSha;
        touch(context, pull);
        if (await repository.git.isAncestor(pull.headSha, pull.baseSha)) {
          await closeWithSnapshot(context, repository, pull, actor);
          await refreshPullRefs(context, repository, pull);
          continue;
        }
        await refreshPullRefs(context, repository, pull);
      }
      if (pull.baseRef === branch) {
        if (update.newSha === null) {
          await closeWithSnapshot(context, repository, pull, actor);
          continue;
        }
        if (await repository.git.isAncestor(pull.headSha, update.newSha)) {
          pull.stats = await liveStats(repository, pull);
          pull.baseSha = update.newSha;
          pull.state = 'closed';
          pull.closedAt = now;
          pull.closedBy = actor;
          pull.mergedAt = now;
          pull.mergedBy = actor;
          pull.mergeCommitSha = update.newSha;
          touch(context, pull);
        } else {
          pull.baseSha = update.newSha;
          await refreshPullRefs(context, repository, pull);
        }
      }
    }
  }
}

export type PullSort = 'created' | 'updated' | 'popularity' | 'long-running';

/** The pulls list query of GET /repos/{owner}/{repo}/pulls, filtered and sorted like GitHub. */
export function listPulls(
  context: SandboxContext,
  repository: Repository,
  query: URLSearchParams,
): PullRequest[] {
  const state = query.get('state') ?? 'open';
  const head = query.get('head');
  const base = query.get('base');
  const sortParam = query.get('sort');
  const sort: PullSort =
    sortParam === 'updated' || sortParam === 'popularity' || sortParam === 'long-running'
      ? sortParam
      : 'created';
  // "Default: desc when sort is created or sort is not specified, otherwise asc."
  const direction = query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  const now = context.clock.now().getTime();
  const month = 30 * 24 * 60 * 60 * 1000;
  const commentCount = (pull: PullRequest): number =>
    repository.comments.filter((comment) => comment.issueNumber === pull.number).length;

  // GitHub's list is served from an index that catches up with a new PR a little later (see
  // `pullListLagMs` in sandbox/README.md); GET /pulls/{n} and POST /pulls see it at once.
  const listedBy = Date.now();
  let pulls = [...repository.pulls.values()].filter((pull) => pull.listedFrom <= listedBy);
  if (state === 'open' || state === 'closed') pulls = pulls.filter((pull) => pull.state === state);
  // `head` must be `user:ref-name`; without the owner GitHub ignores the filter altogether
  // (https://github.com/hub4j/github-api/pull/538, https://github.com/PyGithub/PyGithub/issues/1566).
  if (head !== null && head.includes(':')) {
    const colon = head.indexOf(':');
    const owner = head.slice(0, colon).toLowerCase();
    const ref = head.slice(colon + 1);
    pulls = pulls.filter(
      (pull) =>
        owner === repository.owner.toLowerCase() &&
        pull.headRef === ref &&
        (context.headFilterMatchesDeletedBranches || !pull.headDeleted),
    );
  }
  if (base !== null) pulls = pulls.filter((pull) => pull.baseRef === base);
  if (sort === 'long-running') {
    // "…limit the results to pull requests that have been open for more than a month and have
    // had activity within the past month."
    pulls = pulls.filter(
      (pull) => now - pull.createdAt.getTime() > month && now - pull.updatedAt.getTime() <= month,
    );
  }
  const key = (pull: PullRequest): number => {
    if (sort === 'updated') return pull.updatedAt.getTime();
    if (sort === 'popularity') return commentCount(pull);
    return pull.createdAt.getTime();
  };
  const sign = direction === 'asc' ? 1 : -1;
  return pulls.sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
}

function linkBase(context: SandboxContext, repository: Repository, suffix: string): string {
  return `${context.urls.api}/repositories/${repository.id}${suffix}`;
}

export async function handleListPulls({
  context,
  repository,
  query,
}: RouteRequest): Promise<RestResponse> {
  const pulls = listPulls(context, repository, query);
  const page = paginate(pulls, query, linkBase(context, repository, '/pulls'));
  return listResponse(page, (pull) => pullSimpleJson(context, repository, pull));
}

export async function handleGetPull({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['pull_number'], PULL_DOCS.get);
  return { status: 200, body: await pullJson(context, repository, pull) };
}

export async function handleCreatePull({
  context,
  repository,
  body,
  token,
}: RouteRequest): Promise<RestResponse> {
  const documentationUrl = PULL_DOCS.create;
  const input = asObject(body);
  const head = optionalString(input, 'head', documentationUrl);
  const base = optionalString(input, 'base', documentationUrl);
  const title = optionalString(input, 'title', documentationUrl);
  if (head === undefined)
    fail(422, 'Invalid request.\n\n"head" wasn\'t supplied.', documentationUrl);
  if (base === undefined)
    fail(422, 'Invalid request.\n\n"base" wasn\'t supplied.', documentationUrl);
  if (title === undefined) {
    validationFailed(
      [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }],
      documentationUrl,
    );
  }
  return repository.exclusive(async () => {
    const pull = await createPull(context, repository, {
      title,
      body: optionalString(input, 'body', documentationUrl) ?? null,
      head,
      base,
      draft: input['draft'] === true,
      maintainerCanModify: input['maintainer_can_modify'] === true,
      user: token.login,
    });
    const json = await pullJson(context, repository, pull);
    return { status: 201, body: json, headers: { location: String(json['url']) } };
  });
}

export async function handleUpdatePull({
  context,
  repository,
  params,
  body,
  token,
}: RouteRequest): Promise<RestResponse> {
  const documentationUrl = PULL_DOCS.update;
  const pull = requirePull(repository, params['pull_number'], documentationUrl);
  const input = asObject(body);
  const state = optionalString(input, 'state', documentationUrl);
  if (state !== undefined && state !== 'open' && state !== 'closed') {
    validationFailed(
      [{ resource: 'PullRequest', field: 'state', code: 'invalid' }],
      documentationUrl,
    );
  }
  return repository.exclusive(async () => {
    await updatePull(
      context,
      repository,
      pull,
      {
        title: optionalString(input, 'title', documentationUrl),
        body:
          'body' in input ? (optionalString(input, 'body', documentationUrl) ?? null) : undefined,
        state,
        base: optionalString(input, 'base', documentationUrl),
        maintainerCanModify:
          typeof input['maintainer_can_modify'] === 'boolean'
            ? input['maintainer_can_modify']
            : undefined,
      },
      token.login,
    );
    return { status: 200, body: await pullJson(context, repository, pull) };
  });
}

export async function handleMergePull({
  context,
  repository,
  params,
  body,
  token,
}: RouteRequest): Promise<RestResponse> {
  const documentationUrl = PULL_DOCS.merge;
  const pull = requirePull(repository, params['pull_number'], documentationUrl);
  const input = asObject(body);
  const method = optionalString(input, 'merge_method', documentationUrl) ?? 'merge';
  if (method !== 'merge' && method !== 'squash' && method !== 'rebase') {
    validationFailed(
      [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }],
      documentationUrl,
    );
  }
  return repository.exclusive(async () => {
    const result = await mergePull(context, repository, pull, {
      method,
      sha: optionalString(input, 'sha', documentationUrl),
      commitTitle: optionalString(input, 'commit_title', documentationUrl),
      commitMessage: optionalString(input, 'commit_message', documentationUrl),
      by: token.login,
    });
    return {
      status: 200,
      body: { sha: result.sha, merged: true, message: 'Pull Request successfully merged' },
      refUpdates: result.refUpdates,
    };
  });
}

// "Lists a maximum of 250 commits for a pull request."
// https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request
const PULL_COMMITS_LIMIT = 250;

/**
 * GET /pulls/{n}/commits: the PR's commits oldest first, against the base as it was when the PR
 * was merged or closed (or is now, while it is open), so a merged PR still lists its own.
 */
export async function handlePullCommits({
  context,
  repository,
  params,
  query,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['pull_number'], PULL_DOCS.commits);
  const git = repository.git;
  const base = (await git.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha;
  const shas = (await git.commitsBetween(base, pull.headSha)).slice(0, PULL_COMMITS_LIMIT);
  const page = paginate(
    shas,
    query,
    linkBase(context, repository, `/pulls/${pull.number}/commits`),
  );
  return listResponse(
    { ...page, items: await commitItemsJson(context, repository, page.items) },
    (item) => item,
  );
}

export async function handleCheckMerged({
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['pull_number'], PULL_DOCS.checkMerged);
  if (pull.mergedAt === null) notFound(PULL_DOCS.checkMerged);
  return { status: 204 };
}

export async function handleListReviewers({
  context,
  repository,
  params,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['pull_number'], PULL_DOCS.listReviewers);
  return {
    status: 200,
    body: {
      users: pull.requestedReviewers.map((login) => context.accounts.userJson(login)),
      teams: pull.requestedTeams.map((slug) =>
        context.accounts.teamJson(context.accounts.team(repository.owner, slug)),
      ),
    },
  };
}

export async function handleRequestReviewers({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const documentationUrl = PULL_DOCS.requestReviewers;
  const pull = requirePull(repository, params['pull_number'], documentationUrl);
  const input = asObject(body);
  const reviewers = stringList(input['reviewers']);
  const teams = stringList(input['team_reviewers']);
  if (reviewers.some((login) => login.toLowerCase() === pull.user.toLowerCase())) {
    fail(422, 'Review cannot be requested from pull request author.', documentationUrl);
  }
  const strangers =
    reviewers.some((login) => !hasWriteAccess(context, repository.collaborators, login)) ||
    teams.some((slug) => !repository.teams.has(slug.toLowerCase()));
  if (strangers) {
    // The text dependabot-core matches ("not a collaborator"), e.g. quoted in
    // https://github.com/denog/routing-guide/pull/118
    fail(
      422,
      `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repository.fullName} repository.`,
      documentationUrl,
    );
  }
  return repository.exclusive(async () => {
    for (const login of reviewers) {
      const account = context.accounts.get(login);
      if (!pull.requestedReviewers.some((known) => known.toLowerCase() === login.toLowerCase())) {
        pull.requestedReviewers.push(account.login);
      }
    }
    for (const slug of teams) {
      if (!pull.requestedTeams.includes(slug.toLowerCase()))
        pull.requestedTeams.push(slug.toLowerCase());
    }
    touch(context, pull);
    return { status: 201, body: pullSimpleJson(context, repository, pull) };
  });
}

export async function handleRemoveReviewers({
  context,
  repository,
  params,
  body,
}: RouteRequest): Promise<RestResponse> {
  const pull = requirePull(repository, params['pull_number'], PULL_DOCS.removeReviewers);
  const input = asObject(body);
  const reviewers = new Set(stringList(input['reviewers']).map((login) => login.toLowerCase()));
  const teams = new Set(stringList(input['team_reviewers']).map((slug) => slug.toLowerCase()));
  return repository.exclusive(async () => {
    pull.requestedReviewers = pull.requestedReviewers.filter(
      (login) => !reviewers.has(login.toLowerCase()),
    );
    pull.requestedTeams = pull.requestedTeams.filter((slug) => !teams.has(slug));
    touch(context, pull);
    return { status: 200, body: pullSimpleJson(context, repository, pull) };
  });
}

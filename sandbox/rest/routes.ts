import { handleCreateAccessToken, handleRepositoryInstallation } from './handlers/apps.js';
import {
  handleCommitPulls,
  handleGetCommit,
  handleGetGitCommit,
  handleListCommits,
} from './handlers/commits.js';
import { handleCompare } from './handlers/compare.js';
import { handleGetContent } from './handlers/contents.js';
import {
  handleAddAssignees,
  handleAddLabels,
  handleCreateComment,
  handleGetIssue,
  handleListComments,
  handleListLabels,
  handleRemoveAssignees,
  handleRemoveLabel,
  handleSetLabels,
} from './handlers/issues.js';
import {
  handleCheckMerged,
  handleCreatePull,
  handleGetPull,
  handleListPulls,
  handleMergePull,
  handlePullCommits,
  handleUpdatePull,
} from './handlers/pulls.js';
import {
  handleCreateRef,
  handleDeleteRef,
  handleGetRef,
  handleMatchingRefs,
  handleUpdateRef,
} from './handlers/refs.js';
import { handleGetBranch, handleGetRepository } from './handlers/repos.js';
import {
  handleListReviewers,
  handleRemoveReviewers,
  handleRequestReviewers,
} from './handlers/reviewers.js';
import {
  handleCombinedStatus,
  handleCreateStatus,
  handleListStatuses,
} from './handlers/statuses.js';
import { handleAuthenticatedUser, handleRateLimit } from './handlers/users.js';
import type { OperationId } from '../model/docs.js';
import type { RouteDefinition } from './route-types.js';

type Method = RouteDefinition['method'];
type Handler<Scope> = Extract<RouteDefinition, { scope: Scope }>['handler'];

function split(spec: `${Method} /${string}`): { method: Method; template: string } {
  const space = spec.indexOf(' ');
  return { method: spec.slice(0, space) as Method, template: spec.slice(space + 1) };
}

/** A `/repos/{owner}/{repo}/…` route: a token that reaches the repository. */
function repo(
  spec: `${Method} /${string}`,
  operationId: OperationId,
  handler: Handler<'repository'>,
): RouteDefinition {
  return { scope: 'repository', ...split(spec), operationId, handler };
}

/** A route outside any repository, for any token. */
function global(
  spec: `${Method} /${string}`,
  operationId: OperationId,
  handler: Handler<'global'>,
  options: { free?: boolean } = {},
): RouteDefinition {
  return { scope: 'global', ...split(spec), operationId, handler, ...options };
}

/** A route of a GitHub App, authenticated by its JWT. */
function app(
  spec: `${Method} /${string}`,
  operationId: OperationId,
  handler: Handler<'app'>,
): RouteDefinition {
  return { scope: 'app', ...split(spec), operationId, handler };
}

/**
 * Every REST route the sandbox serves, by the path templates and operationIds of GitHub's
 * OpenAPI description (sandbox/openapi/extract.mjs extracts exactly these operations). The
 * handlers live in `handlers/`, one module per area of the API.
 */
export const ROUTES: RouteDefinition[] = [
  app(
    'GET /repos/{owner}/{repo}/installation',
    'apps/get-repo-installation',
    handleRepositoryInstallation,
  ),
  app(
    'POST /app/installations/{installation_id}/access_tokens',
    'apps/create-installation-access-token',
    handleCreateAccessToken,
  ),
  // "Accessing this endpoint does not count against your REST API rate limit."
  global('GET /rate_limit', 'rate-limit/get', handleRateLimit, { free: true }),
  global('GET /user', 'users/get-authenticated', handleAuthenticatedUser),
  repo('GET /repos/{owner}/{repo}', 'repos/get', handleGetRepository),
  repo('GET /repos/{owner}/{repo}/branches/{branch}', 'repos/get-branch', handleGetBranch),
  repo('GET /repos/{owner}/{repo}/commits', 'repos/list-commits', handleListCommits),
  repo(
    'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    'repos/list-pull-requests-associated-with-commit',
    handleCommitPulls,
  ),
  repo('GET /repos/{owner}/{repo}/commits/{ref}', 'repos/get-commit', handleGetCommit),
  repo(
    'GET /repos/{owner}/{repo}/commits/{ref}/status',
    'repos/get-combined-status-for-ref',
    handleCombinedStatus,
  ),
  repo(
    'GET /repos/{owner}/{repo}/commits/{ref}/statuses',
    'repos/list-commit-statuses-for-ref',
    handleListStatuses,
  ),
  repo(
    'POST /repos/{owner}/{repo}/statuses/{sha}',
    'repos/create-commit-status',
    handleCreateStatus,
  ),
  repo(
    'GET /repos/{owner}/{repo}/compare/{basehead}',
    'repos/compare-commits-with-basehead',
    handleCompare,
  ),
  repo('GET /repos/{owner}/{repo}/contents/{path}', 'repos/get-content', handleGetContent),
  repo('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', 'git/get-commit', handleGetGitCommit),
  repo('GET /repos/{owner}/{repo}/git/ref/{ref}', 'git/get-ref', handleGetRef),
  repo(
    'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
    'git/list-matching-refs',
    handleMatchingRefs,
  ),
  repo('POST /repos/{owner}/{repo}/git/refs', 'git/create-ref', handleCreateRef),
  repo('PATCH /repos/{owner}/{repo}/git/refs/{ref}', 'git/update-ref', handleUpdateRef),
  repo('DELETE /repos/{owner}/{repo}/git/refs/{ref}', 'git/delete-ref', handleDeleteRef),
  repo('GET /repos/{owner}/{repo}/pulls', 'pulls/list', handleListPulls),
  repo('POST /repos/{owner}/{repo}/pulls', 'pulls/create', handleCreatePull),
  repo('GET /repos/{owner}/{repo}/pulls/{pull_number}', 'pulls/get', handleGetPull),
  repo('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', 'pulls/update', handleUpdatePull),
  repo(
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits',
    'pulls/list-commits',
    handlePullCommits,
  ),
  repo(
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/merge',
    'pulls/check-if-merged',
    handleCheckMerged,
  ),
  repo('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', 'pulls/merge', handleMergePull),
  repo(
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    'pulls/list-requested-reviewers',
    handleListReviewers,
  ),
  repo(
    'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    'pulls/request-reviewers',
    handleRequestReviewers,
  ),
  repo(
    'DELETE /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    'pulls/remove-requested-reviewers',
    handleRemoveReviewers,
  ),
  repo('GET /repos/{owner}/{repo}/issues/{issue_number}', 'issues/get', handleGetIssue),
  repo(
    'GET /repos/{owner}/{repo}/issues/{issue_number}/labels',
    'issues/list-labels-on-issue',
    handleListLabels,
  ),
  repo(
    'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    'issues/add-labels',
    handleAddLabels,
  ),
  repo(
    'PUT /repos/{owner}/{repo}/issues/{issue_number}/labels',
    'issues/set-labels',
    handleSetLabels,
  ),
  repo(
    'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    'issues/remove-label',
    handleRemoveLabel,
  ),
  repo(
    'POST /repos/{owner}/{repo}/issues/{issue_number}/assignees',
    'issues/add-assignees',
    handleAddAssignees,
  ),
  repo(
    'DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees',
    'issues/remove-assignees',
    handleRemoveAssignees,
  ),
  repo(
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    'issues/list-comments',
    handleListComments,
  ),
  repo(
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    'issues/create-comment',
    handleCreateComment,
  ),
];

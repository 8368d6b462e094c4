/** GitHub's REST documentation, which its error bodies link (`documentation_url`). */
export const REST_DOCS = 'https://docs.github.com/rest';

const page = (path: string): string => `${REST_DOCS}/${path}`;

/** Where GitHub's secondary rate limits and content-creation limits are documented. */
export const RATE_LIMIT_DOCS = page(
  'using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
);

/**
 * The documentation page of every operation the sandbox serves, by its operationId in GitHub's
 * OpenAPI description: the `documentation_url` of that operation's error answers.
 */
export const DOCS = {
  'apps/get-repo-installation': page(
    'apps/apps#get-a-repository-installation-for-the-authenticated-app',
  ),
  'apps/create-installation-access-token': page(
    'apps/apps#create-an-installation-access-token-for-an-app',
  ),
  'rate-limit/get': page('rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user'),
  'users/get-authenticated': page('users/users#get-the-authenticated-user'),
  'repos/get': page('repos/repos#get-a-repository'),
  'repos/get-branch': page('branches/branches#get-a-branch'),
  'repos/list-commits': page('commits/commits#list-commits'),
  'repos/list-pull-requests-associated-with-commit': page(
    'commits/commits#list-pull-requests-associated-with-a-commit',
  ),
  'repos/get-commit': page('commits/commits#get-a-commit'),
  'repos/get-combined-status-for-ref': page(
    'commits/statuses#get-the-combined-status-for-a-specific-reference',
  ),
  'repos/list-commit-statuses-for-ref': page(
    'commits/statuses#list-commit-statuses-for-a-reference',
  ),
  'repos/create-commit-status': page('commits/statuses#create-a-commit-status'),
  'repos/compare-commits-with-basehead': page('commits/commits#compare-two-commits'),
  'repos/get-content': page('repos/contents#get-repository-content'),
  'git/get-commit': page('git/commits#get-a-commit-object'),
  'git/get-ref': page('git/refs#get-a-reference'),
  'git/list-matching-refs': page('git/refs#list-matching-references'),
  'git/create-ref': page('git/refs#create-a-reference'),
  'git/update-ref': page('git/refs#update-a-reference'),
  'git/delete-ref': page('git/refs#delete-a-reference'),
  'pulls/list': page('pulls/pulls#list-pull-requests'),
  'pulls/create': page('pulls/pulls#create-a-pull-request'),
  'pulls/get': page('pulls/pulls#get-a-pull-request'),
  'pulls/update': page('pulls/pulls#update-a-pull-request'),
  'pulls/list-commits': page('pulls/pulls#list-commits-on-a-pull-request'),
  'pulls/check-if-merged': page('pulls/pulls#check-if-a-pull-request-has-been-merged'),
  'pulls/merge': page('pulls/pulls#merge-a-pull-request'),
  'pulls/list-requested-reviewers': page(
    'pulls/review-requests#get-all-requested-reviewers-for-a-pull-request',
  ),
  'pulls/request-reviewers': page('pulls/review-requests#request-reviewers-for-a-pull-request'),
  'pulls/remove-requested-reviewers': page(
    'pulls/review-requests#remove-requested-reviewers-from-a-pull-request',
  ),
  'issues/get': page('issues/issues#get-an-issue'),
  'issues/list-labels-on-issue': page('issues/labels#list-labels-for-an-issue'),
  'issues/add-labels': page('issues/labels#add-labels-to-an-issue'),
  'issues/set-labels': page('issues/labels#set-labels-for-an-issue'),
  'issues/remove-label': page('issues/labels#remove-a-label-from-an-issue'),
  'issues/add-assignees': page('issues/assignees#add-assignees-to-an-issue'),
  'issues/remove-assignees': page('issues/assignees#remove-assignees-from-an-issue'),
  'issues/list-comments': page('issues/comments#list-issue-comments'),
  'issues/create-comment': page('issues/comments#create-an-issue-comment'),
} as const;

/** An operation the sandbox serves, by GitHub's operationId. */
export type OperationId = keyof typeof DOCS;

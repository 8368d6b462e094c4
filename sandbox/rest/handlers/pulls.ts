import { validationFailed, fail, notFound } from '../../model/errors.js';
import { mergePull } from '../../model/merging.js';
import type { PullSort } from '../../model/pull-list.js';
import { listPulls } from '../../model/pull-list.js';
import { createPull, requirePull, updatePull } from '../../model/pulls.js';
import { asObject, optionalString } from '../input.js';
import { commitItemsJson } from '../json/commits.js';
import { pullJson, pullSimpleJson } from '../json/pulls.js';
import { listResponse, paginate, repositoryLink } from '../paging.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

// "Lists a maximum of 250 commits for a pull request."
// https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request
const PULL_COMMITS_LIMIT = 250;

/** `GET /pulls`: the list, filtered and sorted as the query asks (GitHub's defaults otherwise). */
export async function handleListPulls(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, query } = request;
  const asked = query.get('sort');
  const sort: PullSort =
    asked === 'updated' || asked === 'popularity' || asked === 'long-running' ? asked : 'created';
  // "Default: desc when sort is created or sort is not specified, otherwise asc."
  const direction = query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  const pulls = listPulls(context, repository, {
    state: query.get('state') ?? 'open',
    head: query.get('head'),
    base: query.get('base'),
    sort,
    direction: direction === 'asc' ? 'asc' : 'desc',
  });
  const page = paginate(pulls, query, repositoryLink(context, repository, '/pulls'));
  return listResponse(page, (pull) => pullSimpleJson(context, repository, pull));
}

export async function handleGetPull(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  return { status: 200, body: await pullJson(context, repository, pull) };
}

export async function handleCreatePull(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, body, token, docs } = request;
  const input = asObject(body);
  const head = optionalString(input, 'head', docs);
  const base = optionalString(input, 'base', docs);
  const title = optionalString(input, 'title', docs);
  if (head === undefined) fail(422, 'Invalid request.\n\n"head" wasn\'t supplied.', docs);
  if (base === undefined) fail(422, 'Invalid request.\n\n"base" wasn\'t supplied.', docs);
  if (title === undefined) {
    validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }], docs);
  }
  return repository.exclusive(async () => {
    const pull = await createPull(context, repository, {
      title,
      body: optionalString(input, 'body', docs) ?? null,
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

export async function handleUpdatePull(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, token, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  const input = asObject(body);
  const state = optionalString(input, 'state', docs);
  if (state !== undefined && state !== 'open' && state !== 'closed') {
    validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid' }], docs);
  }
  return repository.exclusive(async () => {
    await updatePull(
      context,
      repository,
      pull,
      {
        title: optionalString(input, 'title', docs),
        body: 'body' in input ? (optionalString(input, 'body', docs) ?? null) : undefined,
        state,
        base: optionalString(input, 'base', docs),
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

export async function handleMergePull(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, token, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  const input = asObject(body);
  const method = optionalString(input, 'merge_method', docs) ?? 'merge';
  if (method !== 'merge' && method !== 'squash' && method !== 'rebase') {
    validationFailed([{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }], docs);
  }
  return repository.exclusive(async () => {
    const result = await mergePull(context, repository, pull, {
      method,
      sha: optionalString(input, 'sha', docs),
      commitTitle: optionalString(input, 'commit_title', docs),
      commitMessage: optionalString(input, 'commit_message', docs),
      by: token.login,
    });
    return {
      status: 200,
      body: { sha: result.sha, merged: true, message: 'Pull Request successfully merged' },
      refUpdates: result.refUpdates,
    };
  });
}

/**
 * `GET /pulls/{n}/commits`: the PR's commits oldest first, against the base as it was when the
 * PR was merged or closed (or is now, while it is open), so a merged PR still lists its own.
 */
export async function handlePullCommits(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, query, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  const git = repository.git;
  const base = (await git.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha;
  const shas = (await git.commitsBetween(base, pull.headSha)).slice(0, PULL_COMMITS_LIMIT);
  const link = repositoryLink(context, repository, `/pulls/${pull.number}/commits`);
  const page = paginate(shas, query, link);
  return listResponse(
    { ...page, items: await commitItemsJson(context, repository, page.items) },
    (item) => item,
  );
}

export async function handleCheckMerged(request: RouteRequest): Promise<RestResponse> {
  const { repository, params, docs } = request;
  const pull = requirePull(repository, params['pull_number'], docs);
  if (pull.mergedAt === null) notFound(docs);
  return { status: 204 };
}

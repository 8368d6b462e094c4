import type { RefUpdate } from '../../model/branches.js';
import { onRefsUpdated, refDeletion } from '../../model/branches.js';
import { fail, notFound } from '../../model/errors.js';
import { asObject, requiredString } from '../input.js';
import { refJson } from '../json/refs.js';
import type { Repository } from '../../model/repositories.js';
import type { RestResponse, RouteRequest } from '../route-types.js';

/** `heads/main` (how the routes name a ref) to `refs/heads/main`. */
function fullRef(raw: string | undefined): string {
  const ref = raw ?? '';
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

export async function handleGetRef(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const ref = fullRef(params['ref']);
  const entry = (await repository.git.listRefs(ref)).find((candidate) => candidate.ref === ref);
  if (entry === undefined) notFound(docs);
  return { status: 200, body: refJson(context, repository, entry.ref, entry.sha, entry.type) };
}

export async function handleMatchingRefs(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params } = request;
  const prefix = fullRef(params['ref']);
  const entries = (await repository.git.listRefs()).filter((entry) => entry.ref.startsWith(prefix));
  return {
    status: 200,
    body: entries.map((entry) => refJson(context, repository, entry.ref, entry.sha, entry.type)),
  };
}

async function requireCommitObject(
  repository: Repository,
  sha: string,
  docs: string,
): Promise<string> {
  const type = await repository.git.objectType(sha);
  // "Object does not exist": https://github.com/octokit/octokit.js/issues/562
  if (type === null) fail(422, 'Object does not exist', docs);
  return type;
}

export async function handleCreateRef(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, body, token, docs } = request;
  const input = asObject(body);
  const ref = requiredString(input, 'ref', docs);
  const sha = requiredString(input, 'sha', docs);
  // Texts quoted in https://github.com/octokit/octokit.rb/issues/675
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
    fail(422, 'Reference name must contain at least three slash-separated components.', docs);
  }
  if (!(await repository.git.isValidRefName(ref)))
    fail(422, `${ref} is not a valid ref name.`, docs);
  return repository.exclusive(async () => {
    const type = await requireCommitObject(repository, sha, docs);
    if ((await repository.git.refSha(ref)) !== null) fail(422, 'Reference already exists', docs);
    // A ref a protected-branch rule covers cannot be created through the API:
    // https://github.com/actions/github-script/issues/455 ("Reference update failed").
    if (repository.isProtected(ref)) fail(422, 'Reference update failed', docs);
    if (!(await repository.git.updateRef(ref, sha, null))) {
      // Lost a race, or a directory/file conflict with an existing ref (refs/heads/a vs a/b).
      const raced = (await repository.git.refSha(ref)) !== null;
      fail(422, raced ? 'Reference already exists' : 'Reference update failed', docs);
    }
    const update: RefUpdate = {
      ref,
      oldSha: null,
      newSha: sha,
      forced: false,
      created: true,
      deleted: false,
    };
    await onRefsUpdated(context, repository, [update], token.login);
    const json = refJson(context, repository, ref, sha, type);
    return {
      status: 201,
      body: json,
      headers: { location: String(json['url']) },
      refUpdates: [update],
    };
  });
}

export async function handleUpdateRef(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, body, token, docs } = request;
  const ref = fullRef(params['ref']);
  const input = asObject(body);
  const sha = requiredString(input, 'sha', docs);
  const force = input['force'] === true;
  return repository.exclusive(async () => {
    const old = await repository.git.refSha(ref);
    // https://github.com/googleapis/repo-automation-bots/pull/3197: "Reference does not exist".
    if (old === null) fail(422, 'Reference does not exist', docs);
    const type = await requireCommitObject(repository, sha, docs);
    if (repository.isProtected(ref)) {
      fail(422, `Protected branch update failed for ${ref}.`, docs);
    }
    const fastForward = await repository.git.isAncestor(old, sha);
    // https://github.com/philschatz/octokit.js/issues/21: "Update is not a fast forward".
    if (!fastForward && !force) fail(422, 'Update is not a fast forward', docs);
    if (!(await repository.git.updateRef(ref, sha, old)))
      fail(422, 'Reference update failed', docs);
    const updates: RefUpdate[] =
      old === sha
        ? []
        : [{ ref, oldSha: old, newSha: sha, forced: !fastForward, created: false, deleted: false }];
    await onRefsUpdated(context, repository, updates, token.login);
    return { status: 200, body: refJson(context, repository, ref, sha, type), refUpdates: updates };
  });
}

export async function handleDeleteRef(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, token, docs } = request;
  const ref = fullRef(params['ref']);
  return repository.exclusive(async () => {
    const old = await repository.git.refSha(ref);
    if (old === null) fail(422, 'Reference does not exist', docs);
    if (repository.isProtected(ref) || ref === `refs/heads/${repository.defaultBranch}`) {
      fail(422, 'Reference update failed', docs);
    }
    if (!(await repository.git.deleteRef(ref, old))) fail(422, 'Reference update failed', docs);
    const update = refDeletion(ref, old);
    await onRefsUpdated(context, repository, [update], token.login);
    return { status: 204, refUpdates: [update] };
  });
}

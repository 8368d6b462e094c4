import { fail } from '../../model/errors.js';
import { commitJson } from '../json/commits.js';
import { repositoryJson } from '../json/repository.js';
import type { RestResponse, RouteRequest } from '../route-types.js';
import { repositoryUrls } from '../json/common.js';

/** `GET /repos/{owner}/{repo}`: the settings the resource reads. */
export async function handleGetRepository(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, token } = request;
  return { status: 200, body: repositoryJson(context, repository, !token.readOnly) };
}

/** `GET /repos/{owner}/{repo}/branches/{branch}`: its commit and whether it is protected. */
export async function handleGetBranch(request: RouteRequest): Promise<RestResponse> {
  const { context, repository, params, docs } = request;
  const name = params['branch'] ?? '';
  const sha = await repository.git.refSha(`refs/heads/${name}`);
  if (sha === null) fail(404, 'Branch not found', docs);
  const { api } = repositoryUrls(context, repository);
  const isProtected = repository.isProtected(`refs/heads/${name}`);
  return {
    status: 200,
    body: {
      name,
      commit: await commitJson(context, repository, sha),
      _links: {
        self: `${api}/branches/${encodeURIComponent(name)}`,
        html: `${repositoryUrls(context, repository).web}/tree/${name}`,
      },
      protected: isProtected,
      protection: {
        enabled: isProtected,
        required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
      },
      protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
    },
  };
}

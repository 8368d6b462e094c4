import { notFound } from '../../model/errors.js';
import { installationJson, permissionsJson } from '../json/apps.js';
import { isoSeconds } from '../json/common.js';
import type { AppRouteRequest, RestResponse } from '../route-types.js';

/** `GET /repos/{owner}/{repo}/installation`: the app's installation that reaches the repository. */
export async function handleRepositoryInstallation(
  request: AppRouteRequest,
): Promise<RestResponse> {
  const { context, app, params, docs } = request;
  const fullName = `${params['owner'] ?? ''}/${params['repo'] ?? ''}`;
  const installation = context.apps.installationFor(app, fullName);
  if (installation === undefined) return notFound(docs);
  return { status: 200, body: installationJson(context, installation) };
}

/** `POST /app/installations/{installation_id}/access_tokens`: a token that expires in an hour. */
export async function handleCreateAccessToken(request: AppRouteRequest): Promise<RestResponse> {
  const { context, app, params, docs } = request;
  const installation = context.apps.installation(app, Number(params['installation_id']));
  if (installation === undefined) return notFound(docs);
  const token = context.apps.issueToken(installation);
  return {
    status: 201,
    body: {
      token: token.value,
      expires_at: token.expiresAt === null ? null : isoSeconds(token.expiresAt),
      permissions: permissionsJson(installation),
      repository_selection: installation.repositories === null ? 'all' : 'selected',
    },
  };
}

import type { Installation } from '../../model/apps.js';
import type { SandboxContext } from '../../model/context.js';
import { userJson } from './accounts.js';
import { isoSeconds } from './common.js';

/** The permissions of an installation's tokens, as GitHub lists them. */
export function permissionsJson(installation: Installation): Record<string, string> {
  const level = installation.readOnly ? 'read' : 'write';
  return {
    contents: level,
    metadata: 'read',
    pull_requests: level,
    ...(installation.workflows ? { workflows: 'write' } : {}),
  };
}

/** GitHub's `installation` object. */
export function installationJson(
  context: SandboxContext,
  installation: Installation,
): Record<string, unknown> {
  const { urls } = context;
  const account = context.accounts.get(installation.owner);
  const organization = account.type === 'Organization';
  return {
    id: installation.id,
    client_id: installation.app.clientId,
    account: userJson(context, installation.owner),
    repository_selection: installation.repositories === null ? 'all' : 'selected',
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: organization
      ? `${urls.web}/organizations/${installation.owner}/settings/installations/${installation.id}`
      : `${urls.web}/settings/installations/${installation.id}`,
    app_id: installation.app.id,
    app_slug: installation.app.slug,
    target_id: account.id,
    target_type: organization ? 'Organization' : 'User',
    permissions: permissionsJson(installation),
    events: [],
    created_at: isoSeconds(installation.createdAt),
    updated_at: isoSeconds(installation.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

import type { SandboxContext } from '../../model/context.js';
import { nodeId } from './common.js';

/** GitHub's `simple-user` object. */
export function userJson(context: SandboxContext, login: string): Record<string, unknown> {
  const { urls } = context;
  const account = context.accounts.get(login);
  // GitHub escapes the brackets of bot logins: /users/dependabot%5Bbot%5D, html /apps/dependabot.
  const url = `${urls.api}/users/${encodeURIComponent(account.login)}`;
  const html =
    account.type === 'Bot'
      ? `${urls.web}/apps/${account.login.replace(/\[bot\]$/, '')}`
      : `${urls.web}/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === 'Organization' ? 'O' : 'U', account.id),
    avatar_url: `${urls.web}/avatars/u/${account.id}`,
    gravatar_id: '',
    url,
    html_url: html,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** GitHub's `team-simple`/`team` object for a team of the repository owner's organization. */
export function teamJson(
  context: SandboxContext,
  org: string,
  slug: string,
): Record<string, unknown> {
  const { urls, accounts } = context;
  const team = accounts.team(org, slug);
  const url = `${urls.api}/organizations/${accounts.get(team.org, 'Organization').id}/team/${team.id}`;
  return {
    id: team.id,
    node_id: nodeId('T', team.id),
    url,
    html_url: `${urls.web}/orgs/${team.org}/teams/${team.slug}`,
    name: team.slug,
    slug: team.slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'push',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    type: 'organization',
    parent: null,
  };
}

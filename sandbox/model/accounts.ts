import type { Urls } from './urls.js';

export type AccountType = 'User' | 'Organization' | 'Bot';

export interface Account {
  login: string;
  id: number;
  type: AccountType;
  createdAt: Date;
}

export interface Team {
  org: string;
  slug: string;
  id: number;
}

/** Users, organizations and teams, created on first mention with stable ids. */
export class Accounts {
  private readonly accounts = new Map<string, Account>();
  private readonly teams = new Map<string, Team>();
  private nextId = 1001;

  constructor(
    private readonly urls: Urls,
    private readonly now: () => Date,
  ) {}

  get(login: string, type: AccountType = 'User'): Account {
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (account === undefined) {
      const accountType: AccountType = login.endsWith('[bot]') ? 'Bot' : type;
      account = { login, id: this.nextId++, type: accountType, createdAt: this.now() };
      this.accounts.set(key, account);
    } else if (type === 'Organization' && account.type === 'User') {
      account.type = 'Organization';
    }
    return account;
  }

  team(org: string, slug: string): Team {
    const key = `${org.toLowerCase()}/${slug.toLowerCase()}`;
    let team = this.teams.get(key);
    if (team === undefined) {
      team = { org, slug, id: this.nextId++ };
      this.teams.set(key, team);
    }
    return team;
  }

  /** GitHub's `simple-user` object. */
  userJson(login: string): Record<string, unknown> {
    const account = this.get(login);
    // GitHub escapes the brackets of bot logins: /users/dependabot%5Bbot%5D, html /apps/dependabot.
    const url = `${this.urls.api}/users/${encodeURIComponent(account.login)}`;
    const html =
      account.type === 'Bot'
        ? `${this.urls.web}/apps/${account.login.replace(/\[bot\]$/, '')}`
        : `${this.urls.web}/${account.login}`;
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId(account.type === 'Organization' ? 'O' : 'U', account.id),
      avatar_url: `${this.urls.web}/avatars/u/${account.id}`,
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

  /** GitHub's `team-simple`/`team` object. */
  teamJson(team: Team): Record<string, unknown> {
    const url = `${this.urls.api}/organizations/${this.get(team.org, 'Organization').id}/team/${team.id}`;
    return {
      id: team.id,
      node_id: nodeId('T', team.id),
      url,
      html_url: `${this.urls.web}/orgs/${team.org}/teams/${team.slug}`,
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
}

/** An opaque GraphQL-style node id like GitHub's (`PR_kwDO…`). */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`sandbox:${prefix}:${id}`).toString('base64url')}`;
}

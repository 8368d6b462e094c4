import type { GitIdentity } from '../git/objects.js';
import type { Ids } from './ids.js';

type AccountType = 'User' | 'Organization' | 'Bot';

interface Account {
  login: string;
  id: number;
  type: AccountType;
  createdAt: Date;
}

interface Team {
  org: string;
  slug: string;
  id: number;
}

/** Users, organizations and teams, created on first mention with stable ids. */
export class Accounts {
  private readonly accounts = new Map<string, Account>();
  private readonly teams = new Map<string, Team>();

  constructor(
    private readonly ids: Ids,
    private readonly now: () => Date,
  ) {}

  /** The account of `login` (a bot when it ends in `[bot]`), made on first mention. */
  get(login: string, type: AccountType = 'User'): Account {
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (account === undefined) {
      const accountType: AccountType = login.endsWith('[bot]') ? 'Bot' : type;
      account = { login, id: this.ids.take('account'), type: accountType, createdAt: this.now() };
      this.accounts.set(key, account);
    } else if (type === 'Organization' && account.type === 'User') {
      account.type = 'Organization';
    }
    return account;
  }

  /** The team `slug` of organization `org`, made on first mention. */
  team(org: string, slug: string): Team {
    const key = `${org.toLowerCase()}/${slug.toLowerCase()}`;
    let team = this.teams.get(key);
    if (team === undefined) {
      team = { org, slug, id: this.ids.take('account') };
      this.teams.set(key, team);
    }
    return team;
  }

  /** The git identity GitHub gives an account in the commits it writes for it. */
  gitIdentity(login: string, date: Date): GitIdentity {
    const account = this.get(login);
    return {
      name: account.login,
      email: `${account.id}+${account.login}@users.noreply.github.com`,
      date,
    };
  }
}

import type { Accounts } from './accounts.js';
import type { Apps } from './apps.js';
import type { Clock } from './clock.js';
import type { Ids } from './ids.js';
import type { Repositories } from './repositories.js';
import type { Tokens } from './tokens.js';
import type { Urls } from './urls.js';

/** The sandbox's shared state, handed to every route and control operation. */
export interface SandboxContext {
  accounts: Accounts;
  apps: Apps;
  clock: Clock;
  ids: Ids;
  repositories: Repositories;
  tokens: Tokens;
  urls: Urls;
  /** Where merges make scratch worktrees and indexes. */
  scratchDir: string;
  /** Whether `GET /pulls?head=` still matches a PR after its head branch was deleted. */
  headFilterMatchesDeletedBranches: boolean;
  /** How long (ms) `GET /pulls` leaves a new pull request out: 0 shows it at once. */
  pullListLagMs: number;
}

/** Whether `login` may push: a token user with write access or a listed collaborator. */
export function hasWriteAccess(
  context: SandboxContext,
  collaborators: Set<string>,
  login: string,
): boolean {
  const lower = login.toLowerCase();
  if (collaborators.has(lower)) return true;
  return context.tokens
    .all()
    .some((token) => !token.readOnly && token.login.toLowerCase() === lower);
}

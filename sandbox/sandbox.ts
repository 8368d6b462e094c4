import type { AppCredentials, AppOptions, InstallationOptions } from './model/apps.js';
import type { CommitFiles } from './model/branches.js';
import type { Clock } from './model/clock.js';
import type { MergeMethod } from './git/merge.js';
import type { PreReceiveHook, RepositoryOptions, Ruleset } from './model/repositories.js';
import type { TokenOptions } from './model/tokens.js';
import type { CommitStatus } from './model/statuses.js';
import type { FaultSpec } from './server/faults.js';
import type { RequestLogEntry } from './server/request-log.js';
import type { RestObservation } from './server/rest.js';

// The sandbox as tests and scripts see it: what `startSandbox` takes and the handle it returns.

export interface SandboxOptions {
  /** Where "now" comes from (default: real time); `sandbox.clock` can also freeze and move it. */
  now?: () => Date;
  /** Default 0: a free port. */
  port?: number;
  /** The account the default token acts as (default `release-bot`). */
  login?: string;
  /**
   * Whether `GET /pulls?head=owner:branch` still matches a pull request after its head branch
   * was deleted. GitHub's does (default true, see sandbox/README.md); false lets a test prove
   * that code does not depend on it.
   */
  headFilterMatchesDeletedBranches?: boolean;
  /**
   * How long `GET /pulls` (with or without `head=`) leaves a newly created pull request out, as
   * github.com's list does for a few seconds (default 0: listed at once; see sandbox/README.md).
   */
  pullListLagMs?: number;
  /** Serve the `/_sandbox/…` control routes (the standalone server does). */
  control?: boolean;
  /** Sees every REST answer (the sandbox's own OpenAPI conformance tests use it). */
  observe?: (observation: RestObservation) => void;
  /** Serve HTTPS (`https://127.0.0.1:PORT`) with this key and certificate chain (PEM). */
  tls?: { key: string; cert: string };
}

/** A pull request as tests usually want to assert on it. */
export interface PullSummary {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
  body: string | null;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  user: string;
  labels: string[];
  draft: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  mergedAt: Date | null;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT/api/v3`: GitHub Enterprise's REST base URL. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly webUrl: string;
  /** A read-write token (account `release-bot` unless `login` was given). */
  readonly token: string;
  readonly clock: Clock;
  /** `http://127.0.0.1:PORT/<owner>/<repo>.git` */
  gitUrl(owner: string, repo: string): string;
  addToken(options?: TokenOptions): string;
  /** Registers a GitHub App; its private key signs the JWTs the App routes take. */
  createApp(options?: AppOptions): AppCredentials;
  /** Installs an app on an account (all its repositories, or some); returns the installation id. */
  installApp(appId: number, options: InstallationOptions): number;
  revokeToken(token: string): void;
  /** Sets how much of a token's hourly primary rate limit is left. */
  setRateLimit(token: string, options: { limit?: number; remaining: number }): void;
  createRepository(options: RepositoryOptions): Promise<void>;
  bareRepoPath(owner: string, repo: string): string;
  setProtectedBranches(owner: string, repo: string, branches: string[]): void;
  /** Replaces the repository's branch rulesets (GH013 refusals of pushes). */
  setRulesets(owner: string, repo: string, rulesets: Ruleset[]): void;
  /** Installs (or, with null, removes) a custom pre-receive hook, as on GitHub Enterprise Server. */
  setPreReceiveHook(owner: string, repo: string, hook: PreReceiveHook | null): void;
  /**
   * Sets branch protection's required status checks of `branch` (none: an empty list): a merge
   * into it is refused with GitHub's 405 while one of `contexts` is not `success` on the head.
   */
  setRequiredStatusChecks(owner: string, repo: string, branch: string, contexts: string[]): void;
  /** The newest commit status of each context on `sha`. */
  commitStatuses(owner: string, repo: string, sha: string): CommitStatus[];
  /** Opens a pull request as a human would (default `octocat`); returns its number. */
  createPull(
    owner: string,
    repo: string,
    options: {
      head: string;
      base: string;
      title: string;
      body?: string;
      draft?: boolean;
      by?: string;
    },
  ): Promise<number>;
  /** Merges like the merge button; returns the commit the base now points at. */
  mergePull(
    owner: string,
    repo: string,
    number: number,
    options?: { method?: MergeMethod; by?: string; commitTitle?: string; commitMessage?: string },
  ): Promise<string>;
  closePull(owner: string, repo: string, number: number, options?: { by?: string }): Promise<void>;
  reopenPull(owner: string, repo: string, number: number, options?: { by?: string }): Promise<void>;
  /**
   * Edits a pull request as a human would in the web UI (PATCH /pulls/{n}): its title, its body,
   * or its base (open PRs only, to a branch that exists; GitHub's 422 otherwise).
   */
  editPull(
    owner: string,
    repo: string,
    number: number,
    changes: { title?: string; body?: string | null; base?: string; by?: string },
  ): Promise<void>;
  /** Sets how long the pulls list leaves new pull requests out (see `pullListLagMs`). */
  setPullListLag(ms: number): void;
  pull(owner: string, repo: string, number: number): PullSummary;
  pulls(owner: string, repo: string): PullSummary[];
  /** Commits files onto a branch in the bare repository (a human's push); returns the commit. */
  commitToBranch(
    owner: string,
    repo: string,
    branch: string,
    options: CommitFiles,
  ): Promise<string>;
  /** Deletes a branch as a human would (closing open pull requests from it). */
  deleteBranch(
    owner: string,
    repo: string,
    branch: string,
    options?: { by?: string },
  ): Promise<void>;
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** Faults injected but not yet used up. */
  pendingFaults(): FaultSpec[];
  log(): RequestLogEntry[];
  clearLog(): void;
  stop(): Promise<void>;
}

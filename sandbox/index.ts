import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts } from './model/accounts.js';
import type { AppCredentials, AppOptions, InstallationOptions } from './model/apps.js';
import { Apps } from './model/apps.js';
import type { Clock } from './model/clock.js';
import { createClock } from './model/clock.js';
import type { SandboxContext } from './model/context.js';
import { createControlHandler } from './server/control.js';
import type { FaultSpec } from './server/faults.js';
import { Faults } from './server/faults.js';
import { writeHooks } from './git-http/backend.js';
import type { MergeMethod } from './git/merge.js';
import type { PullRequest } from './model/pulls.js';
import {
  accountIdentity,
  createPull,
  mergePull,
  onRefsUpdated,
  updatePull,
} from './model/pulls.js';
import type { PreReceiveHook, RepositoryOptions, Ruleset } from './model/repositories.js';
import { Repositories } from './model/repositories.js';
import type { RefUpdate, RequestLogEntry } from './server/request-log.js';
import { refDeletion, RequestLog } from './server/request-log.js';
import type { RestObservation } from './server/server.js';
import { createSandboxServer } from './server/server.js';
import type { TokenOptions } from './model/tokens.js';
import { Tokens } from './model/tokens.js';
import { createUrls } from './model/urls.js';

export type { AppCredentials, AppOptions, InstallationOptions } from './model/apps.js';
export type { Clock } from './model/clock.js';
export type { FaultKind, FaultSpec } from './server/faults.js';
export type { MergeMethod } from './git/merge.js';
export type {
  PreReceiveHook,
  RepositoryOptions,
  Ruleset,
  RulesetRule,
} from './model/repositories.js';
export type { RestObservation } from './server/server.js';
export type { GitService, RefUpdate, RequestLogEntry } from './server/request-log.js';
export type { TokenOptions } from './model/tokens.js';
export { GitHubError } from './rest/response.js';

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

export interface CommitToBranchOptions {
  /** Path → new content; null deletes the file. */
  files: Record<string, string | null>;
  message: string;
  /** Default: the branch's head (a new branch needs `parent`). */
  parent?: string;
  /** The account committing (default `octocat`). */
  by?: string;
  /**
   * The author and committer written into the commit instead of the account's noreply identity:
   * a commit made elsewhere (e.g. by a bot with its own git identity) and pushed by `by`.
   */
  identity?: { name: string; email: string };
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
    options: CommitToBranchOptions,
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

function summary(pull: PullRequest): PullSummary {
  return {
    number: pull.number,
    state: pull.state,
    merged: pull.mergedAt !== null,
    title: pull.title,
    body: pull.body,
    head: pull.headRef,
    headSha: pull.headSha,
    base: pull.baseRef,
    baseSha: pull.baseSha,
    mergeCommitSha: pull.mergeCommitSha,
    mergedBy: pull.mergedBy,
    user: pull.user,
    labels: [...pull.labels],
    draft: pull.draft,
    createdAt: pull.createdAt,
    updatedAt: pull.updatedAt,
    closedAt: pull.closedAt,
    mergedAt: pull.mergedAt,
  };
}

/** Starts a GitHub sandbox on 127.0.0.1 (see sandbox/README.md). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const root = mkdtempSync(join(tmpdir(), 'bosh-release-pr-sandbox-'));
  const reposDir = join(root, 'repos');
  const hooksDir = join(root, 'hooks');
  const scratchDir = join(root, 'scratch');
  mkdirSync(reposDir);
  mkdirSync(scratchDir);
  writeHooks(hooksDir);

  const clock = createClock(options.now);
  const now = (): Date => clock.now();
  // The URLs are known once the port is: fill them in place after listen().
  const urls = createUrls('http://127.0.0.1:0');
  const accounts = new Accounts(urls, now);
  const tokens = new Tokens(now);
  const repositories = new Repositories(reposDir, hooksDir, accounts, now);
  const apps = new Apps(accounts, tokens, urls, now);
  const context: SandboxContext = {
    accounts,
    apps,
    clock,
    repositories,
    tokens,
    urls,
    scratchDir,
    headFilterMatchesDeletedBranches: options.headFilterMatchesDeletedBranches ?? true,
    pullListLagMs: options.pullListLagMs ?? 0,
  };
  const log = new RequestLog();
  const faults = new Faults();
  const defaultToken = tokens.add({ login: options.login ?? 'release-bot' });

  const requireRepository = (owner: string, repo: string) => {
    const repository = repositories.find(owner, repo);
    if (repository === undefined) throw new Error(`no repository ${owner}/${repo} in the sandbox`);
    return repository;
  };
  const requirePull = (owner: string, repo: string, number: number) => {
    const repository = requireRepository(owner, repo);
    const pull = repository.pulls.get(number);
    if (pull === undefined) throw new Error(`no pull request ${owner}/${repo}#${number}`);
    return { repository, pull };
  };

  const holder: { sandbox?: Sandbox } = {};
  const current = (): Sandbox => {
    if (holder.sandbox === undefined) throw new Error('the sandbox is starting');
    return holder.sandbox;
  };
  const server = createSandboxServer({
    context,
    log,
    faults,
    control: options.control === true ? createControlHandler(current) : undefined,
    observe: options.observe,
    tls: options.tls,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  Object.assign(urls, createUrls(`${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`));

  const sandbox: Sandbox = {
    apiUrl: urls.api,
    webUrl: urls.web,
    token: defaultToken.value,
    clock,
    gitUrl: (owner, repo) => `${urls.web}/${owner}/${repo}.git`,
    addToken: (tokenOptions) => tokens.add(tokenOptions).value,
    revokeToken: (token) => tokens.revoke(token),
    createApp: (appOptions) => apps.create(appOptions),
    installApp: (appId, installOptions) => apps.install(appId, installOptions),
    setRateLimit(token, { limit, remaining }) {
      const found = tokens.find(token);
      if (found === undefined) throw new Error('unknown token');
      const window = tokens.window(found);
      if (limit !== undefined) window.limit = limit;
      window.used = Math.max(window.limit - remaining, 0);
    },
    async createRepository(repositoryOptions) {
      await repositories.create(repositoryOptions);
    },
    bareRepoPath: (owner, repo) => requireRepository(owner, repo).path,
    setProtectedBranches(owner, repo, branches) {
      requireRepository(owner, repo).protectedBranches = new Set(branches);
    },
    setRulesets(owner, repo, rulesets) {
      requireRepository(owner, repo).rulesets = rulesets;
    },
    setPreReceiveHook(owner, repo, hook) {
      requireRepository(owner, repo).preReceiveHook = hook;
    },
    async createPull(owner, repo, pullOptions) {
      const repository = requireRepository(owner, repo);
      return repository.exclusive(async () => {
        const pull = await createPull(context, repository, {
          title: pullOptions.title,
          body: pullOptions.body ?? null,
          head: pullOptions.head,
          base: pullOptions.base,
          draft: pullOptions.draft ?? false,
          user: pullOptions.by ?? 'octocat',
        });
        return pull.number;
      });
    },
    async mergePull(owner, repo, number, mergeOptions = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      const result = await repository.exclusive(() =>
        mergePull(context, repository, pull, {
          method: mergeOptions.method ?? 'merge',
          by: mergeOptions.by ?? 'octocat',
          commitTitle: mergeOptions.commitTitle,
          commitMessage: mergeOptions.commitMessage,
        }),
      );
      return result.sha;
    },
    async closePull(owner, repo, number, closeOptions = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      await repository.exclusive(() =>
        updatePull(context, repository, pull, { state: 'closed' }, closeOptions.by ?? 'octocat'),
      );
    },
    async reopenPull(owner, repo, number, reopenOptions = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      await repository.exclusive(() =>
        updatePull(context, repository, pull, { state: 'open' }, reopenOptions.by ?? 'octocat'),
      );
    },
    async editPull(owner, repo, number, { by, ...changes }) {
      const { repository, pull } = requirePull(owner, repo, number);
      await repository.exclusive(() =>
        updatePull(context, repository, pull, changes, by ?? 'octocat'),
      );
    },
    setPullListLag(ms) {
      context.pullListLagMs = ms;
    },
    pull: (owner, repo, number) => summary(requirePull(owner, repo, number).pull),
    pulls: (owner, repo) =>
      [...requireRepository(owner, repo).pulls.values()]
        .map(summary)
        .sort((a, b) => a.number - b.number),
    async commitToBranch(owner, repo, branch, commitOptions) {
      const repository = requireRepository(owner, repo);
      const ref = `refs/heads/${branch}`;
      return repository.exclusive(async () => {
        const git = repository.git;
        const old = await git.refSha(ref);
        const parent = commitOptions.parent ?? old;
        if (parent === null) throw new Error(`${branch} does not exist: give a parent`);
        const index = join(
          scratchDir,
          `commit-${Date.now()}-${Math.random().toString(36).slice(2)}.index`,
        );
        const tree = await git.writeTree(parent, commitOptions.files, index);
        rmSync(index, { force: true });
        const identity =
          commitOptions.identity === undefined
            ? accountIdentity(context, commitOptions.by ?? 'octocat')
            : { ...commitOptions.identity, date: context.clock.now() };
        const sha = await git.commitTree({
          tree,
          parents: [parent],
          message: `${commitOptions.message.replace(/\n*$/, '')}\n`,
          author: identity,
          committer: identity,
        });
        if (!(await git.updateRef(ref, sha, old)))
          throw new Error(`${branch} moved during the commit`);
        const update: RefUpdate = {
          ref,
          oldSha: old,
          newSha: sha,
          forced: old !== null && !(await git.isAncestor(old, sha)),
          created: old === null,
          deleted: false,
        };
        await onRefsUpdated(context, repository, [update], commitOptions.by ?? 'octocat');
        return sha;
      });
    },
    async deleteBranch(owner, repo, branch, deleteOptions = {}) {
      const repository = requireRepository(owner, repo);
      const ref = `refs/heads/${branch}`;
      await repository.exclusive(async () => {
        const old = await repository.git.refSha(ref);
        if (old === null) throw new Error(`${branch} does not exist`);
        await repository.git.deleteRef(ref, old);
        const update = refDeletion(ref, old);
        await onRefsUpdated(context, repository, [update], deleteOptions.by ?? 'octocat');
      });
    },
    injectFault: (spec) => faults.inject(spec),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    log: () => log.all(),
    clearLog: () => log.clear(),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(root, { recursive: true, force: true });
    },
  };
  holder.sandbox = sandbox;
  return sandbox;
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHooks } from './git-http/hooks.js';
import { Accounts } from './model/accounts.js';
import { Apps } from './model/apps.js';
import { commitFiles, deleteBranch } from './model/branches.js';
import { createClock } from './model/clock.js';
import type { SandboxContext } from './model/context.js';
import { Ids } from './model/ids.js';
import { mergePull } from './model/merging.js';
import type { PullRequest } from './model/pull-request.js';
import { createPull, updatePull } from './model/pulls.js';
import { Repositories } from './model/repositories.js';
import { Tokens } from './model/tokens.js';
import { createUrls } from './model/urls.js';
import type { PullSummary, Sandbox, SandboxOptions } from './sandbox.js';
import { latestByContext } from './model/statuses.js';
import { createControlHandler } from './server/control.js';
import { Faults } from './server/faults.js';
import { RequestLog } from './server/request-log.js';
import { createSandboxServer } from './server/server.js';

export type { AppCredentials, AppOptions, InstallationOptions } from './model/apps.js';
export type { CommitFiles as CommitToBranchOptions, RefUpdate } from './model/branches.js';
export type { Clock } from './model/clock.js';
export { GitHubError } from './model/errors.js';
export type { GitService } from './git-http/backend.js';
export type { MergeMethod } from './git/merge.js';
export type {
  PreReceiveHook,
  RepositoryOptions,
  Ruleset,
  RulesetRule,
} from './model/repositories.js';
export type { TokenOptions } from './model/tokens.js';
export type { PullSummary, Sandbox, SandboxOptions } from './sandbox.js';
export type { FaultKind, FaultSpec } from './server/faults.js';
export type { RequestLogEntry } from './server/request-log.js';
export type { RestObservation } from './server/rest.js';

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
  const ids = new Ids();
  // The URLs are known once the port is: filled in place after listen().
  const urls = createUrls('http://127.0.0.1:0');
  const accounts = new Accounts(ids, now);
  const tokens = new Tokens(ids, now);
  const context: SandboxContext = {
    accounts,
    apps: new Apps(ids, tokens, now),
    clock,
    ids,
    repositories: new Repositories(reposDir, hooksDir, accounts, ids, now),
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
    const repository = context.repositories.find(owner, repo);
    if (repository === undefined) throw new Error(`no repository ${owner}/${repo} in the sandbox`);
    return repository;
  };
  const requirePull = (owner: string, repo: string, number: number) => {
    const repository = requireRepository(owner, repo);
    const pull = repository.pulls.get(number);
    if (pull === undefined) throw new Error(`no pull request ${owner}/${repo}#${number}`);
    return { repository, pull };
  };
  /** Runs a person's action on one repository, after whatever else is running on it. */
  const asPerson = async <T>(owner: string, repo: string, action: () => Promise<T>): Promise<T> =>
    requireRepository(owner, repo).exclusive(action);

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
    createApp: (appOptions) => context.apps.create(appOptions),
    installApp: (appId, installOptions) => context.apps.install(appId, installOptions),
    setRateLimit(token, { limit, remaining }) {
      const found = tokens.find(token);
      if (found === undefined) throw new Error('unknown token');
      const window = tokens.window(found);
      if (limit !== undefined) window.limit = limit;
      window.used = Math.max(window.limit - remaining, 0);
    },
    async createRepository(repositoryOptions) {
      await context.repositories.create(repositoryOptions);
    },
    bareRepoPath: (owner, repo) => requireRepository(owner, repo).path,
    setProtectedBranches(owner, repo, branches) {
      requireRepository(owner, repo).protectedBranches = new Set(branches);
    },
    setRulesets(owner, repo, rulesets) {
      requireRepository(owner, repo).rulesets = rulesets;
    },
    setRequiredStatusChecks(owner, repo, branch, contexts) {
      requireRepository(owner, repo).requiredStatusChecks.set(branch, [...contexts]);
    },
    commitStatuses: (owner, repo, sha) => latestByContext(requireRepository(owner, repo), sha),
    setPreReceiveHook(owner, repo, hook) {
      requireRepository(owner, repo).preReceiveHook = hook;
    },
    createPull: (owner, repo, { by, ...pull }) =>
      asPerson(owner, repo, async () => {
        const created = await createPull(context, requireRepository(owner, repo), {
          ...pull,
          body: pull.body ?? null,
          draft: pull.draft ?? false,
          user: by ?? 'octocat',
        });
        return created.number;
      }),
    async mergePull(owner, repo, number, mergeOptions = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      return asPerson(owner, repo, async () => {
        const merged = await mergePull(context, repository, pull, {
          method: mergeOptions.method ?? 'merge',
          by: mergeOptions.by ?? 'octocat',
          commitTitle: mergeOptions.commitTitle,
          commitMessage: mergeOptions.commitMessage,
        });
        return merged.sha;
      });
    },
    async closePull(owner, repo, number, { by } = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      return asPerson(owner, repo, () =>
        updatePull(context, repository, pull, { state: 'closed' }, by ?? 'octocat'),
      );
    },
    async reopenPull(owner, repo, number, { by } = {}) {
      const { repository, pull } = requirePull(owner, repo, number);
      return asPerson(owner, repo, () =>
        updatePull(context, repository, pull, { state: 'open' }, by ?? 'octocat'),
      );
    },
    async editPull(owner, repo, number, { by, ...changes }) {
      const { repository, pull } = requirePull(owner, repo, number);
      return asPerson(owner, repo, () =>
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
    commitToBranch: (owner, repo, branch, commit) =>
      asPerson(owner, repo, () =>
        commitFiles(context, requireRepository(owner, repo), branch, commit),
      ),
    deleteBranch: (owner, repo, branch, { by } = {}) =>
      asPerson(owner, repo, () =>
        deleteBranch(context, requireRepository(owner, repo), branch, by ?? 'octocat'),
      ),
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

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BareRepo } from '../git/bare-repo.js';
import { commitDirectory, createBareRepo, importBranches, isGitRepository } from '../git/create.js';
import type { Accounts } from './accounts.js';
import type { Ids } from './ids.js';
import type { IssueComment } from './issues.js';
import type { PullRequest } from './pull-request.js';
import type { CommitStatus } from './statuses.js';

export interface RepositoryOptions {
  owner: string;
  repo: string;
  /** A git bundle to import branches from. */
  bundle?: string;
  /** A git repository to import branches from, or a plain directory committed as one commit. */
  directory?: string;
  /** Default `main`. */
  defaultBranch?: string;
  /** Which branches of the bundle or repository to import (default: all). */
  branches?: string[];
  /** Branches that refuse pushes and ref API updates, like GitHub's protected branches. */
  protectedBranches?: string[];
  /** Branch rulesets: a push that breaks one of their rules is refused with GH013. */
  rulesets?: Ruleset[];
  /**
   * Branch protection's required status checks: branch → the contexts that must be `success` on
   * a pull request's head before it merges into that branch.
   */
  requiredStatusChecks?: Record<string, string[]>;
  /** A custom pre-receive hook (GitHub Enterprise Server): refuses pushes to matching branches. */
  preReceiveHook?: PreReceiveHook;
  /** Users who may be requested as reviewers or assigned (besides token users). */
  collaborators?: string[];
  /** Team slugs of the owner organization that have access (for team reviewers). */
  teams?: string[];
  /** GitHub's "Automatically delete head branches" setting. */
  deleteBranchOnMerge?: boolean;
  allowMergeCommit?: boolean;
  allowSquashMerge?: boolean;
  allowRebaseMerge?: boolean;
  private?: boolean;
  description?: string;
}

/**
 * The rules of GitHub's rulesets that a push to a branch can break, by their REST names
 * (https://docs.github.com/rest/repos/rules): `creation` (restrict creations), `update`
 * (restrict updates), `non_fast_forward` (block force pushes), `required_signatures` and
 * `pull_request` (require a pull request before merging).
 */
export type RulesetRule =
  'creation' | 'update' | 'non_fast_forward' | 'required_signatures' | 'pull_request';

/** A branch ruleset: which branches it targets and the rules it enforces there. */
export interface Ruleset {
  name: string;
  /**
   * Branch name patterns, GitHub's `ref_name.include` without `refs/heads/`: fnmatch, where `*`
   * stops at `/` and `**` does not (`bosh-release-pr/**`), or `~ALL`, `~DEFAULT_BRANCH`.
   */
  branches: string[];
  rules: RulesetRule[];
}

/** A custom pre-receive hook: what it prints when it refuses a push to one of `branches`. */
export interface PreReceiveHook {
  /** Branch name patterns as in a ruleset. */
  branches: string[];
  message: string;
}

interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/** One repository: a bare git repository on disk plus what GitHub keeps beside it. */
export class Repository {
  readonly git: BareRepo;
  readonly labels = new Map<string, Label>();
  readonly pulls = new Map<number, PullRequest>();
  readonly comments: IssueComment[] = [];
  /** Commit statuses by full sha, oldest first. */
  readonly statuses = new Map<string, CommitStatus[]>();
  /** Branch → the status contexts branch protection requires before a merge into it. */
  requiredStatusChecks: Map<string, string[]>;
  /** Test merges by `base:head` (they depend on the two commits only). */
  readonly testMerges = new Map<string, string | null>();
  protectedBranches: Set<string>;
  rulesets: Ruleset[];
  preReceiveHook: PreReceiveHook | null;
  collaborators: Set<string>;
  teams: Set<string>;
  deleteBranchOnMerge: boolean;
  allowMergeCommit: boolean;
  allowSquashMerge: boolean;
  allowRebaseMerge: boolean;
  pushedAt: Date;
  updatedAt: Date;
  /** Issue and pull request numbers share one sequence, as on GitHub. */
  nextNumber = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    readonly path: string,
    public defaultBranch: string,
    readonly isPrivate: boolean,
    readonly description: string | null,
    readonly createdAt: Date,
    options: RepositoryOptions,
  ) {
    this.git = new BareRepo(path);
    this.protectedBranches = new Set(options.protectedBranches ?? []);
    this.rulesets = options.rulesets ?? [];
    this.requiredStatusChecks = new Map(Object.entries(options.requiredStatusChecks ?? {}));
    this.preReceiveHook = options.preReceiveHook ?? null;
    this.collaborators = new Set((options.collaborators ?? []).map((login) => login.toLowerCase()));
    this.teams = new Set((options.teams ?? []).map((slug) => slug.toLowerCase()));
    this.deleteBranchOnMerge = options.deleteBranchOnMerge ?? false;
    this.allowMergeCommit = options.allowMergeCommit ?? true;
    this.allowSquashMerge = options.allowSquashMerge ?? true;
    this.allowRebaseMerge = options.allowRebaseMerge ?? true;
    this.pushedAt = createdAt;
    this.updatedAt = createdAt;
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  isProtected(ref: string): boolean {
    return ref.startsWith('refs/heads/') && this.protectedBranches.has(ref.slice(11));
  }

  /** Runs `task` after every earlier task on this repository: GitHub serialises these too. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** All repositories, bare on disk under one root (`<root>/<owner>/<repo>.git`). */
export class Repositories {
  private readonly byName = new Map<string, Repository>();

  constructor(
    readonly root: string,
    private readonly hooksDir: string,
    private readonly accounts: Accounts,
    private readonly ids: Ids,
    private readonly now: () => Date,
  ) {}

  find(owner: string, repo: string): Repository | undefined {
    return this.byName.get(`${owner}/${repo}`.toLowerCase());
  }

  byId(id: number): Repository | undefined {
    return [...this.byName.values()].find((repository) => repository.id === id);
  }

  all(): Repository[] {
    return [...this.byName.values()];
  }

  async create(options: RepositoryOptions): Promise<Repository> {
    const { owner, repo } = options;
    if (!/^[A-Za-z0-9-]+$/.test(owner) || !/^[A-Za-z0-9._-]+$/.test(repo)) {
      throw new Error(`invalid repository name ${owner}/${repo}`);
    }
    if (this.find(owner, repo) !== undefined) throw new Error(`${owner}/${repo} already exists`);
    const defaultBranch = options.defaultBranch ?? 'main';
    const path = join(this.root, owner.toLowerCase(), `${repo.toLowerCase()}.git`);
    mkdirSync(join(this.root, owner.toLowerCase()), { recursive: true });
    const git = await createBareRepo(path, { defaultBranch, hooksDir: this.hooksDir });
    const date = this.now();
    if (options.bundle !== undefined) {
      await importBranches(git, resolve(options.bundle), options.branches);
    } else if (options.directory !== undefined) {
      const directory = resolve(options.directory);
      if (isGitRepository(directory)) {
        await importBranches(git, directory, options.branches);
      } else {
        const identity = { name: 'Sandbox', email: 'sandbox@example.com', date };
        await commitDirectory(git, directory, defaultBranch, identity);
      }
    }
    if (
      (await git.refSha(`refs/heads/${defaultBranch}`)) === null &&
      (options.bundle ?? options.directory) !== undefined
    ) {
      throw new Error(`${owner}/${repo}: the import has no branch ${defaultBranch}`);
    }

    this.accounts.get(owner, 'Organization');
    const repository = new Repository(
      this.ids.take('repository'),
      owner,
      repo,
      path,
      defaultBranch,
      options.private ?? true,
      options.description ?? null,
      date,
      options,
    );
    this.byName.set(`${owner}/${repo}`.toLowerCase(), repository);
    return repository;
  }
}

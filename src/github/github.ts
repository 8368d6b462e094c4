// The GitHub seam: the operations the steps use and the data they see, in the steps' words.

/** A pull request as the steps see it. */
export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | undefined;
  mergeCommitSha: string | undefined;
  headRef: string;
  headSha: string;
  baseRef: string;
  htmlUrl: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  draft: boolean;
}

interface RepositoryInfo {
  defaultBranch: string;
}

/** A commit's author or committer as git records it. */
export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601. */
  date: string;
}

export interface CommitInfo {
  sha: string;
  message: string;
  parents: string[];
  /** Committer date, ISO 8601. */
  date: string;
  author?: GitPerson | undefined;
  committer?: GitPerson | undefined;
}

/** What `base...head` compares to (GET /compare): the commits `head` has over the merge base. */
export interface Comparison {
  status: 'diverged' | 'ahead' | 'behind' | 'identical';
  aheadBy: number;
  behindBy: number;
  /** Oldest first; at most 250 (GitHub's limit), see `aheadBy` for the count. */
  commits: CommitInfo[];
  /** Files changed from the merge base to `head` (at most 300, GitHub's limit). */
  files: Array<{ filename: string; status: string; additions: number; deletions: number }>;
}

export interface PullFilter {
  head: string;
  /** Absent: PRs from `head` into any base. */
  base?: string | undefined;
  state: 'open' | 'closed' | 'all';
  sort?: 'created' | 'updated';
  direction?: 'asc' | 'desc';
  perPage?: number;
  page?: number;
}

/** A conditional read: either not modified since `etag`, or the new content and its ETag. */
export type Conditional<T> =
  { modified: false } | { modified: true; value: T; etag: string | undefined };

/**
 * The GitHub operations the steps use: a narrow interface, so that tests pass the real client
 * against the sandbox (or a small fake) and nothing else needs Octokit.
 *
 * One rule for callers: a method returns its answer — `undefined` where its type says something
 * may not exist — or throws a UserError (what the user fixes: credentials, permissions, rate
 * limits, a repository the token cannot see) or a GitHubError (failures.ts: what was being done,
 * and `failure`, what GitHub's answer means). Never a raw Octokit error.
 */
export interface GitHub {
  readonly owner: string;
  readonly repo: string;
  /** The repository (default branch), conditionally: check polls it. */
  getRepositoryConditional(etag: string | undefined): Promise<Conditional<RepositoryInfo>>;
  /** The newest commit on `ref` that touched `path`, or undefined. */
  lastCommitTouching(path: string, ref: string): Promise<CommitInfo | undefined>;
  /** The sha a branch points at, or undefined when there is no such branch. */
  getBranchSha(branch: string): Promise<string | undefined>;
  /**
   * Whether a tag of exactly this name exists, conditionally: the answer (the tags starting with
   * the name) does not change when branches move, so it revalidates with a free 304.
   */
  hasTagConditional(name: string, etag: string | undefined): Promise<Conditional<boolean>>;
  getCommit(sha: string): Promise<CommitInfo>;
  listPulls(filter: PullFilter): Promise<PullRequest[]>;
  /** One page of pulls, sent with If-None-Match: a 304 costs no rate limit. */
  listPullsConditional(
    filter: PullFilter,
    etag: string | undefined,
  ): Promise<Conditional<{ pulls: PullRequest[]; hasNextPage: boolean }>>;
  /** A file's text at a ref, conditionally; undefined when the file does not exist. */
  getFileConditional(
    path: string,
    ref: string,
    etag: string | undefined,
  ): Promise<Conditional<string | undefined>>;
  getPull(number: number): Promise<PullRequest>;
  /** A PR's commits, oldest first (at most 250: GitHub lists no more). */
  listPullCommits(number: number): Promise<CommitInfo[]>;
  /** `base...head`, or undefined when either names nothing (GET /compare answers 404). */
  compareCommits(base: string, head: string): Promise<Comparison | undefined>;
  createPull(options: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<PullRequest>;
  /** Rewrites a PR's title and body. */
  updatePull(number: number, text: { title: string; body: string }): Promise<PullRequest>;
  addLabels(number: number, labels: string[]): Promise<void>;
  requestReviewers(number: number, reviewers: string[], teamReviewers: string[]): Promise<void>;
  addAssignees(number: number, assignees: string[]): Promise<void>;
  /**
   * Sets a commit status on `sha` (POST /statuses/{sha}); a token without the permission is a
   * UserError that names it.
   */
  setCommitStatus(sha: string, status: CommitStatusInput): Promise<void>;
}

/** A commit status as the resource sets it. */
interface CommitStatusInput {
  state: 'pending' | 'success' | 'failure';
  context: string;
  /** At most 140 characters (GitHub's 422 otherwise). */
  description: string;
  targetUrl: string | undefined;
}

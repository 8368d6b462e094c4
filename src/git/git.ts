import type { Credential } from '../github/credential.js';

// The git seam: the operations the steps use, in the steps' words.

/** Where a repository lives and how to reach it; the token never leaves this object but for env. */
export interface GitRemote {
  url: string;
  /** A token's credential, or a GitHub App's whose tokens change; undefined: anonymous. */
  token: Credential | undefined;
  /** PEM certificates git trusts instead of its default bundle (see io/network.ts). */
  caBundle?: string | undefined;
  skipSslVerification?: boolean;
}

interface Identity {
  name: string;
  email: string;
}

/** What a lease-protected push expects the remote branch to be. */
export type Lease = { kind: 'absent' } | { kind: 'at'; sha: string };

export type PushOutcome = 'pushed' | 'lease-rejected';

/**
 * The git operations the steps use: a narrow interface, injected, so that tests run the real one
 * on real repositories. Paths come from the caller: git knows nothing of BOSH.
 *
 * One rule for callers: a method returns its answer — `undefined` or `false` where git's answer
 * is "no" — or throws a UserError (what the user fixes: credentials, certificates, a push the
 * server refuses by policy, a ref that does not exist) or a GitCommandError (failures.ts: what was
 * being done, and git's own line for why).
 */
export interface Git {
  /**
   * Fetches one commit (branch or sha) shallow, blobless and sparse into `dir`, checked out:
   * the paths of `sparse` (git's non-cone patterns). Returns its sha.
   */
  fetchCommit(options: {
    remote: GitRemote;
    ref: string;
    dir: string;
    sparse: readonly string[];
    /** History fetched (default 1); 2 lets the fetched commit itself be pushed elsewhere. */
    depth?: number;
  }): Promise<string>;
  /**
   * Fetches one commit (branch or sha) shallow and without blobs into a new repository `dir`,
   * nothing checked out: its trees, so that {@link listCommitFiles} can name the blobs to fetch.
   * Returns its sha.
   */
  fetchCommitTree(options: { remote: GitRemote; ref: string; dir: string }): Promise<string>;
  /**
   * The blob ids of the files under `paths` at a commit of a local repository that `select`
   * keeps, by path, without reading a blob; a symbolic link there is refused.
   */
  listCommitFiles(
    dir: string,
    commit: string,
    files: { paths: readonly string[]; select: (path: string) => boolean },
  ): Promise<Map<string, string>>;
  /**
   * Fetches exactly these blobs from `remote` into the repository `dir` (one fetch, as a partial
   * clone's lazy fetch) and returns their texts, in order.
   */
  fetchBlobs(options: {
    remote: GitRemote;
    dir: string;
    blobs: readonly string[];
  }): Promise<string[]>;
  /** The full sha of a commit-ish in a local repository, or undefined when it is not there. */
  resolveCommit(dir: string, commitish: string): Promise<string | undefined>;
  /**
   * The text of the files under `paths` at a commit of a local repository that `select` keeps
   * (only those are read); a symbolic link there is refused.
   */
  readCommitFiles(
    dir: string,
    commit: string,
    files: { paths: readonly string[]; select: (path: string) => boolean },
  ): Promise<Map<string, string>>;
  /**
   * Paths the work tree changes against commit `since`: tracked changes and untracked files, not
   * those .gitignore ignores unless `ignored`; under `paths` only, when given.
   */
  changedPaths(
    dir: string,
    since: string,
    options?: { paths?: readonly string[]; ignored?: boolean },
  ): Promise<string[]>;
  /** Paths that differ between two commits of a local repository. */
  pathsBetween(dir: string, from: string, to: string): Promise<string[]>;
  /** Whether commit `ancestor` is `descendant` or in its history, in a local repository. */
  isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean>;
  /**
   * The newest of the checkout's own commits (on HEAD's first-parent line, in no remote-tracking
   * branch) that changes `path`; undefined when none does.
   */
  newestOwnCommitTouching(dir: string, path: string): Promise<string | undefined>;
  /** The remote-tracking branches and tags whose history holds `commit`, newest first. */
  refsContaining(dir: string, commit: string): Promise<string[]>;
  /** Whether a local repository is a shallow clone (its history is cut off). */
  isShallow(dir: string): Promise<boolean>;
  /** Writes a commit of `files` on top of `parent` without touching any work tree. */
  commitFiles(options: {
    dir: string;
    parent: string;
    files: ReadonlyMap<string, string>;
    message: string;
    author: Identity;
  }): Promise<string>;
  /** Pushes `sha` to branch `branch` only when the remote branch matches `lease`. */
  push(options: {
    dir: string;
    remote: GitRemote;
    sha: string;
    branch: string;
    lease: Lease;
  }): Promise<PushOutcome>;
  /** The top of the work tree containing `dir`, or undefined when `dir` is not in a repository. */
  topLevel(dir: string): Promise<string | undefined>;
}

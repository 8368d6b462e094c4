import type { CommitInfo, DiffFile, GitIdentity, TreeEntry } from './objects.js';
import { identityEnv, parseCommit, parseNumstat, parseTreeEntries } from './objects.js';
import type { GitResult, GitRunOptions } from './run.js';
import { runGit, runGitRaw, ZERO_SHA } from './run.js';

/** A ref and the object it points at. */
interface RefEntry {
  ref: string;
  sha: string;
  type: string;
}

/** Plumbing over one bare repository. */
export class BareRepo {
  /** Commit ranges never change: `base..head` by object names, bounded. */
  private readonly rangeCache = new Map<string, string[]>();

  constructor(readonly path: string) {}

  git(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    return runGit(['--git-dir', this.path, ...args], options);
  }

  /** The object a revision names, or null when it names nothing. */
  async resolve(revision: string): Promise<string | null> {
    const result = await this.git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], {
      allowFailure: true,
    });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  async refSha(ref: string): Promise<string | null> {
    const result = await this.git(['rev-parse', '--verify', '--quiet', ref], {
      allowFailure: true,
    });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  async objectType(sha: string): Promise<string | null> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return null;
    const result = await this.git(['cat-file', '-t', sha], { allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.git(['merge-base', '--is-ancestor', ancestor, descendant], {
      allowFailure: true,
    });
    return result.code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const result = await this.git(['merge-base', a, b], { allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /** Commits reachable from `head` but not from `base` (both object names), oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    const key = `${base}..${head}`;
    const cached = this.rangeCache.get(key);
    if (cached !== undefined) return [...cached];
    const result = await this.git(['rev-list', '--reverse', '--topo-order', key]);
    const commits = result.stdout.split('\n').filter((line) => line !== '');
    if (this.rangeCache.size >= 1000) this.rangeCache.clear();
    this.rangeCache.set(key, commits);
    return [...commits];
  }

  /** The commits of several branches in one call (null for a branch that does not exist). */
  async branchShas(branches: string[]): Promise<Map<string, string | null>> {
    const refs = branches.map((branch) => `refs/heads/${branch}`);
    const result = await this.git(['for-each-ref', '--format=%(refname) %(objectname)', ...refs]);
    const found = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const [ref = '', sha = ''] = line.split(' ');
      if (ref !== '') found.set(ref, sha);
    }
    return new Map(branches.map((branch) => [branch, found.get(`refs/heads/${branch}`) ?? null]));
  }

  async readCommit(sha: string): Promise<CommitInfo> {
    return parseCommit(sha, (await this.git(['cat-file', 'commit', sha])).stdout);
  }

  /** Several commits in one `cat-file --batch`, in the order asked. */
  async readCommits(shas: string[]): Promise<CommitInfo[]> {
    if (shas.length === 0) return [];
    const output = (
      await runGitRaw(['--git-dir', this.path, 'cat-file', '--batch'], {
        input: `${shas.join('\n')}\n`,
      })
    ).stdout;
    const commits: CommitInfo[] = [];
    let offset = 0;
    for (const sha of shas) {
      const newline = output.indexOf(0x0a, offset);
      const header = output.subarray(offset, newline).toString('utf8').split(' ');
      if (header[1] !== 'commit') throw new Error(`${sha} is not a commit: ${header.join(' ')}`);
      const size = Number(header[2]);
      const body = output.subarray(newline + 1, newline + 1 + size).toString('utf8');
      commits.push(parseCommit(header[0] ?? sha, body));
      offset = newline + 1 + size + 1;
    }
    return commits;
  }

  /**
   * The commit a GitHub `ref`/`sha` parameter names: a branch, a tag, a full ref name or a
   * commit sha (7 to 40 hex digits), in that order of preference; null when it names none.
   * One `cat-file --batch-check` for all candidates, without git's revision syntax (`main~1`).
   */
  async resolveCommitish(name: string): Promise<string | null> {
    // What git's check-ref-format refuses anywhere in a name (control characters and space,
    // ~ ^ : ? * [ \, "..", "@{"); this also keeps the batch input one line per candidate.
    const control = [...name].some((char) => char.charCodeAt(0) <= 0x20 || char === '\x7f');
    if (name === '' || control || /[~^:?*[\\]|\.\.|@\{/.test(name)) return null;
    const candidates = [`refs/heads/${name}`, `refs/tags/${name}`];
    if (name.startsWith('refs/')) candidates.push(name);
    if (/^[0-9a-fA-F]{7,40}$/.test(name)) candidates.push(name.toLowerCase());
    const result = await this.git(['cat-file', '--batch-check'], {
      input: candidates.map((candidate) => `${candidate}^{commit}\n`).join(''),
    });
    for (const line of result.stdout.split('\n')) {
      const [sha = '', type = ''] = line.split(' ');
      if (type === 'commit') return sha;
    }
    return null;
  }

  /** The tree entry at `path` (no leading or trailing slash) in a commit, or null. */
  async treeEntry(commit: string, path: string): Promise<TreeEntry | null> {
    const result = await runGitRaw(
      ['--git-dir', this.path, 'ls-tree', '-z', '--long', commit, '--', path],
      // A path, not a pattern: `*` or `[` in a file name match only themselves.
      { env: { GIT_LITERAL_PATHSPECS: '1' } },
    );
    return parseTreeEntries(result.stdout).find((entry) => entry.path === path) ?? null;
  }

  /** The entries of a tree object, in git's order. */
  async listTree(tree: string): Promise<TreeEntry[]> {
    const result = await runGitRaw(['--git-dir', this.path, 'ls-tree', '-z', '--long', tree]);
    return parseTreeEntries(result.stdout);
  }

  async readBlob(sha: string): Promise<Buffer> {
    return (await runGitRaw(['--git-dir', this.path, 'cat-file', 'blob', sha])).stdout;
  }

  /**
   * The commits reachable from `start`, newest first, as `git log` lists them; with `path`, only
   * those that touch it, with git's default history simplification (`git log -- path`).
   */
  async revList(start: string, path?: string): Promise<string[]> {
    const args = ['rev-list', start];
    if (path !== undefined) args.push('--', path);
    const result = await this.git(args, { env: { GIT_LITERAL_PATHSPECS: '1' } });
    return result.stdout.split('\n').filter((line) => line !== '');
  }

  async listRefs(prefix = 'refs/'): Promise<RefEntry[]> {
    const result = await this.git([
      'for-each-ref',
      '--format=%(refname) %(objectname) %(objecttype)',
      prefix,
    ]);
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [ref = '', sha = '', type = ''] = line.split(' ');
        return { ref, sha, type };
      });
  }

  /**
   * Compare-and-swap of one ref, as git does it under the ref's lock: `expected` null means
   * "must not exist yet", undefined means "whatever it is". Returns false when the ref moved.
   */
  async updateRef(ref: string, sha: string, expected?: string | null): Promise<boolean> {
    const args = ['update-ref', ref, sha];
    if (expected !== undefined) args.push(expected ?? ZERO_SHA);
    const result = await this.git(args, { allowFailure: true });
    return result.code === 0;
  }

  async deleteRef(ref: string, expected?: string): Promise<boolean> {
    const args = ['update-ref', '-d', ref];
    if (expected !== undefined) args.push(expected);
    const result = await this.git(args, { allowFailure: true });
    return result.code === 0;
  }

  /** Several ref changes in one transaction (`update-ref --stdin`). */
  async updateRefs(commands: string[]): Promise<void> {
    if (commands.length === 0) return;
    await this.git(['update-ref', '--stdin'], { input: `${commands.join('\n')}\n` });
  }

  /** A three-way merge of two commits into a tree, or null when they conflict. */
  async mergeTrees(ours: string, theirs: string): Promise<string | null> {
    const result = await this.git(['merge-tree', '--write-tree', '--no-messages', ours, theirs], {
      allowFailure: true,
    });
    if (result.code === 0) return result.stdout.split('\n')[0]?.trim() ?? null;
    if (result.code === 1) return null;
    throw new Error(`git merge-tree failed: ${result.stderr.trim()}`);
  }

  async commitTree(options: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string> {
    const args = ['commit-tree', options.tree];
    for (const parent of options.parents) args.push('-p', parent);
    const result = await this.git(args, {
      input: options.message,
      env: identityEnv(options.author, options.committer),
    });
    return result.stdout.trim();
  }

  /** Files changed and lines added/removed between two commits. */
  async diffStats(
    from: string,
    to: string,
  ): Promise<{ files: number; additions: number; deletions: number }> {
    const files = parseNumstat((await this.git(['diff', '--numstat', from, to])).stdout);
    return {
      files: files.length,
      additions: files.reduce((sum, file) => sum + file.additions, 0),
      deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    };
  }

  /**
   * The files changed from `from` (a commit or tree) to commit `to`, with their status letters
   * as `--name-status --no-renames` gives them (a rename's numstat path has none).
   */
  async diffFiles(from: string, to: string): Promise<DiffFile[]> {
    const numstat = (await this.git(['diff', '--numstat', from, to])).stdout;
    const statuses = (await this.git(['diff', '--name-status', '--no-renames', from, to])).stdout;
    const statusByFile = new Map<string, string>();
    for (const line of statuses.split('\n')) {
      const [status = '', file = ''] = line.split('\t');
      if (file !== '') statusByFile.set(file, status);
    }
    return parseNumstat(numstat).map((file) => ({ ...file, status: statusByFile.get(file.path) }));
  }

  /** The blob at `path` in commit `commit`, or null when there is none. */
  async blobAt(commit: string, path: string): Promise<string | null> {
    const result = await this.git(['rev-parse', `${commit}:${path}`], { allowFailure: true });
    return result.stdout.trim() || null;
  }

  /** The tree of a commit. */
  async treeOf(commit: string): Promise<string> {
    return (await this.git(['rev-parse', `${commit}^{tree}`])).stdout.trim();
  }

  /** Whether git accepts `ref` as a ref name (`check-ref-format`). */
  async isValidRefName(ref: string): Promise<boolean> {
    return (await this.git(['check-ref-format', ref], { allowFailure: true })).code === 0;
  }

  /** The settings of a git config file stored as a blob (`<commit>:.gitmodules`); empty if none. */
  async configBlob(blob: string): Promise<Map<string, string>> {
    const result = await this.git(['config', '--blob', blob, '--list'], { allowFailure: true });
    const settings = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const equals = line.indexOf('=');
      if (equals > 0) settings.set(line.slice(0, equals), line.slice(equals + 1));
    }
    return settings;
  }

  /** Writes `files` (path → content, null deletes) over `parent`'s tree; returns the new tree. */
  async writeTree(
    parent: string | null,
    files: Record<string, string | null>,
    scratchIndex: string,
  ): Promise<string> {
    const env = { GIT_INDEX_FILE: scratchIndex };
    if (parent === null) await this.git(['read-tree', '--empty'], { env });
    else await this.git(['read-tree', parent], { env });
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        // --index-info with mode 0 removes the entry; --force-remove wants a work tree, and the
        // repository is bare.
        await this.git(['update-index', '--index-info'], {
          env,
          input: `0 ${'0'.repeat(40)}\t${path}\n`,
        });
      } else {
        const blob = (await this.git(['hash-object', '-w', '--stdin'], { input: content })).stdout;
        await this.git(['update-index', '--add', '--cacheinfo', `100644,${blob.trim()},${path}`], {
          env,
        });
      }
    }
    return (await this.git(['write-tree'], { env })).stdout.trim();
  }
}

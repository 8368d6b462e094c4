import { spawn } from 'node:child_process';

/** The all-zero object name git uses for "no such ref" in push commands and hooks. */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Resolve with the failing result instead of rejecting. */
  allowFailure?: boolean;
}

/**
 * The environment for every git process the sandbox starts: no system or global configuration,
 * no prompts, stable output, and nothing inherited from a git process that may have started
 * the tests (GIT_DIR and friends).
 */
export function isolatedGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface GitRawResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git asynchronously: the sandbox usually lives in the test's own process, where a
 * synchronous spawn would block the event loop that serves the very push git is making.
 * The output stays bytes, for blobs and `cat-file --batch` sizes.
 */
export function runGitRaw(args: string[], options: GitRunOptions = {}): Promise<GitRawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: isolatedGitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = {
        code: code ?? 1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (result.code !== 0 && options.allowFailure !== true) {
        reject(new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** `runGitRaw` with the output as text. */
export async function runGit(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  const result = await runGitRaw(args, options);
  return { ...result, stdout: result.stdout.toString('utf8') };
}

export interface GitIdentity {
  name: string;
  email: string;
  date: Date;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

export interface RefEntry {
  ref: string;
  sha: string;
  type: string;
}

/** git's `<seconds> +0000` form of a date. */
export function gitDate(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)} +0000`;
}

/** A date in GitHub's JSON form: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function identityEnv(author: GitIdentity, committer: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: gitDate(author.date),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: gitDate(committer.date),
  };
}

function parseIdentity(line: string): GitIdentity {
  const match = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (match === null) throw new Error(`unparseable git identity: ${line}`);
  return { name: match[1] ?? '', email: match[2] ?? '', date: new Date(Number(match[3]) * 1000) };
}

function parseCommit(sha: string, raw: string): CommitInfo {
  const split = raw.indexOf('\n\n');
  const header = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: GitIdentity | undefined;
  let committer: GitIdentity | undefined;
  for (const line of header.split('\n')) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseIdentity(value);
    else if (key === 'committer') committer = parseIdentity(value);
  }
  if (author === undefined || committer === undefined) {
    throw new Error(`commit ${sha} has no author or committer`);
  }
  return { sha, tree, parents, author, committer, message };
}

export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink), `040000` (tree), `160000` (submodule). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Bytes, for blobs. */
  size: number | null;
  /** As ls-tree prints it: the name, or the path when a path was asked for. */
  path: string;
}

/** `ls-tree -z --long` output: `<mode> <type> <sha> <size>\t<path>\0` per entry. */
function parseTreeEntries(output: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    const match = /^(\d+) (blob|tree|commit) ([0-9a-f]+) +(\S+)\t(.*)$/s.exec(record);
    if (match === null) continue;
    const [, mode = '', type = 'blob', sha = '', size = '-', path = ''] = match;
    entries.push({
      mode,
      type: type as TreeEntry['type'],
      sha,
      size: size === '-' ? null : Number(size),
      path,
    });
  }
  return entries;
}

/** Plumbing over one bare repository. */
export class BareRepo {
  /** Commit ranges never change: `base..head` by object names, bounded. */
  private readonly rangeCache = new Map<string, string[]>();
  private readonly testMerges = new Map<string, string | null>();

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

  /**
   * GitHub's test merge of a pull request (refs/pull/N/merge): the merge commit of `head` into
   * `base` with the message `Merge <head> into <base>`, or null when they conflict. Cached:
   * it depends on the two commits only.
   */
  async testMerge(base: string, head: string, committer: GitIdentity): Promise<string | null> {
    const key = `${base}:${head}`;
    const cached = this.testMerges.get(key);
    if (cached !== undefined) return cached;
    const tree = await this.mergeTrees(base, head);
    const sha =
      tree === null
        ? null
        : await this.commitTree({
            tree,
            parents: [base, head],
            message: `Merge ${head} into ${base}\n`,
            author: committer,
            committer,
          });
    if (this.testMerges.size >= 1000) this.testMerges.clear();
    this.testMerges.set(key, sha);
    return sha;
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
    const result = await this.git(['diff', '--numstat', from, to]);
    let files = 0;
    let additions = 0;
    let deletions = 0;
    for (const line of result.stdout.split('\n')) {
      if (line === '') continue;
      const [added = '0', removed = '0'] = line.split('\t');
      files++;
      additions += Number(added) || 0;
      deletions += Number(removed) || 0;
    }
    return { files, additions, deletions };
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

export { identityEnv };

import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { FILE_CONCURRENCY, mapConcurrent } from './concurrency.js';
import type { Credential } from './credential.js';
import { UserError } from './errors.js';
import type { Logger } from './log.js';

/** Where a repository lives and how to reach it; the token never leaves this object but for env. */
export interface GitRemote {
  url: string;
  /** A token, or a credential whose tokens change (a GitHub App's); undefined: anonymous. */
  token: string | Credential | undefined;
  /** PEM certificates git trusts instead of its default bundle (see network.ts). */
  caBundle?: string | undefined;
  skipSslVerification?: boolean;
}

export interface Identity {
  name: string;
  email: string;
}

/** What a lease-protected push expects the remote branch to be. */
export type Lease = { kind: 'absent' } | { kind: 'at'; sha: string };

export type PushOutcome = 'pushed' | 'lease-rejected';

/** The git operations the steps use (STYLE: a narrow interface, injected). */
export interface Git {
  /**
   * Fetches one commit (branch or sha) shallow, blobless and sparse into `dir`, checked out:
   * the paths of `sparse` (git's non-cone patterns; default: all the metadata). Returns its sha.
   */
  fetchMetadata(options: {
    remote: GitRemote;
    ref: string;
    dir: string;
    sparse?: readonly string[];
    /** History fetched (default 1); 2 lets the fetched commit itself be pushed elsewhere. */
    depth?: number;
  }): Promise<string>;
  /** The full sha of a commit-ish in a local repository, or undefined when it is not there. */
  resolveCommit(dir: string, commitish: string): Promise<string | undefined>;
  /** The metadata files (see METADATA_SPARSE_PATTERNS) of a commit in a local repository. */
  readCommitFiles(dir: string, commit: string): Promise<Map<string, string>>;
  /** Paths the work tree changes against `since` (tracked changes and untracked, not ignored). */
  changedPaths(dir: string, since: string): Promise<string[]>;
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

/** The metadata paths of a BOSH release repository: all a step ever needs to read. */
const METADATA_PATHS = ['.final_builds', 'releases', 'config/final.yml'];
export const METADATA_SPARSE_PATTERNS: readonly string[] = [
  '/.final_builds/',
  '/releases/',
  '/config/final.yml',
];

/** Text matched literally inside a sparse-checkout (gitignore) pattern: its wildcards escaped. */
export function escapeSparse(text: string): string {
  return text.replace(/[\\*?[]/g, (c) => `\\${c}`);
}

// Variables passed to git on purpose. simple-git strips or refuses every other GIT_* variable
// (its environment guard), which also keeps a stray GIT_DIR of the caller out.
const ALLOWED_ENV = [
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_COUNT',
  ...[0, 1, 2, 3].flatMap((i) => [`GIT_CONFIG_KEY_${i}`, `GIT_CONFIG_VALUE_${i}`]),
  'GIT_INDEX_FILE',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_SSL_CAINFO',
];

const NETWORK_ATTEMPTS = 3;
const TRANSIENT =
  /RPC failed|Connection reset|Connection refused|Empty reply|timed out|early EOF|HTTP 5\d\d|returned error: 5\d\d|unexpected disconnect|remote end hung up/i;

export interface GitOptions {
  log: Logger;
  /** Environment passed through to git (PATH, HOME, proxy variables...). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between retries of a failed fetch. */
  retryDelayMs?: number;
  /** Kill a git command that prints nothing for this long. */
  idleTimeoutMs?: number;
}

/** The real git, through simple-git. */
export function createGit(options: GitOptions): Git {
  const { log } = options;
  const baseEnv = sanitizedEnv(options.env ?? process.env);
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;

  const git = (dir: string, extraEnv: Record<string, string> = {}): SimpleGit =>
    simpleGit({
      baseDir: dir,
      allowEnvironment: ALLOWED_ENV,
      // GIT_CONFIG_COUNT carries the scoped auth header (remoteEnv) and safe.directory (trusting).
      unsafe: { allowUnsafeConfigEnvCount: true },
      timeout: { block: idleTimeoutMs },
    }).env(trusting(dir, { ...baseEnv, ...extraEnv }));

  async function withRetries<T>(what: string, action: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= NETWORK_ATTEMPTS || !TRANSIENT.test(message)) throw error;
        log.warn(`${what} failed (attempt ${attempt} of ${NETWORK_ATTEMPTS}), retrying`);
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
      }
    }
  }

  return {
    async fetchMetadata({ remote, ref, dir, sparse = METADATA_SPARSE_PATTERNS, depth = 1 }) {
      await mkdir(dir, { recursive: true });
      const quiet = (args: string[], env: Record<string, string> = {}) =>
        runGit(dir, args, { env: { ...baseEnv, ...env }, timeoutMs: idleTimeoutMs });
      await quiet(['init', '--quiet']);
      await configureSparseRemote(dir, remote.url, sparse);
      const isSha = /^[0-9a-f]{40}$/.test(ref);
      const refspec = isSha ? ref : `+refs/heads/${ref}:refs/remotes/origin/${ref}`;
      await withRetries(`fetching ${ref}`, () =>
        withRemote(remote, (env) =>
          quiet(
            [
              'fetch',
              '--quiet',
              '--no-tags',
              `--depth=${depth}`,
              '--filter=blob:none',
              'origin',
              refspec,
            ],
            env,
          ),
        ),
      ).catch((error: unknown) => {
        throw fetchError(error, ref, remote);
      });
      const sha = isSha
        ? ref
        : (await git(dir).raw(['rev-parse', `refs/remotes/origin/${ref}`])).trim();
      // The checkout lazily fetches the blobs of the sparse paths, so it needs the credentials too.
      await withRetries(`checking out ${ref}`, () =>
        withRemote(remote, (env) => quiet(['checkout', '--quiet', '--detach', sha], env)),
      );
      return sha;
    },

    async resolveCommit(dir, commitish) {
      try {
        return (
          (
            await git(dir).raw(['rev-parse', '--verify', '--quiet', `${commitish}^{commit}`])
          ).trim() || undefined
        );
      } catch {
        return undefined;
      }
    },

    async readCommitFiles(dir, commit) {
      const listing = await git(dir).raw([
        'ls-tree',
        '-r',
        '-z',
        '--full-tree',
        commit,
        '--',
        ...METADATA_PATHS,
      ]);
      const blobs: Array<{ sha: string; path: string }> = [];
      for (const line of listing.split('\0')) {
        const match = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line);
        if (match === null) continue;
        const [, mode, type, sha = '', path = ''] = match;
        if (mode === '120000') {
          throw new UserError(
            `${path} is a symbolic link at ${commit.slice(0, 7)}: release metadata must be regular files`,
          );
        }
        if (type === 'blob' && /\.ya?ml$/.test(path)) blobs.push({ sha, path });
      }
      const contents = await catBlobs(
        dir,
        blobs.map((blob) => blob.sha),
        baseEnv,
      );
      return new Map(blobs.map((blob, i) => [blob.path, contents[i] ?? '']));
    },

    async changedPaths(dir, since) {
      // Through a copy of the index: comparing the work tree refreshes the index's stat data
      // (git diff does so whatever GIT_OPTIONAL_LOCKS says), and the put writes nothing into the
      // checkout it was given, which may be another user's.
      const scratch = await mkdtemp(join(tmpdir(), 'brp-index-'));
      try {
        const index = join(scratch, 'index');
        const own = (await git(dir).raw(['rev-parse', '--git-path', 'index'])).trim();
        await copyFile(resolve(dir, own), index).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error; // no index yet: git reads none as empty
        });
        const read = git(dir, { GIT_INDEX_FILE: index });
        const tracked = await read.raw(['diff', '--name-only', '-z', '--no-renames', since, '--']);
        const untracked = await read.raw(['ls-files', '--others', '--exclude-standard', '-z']);
        const paths = [...tracked.split('\0'), ...untracked.split('\0')].filter((p) => p !== '');
        return [...new Set(paths)].sort();
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },

    async pathsBetween(dir, from, to) {
      const listing = await git(dir).raw(['diff', '--name-only', '-z', '--no-renames', from, to]);
      return listing.split('\0').filter((path) => path !== '');
    },

    async isAncestor(dir, ancestor, descendant) {
      try {
        await runGit(dir, ['merge-base', '--is-ancestor', ancestor, descendant], { env: baseEnv });
        return true;
      } catch (error) {
        // Exit 1 is "no"; anything else (an unknown commit) is an error with git's words.
        if (error instanceof GitExit && error.code === 1) return false;
        throw error;
      }
    },

    async newestOwnCommitTouching(dir, path) {
      const sha = await runGit(
        dir,
        ['rev-list', '--first-parent', '--max-count=1', 'HEAD', '--not', '--remotes', '--', path],
        { env: { ...baseEnv, GIT_LITERAL_PATHSPECS: '1' } },
      );
      return sha.toString().trim() || undefined;
    },

    async refsContaining(dir, commit) {
      const refs = await git(dir).raw([
        'for-each-ref',
        '--contains',
        commit,
        '--sort=-creatordate',
        '--format=%(refname)',
        'refs/remotes',
        'refs/tags',
      ]);
      return refs.split('\n').filter((ref) => ref !== '' && !ref.endsWith('/HEAD'));
    },

    async isShallow(dir) {
      return (await git(dir).raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    },

    async commitFiles({ dir, parent, files, message, author }) {
      // A private index seeded from the parent's tree: no work tree and no blob of the parent is
      // read, so this stays cheap in a blobless clone.
      const indexDir = join(
        tmpdir(),
        `brp-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      );
      await mkdir(indexDir, { recursive: true });
      const env = {
        GIT_INDEX_FILE: join(indexDir, 'index'),
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      try {
        const repo = git(dir, env);
        const plumbing = { env: { ...baseEnv, ...env }, timeoutMs: idleTimeoutMs };
        await runGit(dir, ['read-tree', parent], plumbing);
        const paths = [...files.keys()];
        const blobs = await writeBlobs(dir, indexDir, [...files.values()], baseEnv);
        // One update-index for every file (mode 100644 blob, tab, path: git update-index --index-info).
        await runGit(dir, ['update-index', '--add', '--index-info'], {
          ...plumbing,
          input: paths.map((path, i) => `100644 ${blobs[i] ?? ''}\t${path}\n`).join(''),
        });
        // --missing-ok: the blobs of untouched paths are not here (blobless fetch), and need not be.
        const tree = (await repo.raw(['write-tree', '--missing-ok'])).trim();
        return (await repo.raw(['commit-tree', tree, '-p', parent, '-m', message])).trim();
      } finally {
        await rm(indexDir, { recursive: true, force: true });
      }
    },

    async push({ dir, remote, sha, branch, lease }) {
      const ref = `refs/heads/${branch}`;
      const expect = lease.kind === 'absent' ? '' : lease.sha;
      const args = ['push', '--porcelain', `--force-with-lease=${ref}:${expect}`, remote.url];
      const result = await withRemote(remote, (env) =>
        runGitResult(dir, [...args, `${sha}:${ref}`], {
          env: { ...baseEnv, ...env },
          timeoutMs: idleTimeoutMs,
        }),
      );
      if (result.code === 0) return 'pushed';
      // --porcelain puts each ref's status on stdout, the remote's lines on stderr.
      const output = `${result.stdout.toString('utf8')}\n${result.stderr}`;
      const refusal = pushRefusal(output, { ref, branch, remote });
      if (refusal !== undefined) throw refusal;
      // git reports a failed lease as "stale info"; a branch created meanwhile as "fetch first"
      // or "already exists" depending on the version.
      if (
        /\[rejected\] \(stale info\)|\(fetch first\)|already exists|\(non-fast-forward\)/.test(
          output,
        )
      ) {
        return 'lease-rejected';
      }
      const certificate = certificateFailure(output, remote);
      if (certificate !== undefined) throw certificate;
      if (/returned error: 40[13]|HTTP 40[13]|Authentication failed/.test(output)) {
        throw new UserError(
          `pushing ${ref} was refused: the token needs write access to the repository's contents`,
        );
      }
      throw new Error(`pushing ${ref} to ${remote.url}`, {
        cause: new Error(`git push failed: ${output.trim()}`),
      });
    },

    async topLevel(dir) {
      try {
        return (await git(dir).raw(['rev-parse', '--show-toplevel'])).trim();
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * What `git remote add origin <url>` and `git sparse-checkout set --no-cone <patterns>` write in a
 * new repository, written directly: two git processes fewer on the path of every `in`.
 */
async function configureSparseRemote(
  dir: string,
  url: string,
  patterns: readonly string[],
): Promise<void> {
  const quoted = `"${url.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  await appendFile(
    join(dir, '.git', 'config'),
    [
      '[remote "origin"]',
      `\turl = ${quoted}`,
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      '[core]',
      '\tsparseCheckout = true',
      '\tsparseCheckoutCone = false',
      '',
    ].join('\n'),
  );
  await mkdir(join(dir, '.git', 'info'), { recursive: true });
  await writeFile(join(dir, '.git', 'info', 'sparse-checkout'), `${patterns.join('\n')}\n`);
}

/** A git command that exited non-zero; `code` tells "no" (merge-base --is-ancestor: 1) from errors. */
class GitExit extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

// Commands that print nothing, or read stdin, run directly: simple-git 4.0.2 sleeps 50 ms after
// every command without output (its completion plugin), 250 ms per fetch and one per file of a
// commit (BENCHMARKS.md), and it cannot feed stdin.
function runGit(
  dir: string,
  args: string[],
  options: { env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<Buffer> {
  return runGitResult(dir, args, options).then((result) => {
    if (result.code === 0) return result.stdout;
    throw new GitExit(`git ${args[0]} failed: ${result.stderr.trim()}`, result.code);
  });
}

interface GitResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs git; resolves with what it printed and its exit code, whatever that is. */
function runGitResult(
  dir: string,
  args: string[],
  options: { env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: dir,
      env: trusting(dir, options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let err = '';
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            err += `\ngit ${args[0]} timed out after ${options.timeoutMs} ms`;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(chunks), stderr: err });
    });
    if (options.input !== undefined && child.stdin !== null) {
      // A git that fails early closes its stdin: its exit code tells what happened, not EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

// One `git cat-file --batch` for all blobs: `<sha> blob <size>\n<content>\n` per blob.
async function catBlobs(
  dir: string,
  shas: string[],
  env: Record<string, string>,
): Promise<string[]> {
  if (shas.length === 0) return [];
  const out = await runGit(dir, ['cat-file', '--batch'], { env, input: `${shas.join('\n')}\n` });
  const contents: string[] = [];
  let offset = 0;
  for (let i = 0; i < shas.length; i++) {
    const headerEnd = out.indexOf(10, offset);
    const size = Number(out.subarray(offset, headerEnd).toString().split(' ')[2]);
    contents.push(out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return contents;
}

/**
 * Writes each text as a blob into the repository; returns their shas, in order. One
 * `git hash-object` over files in `scratch`, not one process per file (a release commits ~50).
 * --no-filters: the content is stored as is, whatever .gitattributes say (as `--stdin` does).
 */
async function writeBlobs(
  dir: string,
  scratch: string,
  texts: readonly string[],
  env: Record<string, string>,
): Promise<string[]> {
  if (texts.length === 0) return [];
  const paths = texts.map((_, i) => join(scratch, `blob-${i}`));
  await mapConcurrent(texts, FILE_CONCURRENCY, (text, i) => writeFile(paths[i] ?? '', text));
  const shas = (
    await runGit(dir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], {
      env,
      input: `${paths.join('\n')}\n`,
    })
  )
    .toString()
    .trim()
    .split('\n');
  if (shas.length !== texts.length)
    throw new Error(`git hash-object wrote ${shas.length} blobs for ${texts.length} files`);
  return shas;
}

/**
 * The token reaches git only as a command-scoped http.extraHeader in GIT_CONFIG_* variables
 * (git ≥ 2.31): never in argv, a remote URL or .git/config (DESIGN §9). The header is scoped to
 * the repository's URL so that it is not sent to any other host.
 */
export function remoteEnv(options: {
  url: string;
  token: string | undefined;
  caFile?: string;
  skipSslVerification?: boolean;
}): Record<string, string> {
  const settings: Array<[string, string]> = [];
  if (options.token !== undefined) {
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    settings.push([`http.${options.url}.extraHeader`, `Authorization: Basic ${basic}`]);
  }
  if (options.skipSslVerification === true) settings.push(['http.sslVerify', 'false']);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(settings.length) };
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (options.caFile !== undefined) env.GIT_SSL_CAINFO = options.caFile;
  return env;
}

/**
 * Runs one git command that talks to `remote`: with a token valid now and, when the remote has
 * its own CA bundle, that bundle in a file that lives only as long as the command.
 */
async function withRemote<T>(
  remote: GitRemote,
  run: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const token = typeof remote.token === 'object' ? await remote.token.current() : remote.token;
  const settings = { url: remote.url, token, skipSslVerification: remote.skipSslVerification };
  if (remote.caBundle === undefined) return run(remoteEnv(settings));
  const dir = await mkdtemp(join(tmpdir(), 'brp-ca-'));
  try {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, remote.caBundle, { mode: 0o600 });
    return await run(remoteEnv({ ...settings, caFile }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fields a user checks when a remote refuses the token. */
function credentialFields(remote: GitRemote): string {
  return typeof remote.token === 'object' ? remote.token.fields : 'source.access_token';
}

function sanitizedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.toUpperCase().startsWith('GIT_')) clean[key] = value;
  }
  // Fail instead of prompting for credentials; ignore the machine's git configuration.
  clean.GIT_TERMINAL_PROMPT = '0';
  clean.GIT_CONFIG_NOSYSTEM = '1';
  return clean;
}

// The server's reasons in git's report (`! [remote rejected] <ref> (<reason>)`) for a push it
// refuses on purpose. Never retried: the same push is refused again until something changes.
const RULESET_REFUSAL = 'push declined due to repository rule violations';
const WORKFLOW_REFUSAL =
  /refusing to allow (?:an? )?(.+?) to create or update workflow `([^`]+)` without `(\w+)` (scope|permission)/;

/**
 * A push the server refused by policy, as one line that says what to change — a protected branch
 * (GH006), a ruleset (GH013), the workflow scope or permission, a custom pre-receive hook — or
 * undefined for any other failure.
 */
function pushRefusal(
  output: string,
  target: { ref: string; branch: string; remote: GitRemote },
): UserError | undefined {
  const { ref, branch } = target;
  const reason = /\[remote rejected\][^\n]*?\((.+)\)\s*$/m.exec(output)?.[1] ?? '';
  const remoteLines = output
    .split('\n')
    .filter((line) => line.startsWith('remote: '))
    .map((line) => line.slice('remote: '.length).trim());
  const bypass =
    "set source.branch_prefix to a prefix no such ruleset targets, or add the resource's token or GitHub App to the ruleset's bypass list";
  if (/GH006|protected branch hook declined/.test(output)) {
    return new UserError(
      `pushing ${ref} was refused as a protected branch (GH006): set source.branch_prefix to a prefix outside the branch protection rules`,
    );
  }
  if (/GH013/.test(output) || reason === RULESET_REFUSAL) {
    // "remote: - <rule>" blocks, each possibly followed by indented details (the commits).
    const rules: string[] = [];
    for (const line of remoteLines) {
      if (line.startsWith('- ')) rules.push(line.slice(2));
      else if (line !== '' && rules.length > 0 && !/^(error|Review all)/.test(line)) {
        rules[rules.length - 1] += ` ${line}`;
      }
    }
    const review = /Review all repository rules at (\S+)/.exec(output)?.[1];
    const text = rules.join('; ');
    const why = /force-push/i.test(text)
      ? 'the lock branch is replaced, with a lease, once its PR was merged or closed, so the resource must be allowed to force-push it'
      : /creations? being restricted/i.test(text)
        ? 'the resource creates its lock branch'
        : /signatures/i.test(text)
          ? "the resource's commits are not signed"
          : `the resource pushes its lock branch ${branch}`;
    return new UserError(
      `pushing ${ref} was refused by a ruleset of ${repositoryName(target.remote.url)} (GH013: ${text || RULESET_REFUSAL}${review === undefined ? '' : `; see ${review}`}): ${why}: ${bypass}`,
    );
  }
  const workflow = WORKFLOW_REFUSAL.exec(reason);
  if (workflow !== null) {
    return new UserError(
      `pushing ${ref} was refused: GitHub lets no token without the workflow scope move a branch across changes to .github/workflows/ (${reason}), and the lock branch still holds a release on an older base whose workflows have changed since: delete the branch ${branch} and re-run (and turn on "Automatically delete head branches" so that merged lock branches go), or give the token the workflow scope (fine-grained tokens and GitHub Apps: the Workflows permission, read and write)`,
    );
  }
  if (reason === 'pre-receive hook declined') {
    const said = remoteLines.filter((line) => line !== '').join(' / ');
    return new UserError(
      `pushing ${ref} was declined by a pre-receive hook of ${new URL(target.remote.url).host}${said === '' ? '' : ` (${said})`}: do what the hook asks of branch ${branch}, or set source.branch_prefix to a prefix it accepts; its administrators know what it checks`,
    );
  }
  return undefined;
}

/** `owner/repo` of a git URL, for messages. */
function repositoryName(url: string): string {
  return new URL(url).pathname.replace(/^\/+/, '').replace(/\.git$/, '');
}

function fetchError(error: unknown, ref: string, remote: GitRemote): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/could not read Username|Authentication failed|returned error: 401|HTTP 401/.test(message)) {
    return new UserError(
      `fetching ${ref} from ${remote.url} was refused (401): check ${credentialFields(remote)} and that it may read the repository`,
    );
  }
  if (/returned error: 403|HTTP 403/.test(message)) {
    return new UserError(
      `fetching ${ref} from ${remote.url} was forbidden (403): give the token read access to contents`,
    );
  }
  const certificate = certificateFailure(message, remote);
  if (certificate !== undefined) return certificate;
  if (
    /couldn't find remote ref|not our ref|no such remote ref|unadvertised object/i.test(message)
  ) {
    return new UserError(`${ref} is not in ${remote.url}: check the branch or version`);
  }
  return new Error(`fetching ${ref} from ${remote.url}`, { cause: error });
}

/**
 * git's refusal of a server certificate as what to do, or undefined when `message` is no such
 * refusal. The words are curl's, and differ by TLS library and version (lib/vtls/gtls.c and
 * openssl.c, https://github.com/curl/curl): GnuTLS, which Debian's git uses, says "server
 * certificate verification failed" before curl 8.10 (bookworm), "server verification failed:
 * CAUSE" from 8.10 (trixie, the image) and "SSL certificate verification failed: CAUSE" from 8.17;
 * OpenSSL says "SSL certificate problem: CAUSE". A CA bundle that cannot be read (a worker whose
 * /etc/ssl/certs has no ca-certificates.crt) is "Problem with the SSL CA cert (path? access
 * rights?)", or OpenSSL's "error setting certificate file" / "error adding trust anchors".
 */
function certificateFailure(message: string, remote: GitRemote): UserError | undefined {
  const origin = new URL(remote.url).origin;
  const choices = 'or source.skip_ssl_verification: true';
  if (
    /Problem with the SSL CA cert|error setting certificate (file|path|verify locations)|error adding trust anchors|error reading CA cert file/i.test(
      message,
    )
  ) {
    return new UserError(
      `git found no CA certificates to check ${origin} against (the worker's /etc/ssl/certs has no ca-certificates.crt): set source.ca_certs to the PEM of the CA that issued its certificate, ${choices}`,
    );
  }
  if (
    /no alternative certificate subject name matches|certificate subject name .* does not match target host/i.test(
      message,
    )
  ) {
    return new UserError(
      `the certificate of ${origin} does not name its host (git): check source.git_url and source.github_api_url, ${choices}`,
    );
  }
  const refused =
    /(?:server verification failed|SSL certificate verification failed|SSL certificate problem): ([^.(\n]+)/i.exec(
      message,
    ) ??
    /server certificate verification failed|SSL certificate verification failed/i.exec(message);
  if (refused === null) return undefined;
  const cause = refused[1]?.trim();
  return new UserError(
    `git does not trust the certificate of ${origin}: set source.ca_certs to the PEM of the CA that issued it, ${choices}${cause === undefined ? '' : ` (${cause})`}`,
  );
}

/**
 * `env` with `dir` added to git's safe.directory for this one command. A release checkout made by
 * a task that ran as another user reaches the put owned by that user, and git (>= 2.35.2) then
 * refuses every command in it as "dubious ownership". The entry is command-scoped (GIT_CONFIG_*),
 * never written to a config file, and names only the directory the command runs in; git honours
 * it there from 2.38 (commit 6061601d9f, "safe.directory: use git_protected_config()"), before
 * which only the system and global files counted. Trusting the checkout means its .git/config
 * counts, as it does whenever the task ran as root.
 */
function trusting(dir: string, env: Record<string, string>): Record<string, string> {
  let path: string;
  try {
    path = realpathSync(dir); // git compares the physical path of the work tree
  } catch {
    path = resolve(dir);
  }
  const count = Number(env.GIT_CONFIG_COUNT ?? '0');
  return {
    ...env,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: 'safe.directory',
    [`GIT_CONFIG_VALUE_${count}`]: path,
  };
}

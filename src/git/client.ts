import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../io/log.js';
import {
  failureLine,
  fetchRefusal,
  GitCommandError,
  isLeaseRejected,
  isTransient,
  pushRefusal,
} from './failures.js';
import type { Git, GitRemote } from './git.js';
import { configureSparseRemote, credentialFields, withRemote } from './remote.js';
import { listBlobs, readBlobs, writeBlobs } from './blobs.js';
import { createRunner, succeeded, type GitOutput } from './runner.js';

const NETWORK_ATTEMPTS = 3;

/** What the real git is built from. */
interface GitOptions {
  log: Logger;
  /** Environment passed through to git (PATH, HOME, proxy variables...). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between retries of a failed fetch. */
  retryDelayMs?: number;
  /** Stop a git command that prints nothing for this long (the README's idle timeout). */
  idleTimeoutMs?: number;
}

/** The real git: every command through the one runner (runner.ts). */
export function createGit(options: GitOptions): Git {
  const { log } = options;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const run = createRunner({
    env: options.env ?? process.env,
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
  });
  const text = async (
    dir: string,
    args: readonly string[],
    env?: Record<string, string>,
  ): Promise<string> => succeeded(await run(dir, args, { env }), `git ${args[0] ?? ''}`);

  /** A command that talks to a remote, attempted again while it fails in a transient way. */
  async function remoteCommand(
    what: string,
    remote: GitRemote,
    attempt: (env: Record<string, string>) => Promise<GitOutput>,
  ): Promise<GitOutput> {
    for (let attempts = 1; ; attempts++) {
      const output = await withRemote(remote, attempt);
      if (output.exitCode === 0 || attempts >= NETWORK_ATTEMPTS || !isTransient(output.stderr)) {
        return output;
      }
      log.warn(`${what} failed (attempt ${attempts} of ${NETWORK_ATTEMPTS}), retrying`);
      await new Promise((done) => setTimeout(done, retryDelayMs * attempts));
    }
  }

  return {
    async fetchCommit({ remote, ref, dir, sparse, depth = 1 }) {
      const sha = await fetchShallow({ remote, ref, dir, depth, sparse });
      // The checkout lazily fetches the blobs of the sparse paths, so it needs the credentials too.
      const checkout = await remoteCommand(`checking out ${ref}`, remote, (env) =>
        run(dir, ['checkout', '--detach', sha], { env }),
      );
      succeeded(checkout, `checking out ${ref}`);
      return sha;
    },

    fetchCommitTree({ remote, ref, dir }) {
      return fetchShallow({ remote, ref, dir, depth: 1, sparse: undefined });
    },

    async listCommitFiles(dir, commit, files) {
      const blobs = await listBlobs(run, dir, commit, files);
      return new Map(blobs.map((blob) => [blob.path, blob.sha]));
    },

    async fetchBlobs({ remote, dir, blobs }) {
      const wanted = [...new Set(blobs)];
      if (wanted.length === 0) return [];
      // What a partial clone's lazy fetch runs (git's promisor-remote.c): the ids on stdin, no
      // negotiation. Protocol v2 serves any object a client names ("Wants can be anything and
      // are not limited to advertised objects", https://git-scm.com/docs/protocol-v2), which is
      // how GitHub serves the lazy fetches of blobless clones
      // (https://github.blog/open-source/git/get-up-to-speed-with-partial-clone-and-shallow-clone/).
      const fetched = await remoteCommand('fetching the metadata files', remote, (env) =>
        run(
          dir,
          [
            '-c',
            'fetch.negotiationAlgorithm=noop',
            'fetch',
            // A fetch by id prints nothing else, and simple-git would wait 50 ms (runner.ts).
            '--progress',
            '--no-tags',
            '--no-write-fetch-head',
            '--recurse-submodules=no',
            '--filter=blob:none',
            '--stdin',
            'origin',
          ],
          { env, input: `${wanted.join('\n')}\n` },
        ),
      );
      if (fetched.exitCode !== 0) {
        throw new GitCommandError(
          `fetching the metadata files from ${remote.url}`,
          failureLine(fetched.stderr),
        );
      }
      return readBlobs(run, dir, [...blobs]);
    },

    async resolveCommit(dir, commitish) {
      const output = await run(dir, ['rev-parse', '--verify', '--quiet', `${commitish}^{commit}`]);
      return output.exitCode === 0 ? output.stdout.toString('utf8').trim() || undefined : undefined;
    },

    async readCommitFiles(dir, commit, files) {
      const blobs = await listBlobs(run, dir, commit, files);
      const contents = await readBlobs(
        run,
        dir,
        blobs.map((blob) => blob.sha),
      );
      return new Map(blobs.map((blob, i) => [blob.path, contents[i] ?? '']));
    },

    async changedPaths(dir, since, options = {}) {
      // Through a copy of the index: comparing the work tree refreshes the index's stat data
      // (git diff does so whatever GIT_OPTIONAL_LOCKS says), and the put writes nothing into the
      // checkout it was given, which may be another user's.
      const scratch = await mkdtemp(join(tmpdir(), 'brp-index-'));
      try {
        const index = join(scratch, 'index');
        const own = (await text(dir, ['rev-parse', '--git-path', 'index'])).trim();
        await copyFile(resolve(dir, own), index).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error; // no index yet: git reads none as empty
        });
        const env = { GIT_INDEX_FILE: index, GIT_LITERAL_PATHSPECS: '1' };
        const paths = options.paths ?? [];
        const tracked = await text(
          dir,
          ['diff', '--name-only', '-z', '--no-renames', since, '--', ...paths],
          env,
        );
        const exclude = options.ignored === true ? [] : ['--exclude-standard'];
        const untracked = await text(
          dir,
          ['ls-files', '--others', ...exclude, '-z', '--', ...paths],
          env,
        );
        const changed = [...tracked.split('\0'), ...untracked.split('\0')].filter((p) => p !== '');
        return [...new Set(changed)].sort();
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },

    async pathsBetween(dir, from, to) {
      const listing = await text(dir, ['diff', '--name-only', '-z', '--no-renames', from, to]);
      return listing.split('\0').filter((path) => path !== '');
    },

    async isAncestor(dir, ancestor, descendant) {
      // Exit 1 is "no"; anything else (an unknown commit) is an error with git's words.
      const output = await run(dir, ['merge-base', '--is-ancestor', ancestor, descendant]);
      if (output.exitCode === 1) return false;
      succeeded(output, 'git merge-base');
      return true;
    },

    async newestOwnCommitTouching(dir, path) {
      const sha = await text(
        dir,
        ['rev-list', '--first-parent', '--max-count=1', 'HEAD', '--not', '--remotes', '--', path],
        { GIT_LITERAL_PATHSPECS: '1' },
      );
      return sha.trim() || undefined;
    },

    async refsContaining(dir, commit) {
      const refs = await text(dir, [
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
      return (await text(dir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    },

    async commitFiles({ dir, parent, files, message, author }) {
      // A private index seeded from the parent's tree: no work tree and no blob of the parent is
      // read, so this stays cheap in a blobless clone.
      const scratch = await mkdtemp(join(tmpdir(), 'brp-commit-'));
      const env = {
        GIT_INDEX_FILE: join(scratch, 'index'),
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      try {
        await text(dir, ['read-tree', parent], env);
        const paths = [...files.keys()];
        const blobs = await writeBlobs(run, dir, scratch, [...files.values()]);
        // One update-index for every file (mode 100644 blob, path); --verbose: see runner.ts.
        await text(
          dir,
          [
            'update-index',
            '--add',
            '--verbose',
            ...paths.flatMap((path, i) => ['--cacheinfo', `100644,${blobs[i] ?? ''},${path}`]),
          ],
          env,
        );
        // --missing-ok: the blobs of untouched paths are not here (blobless fetch), and need not be.
        const tree = (await text(dir, ['write-tree', '--missing-ok'], env)).trim();
        return (await text(dir, ['commit-tree', tree, '-p', parent, '-m', message], env)).trim();
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },

    async push({ dir, remote, sha, branch, lease }) {
      const ref = `refs/heads/${branch}`;
      const expect = lease.kind === 'absent' ? '' : lease.sha;
      // The commit's new blobs are its indexes, each a new version of one the base has: git's
      // delta search sorts an index next to its base version, and a window of 3 finds it as well
      // as the default 10, which only adds tries against unrelated indexes (one push of 50
      // rewritten 1.4 MB indexes: the same 9.2 MB pack in 2.2 s of pack-objects instead of 3.8 s;
      // BENCHMARKS.md, benchmark 6).
      const args = ['push', '--porcelain', `--force-with-lease=${ref}:${expect}`, remote.url];
      const result = await withRemote(remote, (env) =>
        run(dir, [...args, `${sha}:${ref}`], { env, config: [['pack.window', '3']] }),
      );
      if (result.exitCode === 0) return 'pushed';
      // --porcelain puts each ref's status on stdout, the remote's lines on stderr.
      const output = `${result.stdout.toString('utf8')}\n${result.stderr}`;
      const target = { ref, branch, url: remote.url };
      const refused = pushRefusal(output, target);
      if (refused?.kind === 'policy') throw refused.error;
      if (isLeaseRejected(output)) return 'lease-rejected';
      if (refused !== undefined) throw refused.error;
      throw new GitCommandError(`pushing ${ref} to ${remote.url}`, failureLine(output));
    },

    async topLevel(dir) {
      const output = await run(dir, ['rev-parse', '--show-toplevel']).catch(() => undefined);
      return output?.exitCode === 0 ? output.stdout.toString('utf8').trim() : undefined;
    },
  };

  /**
   * Fetches one commit (branch or sha) shallow and blobless into a new repository `dir`, with a
   * sparse checkout of `sparse` configured (not run) when given; returns its sha.
   */
  async function fetchShallow(options: {
    remote: GitRemote;
    ref: string;
    dir: string;
    depth: number;
    sparse: readonly string[] | undefined;
  }): Promise<string> {
    const { remote, ref, dir, depth, sparse } = options;
    await mkdir(dir, { recursive: true });
    await text(dir, ['init']);
    await configureSparseRemote(dir, remote.url, sparse);
    const isSha = /^[0-9a-f]{40}$/.test(ref);
    const refspec = isSha ? ref : `+refs/heads/${ref}:refs/remotes/origin/${ref}`;
    const fetched = await remoteCommand(`fetching ${ref}`, remote, (env) =>
      run(
        dir,
        ['fetch', '--no-tags', `--depth=${depth}`, '--filter=blob:none', 'origin', refspec],
        { env },
      ),
    );
    if (fetched.exitCode !== 0) {
      const context = { url: remote.url, credentialFields: credentialFields(remote) };
      throw (
        fetchRefusal(fetched.stderr, ref, context) ??
        new GitCommandError(`fetching ${ref} from ${remote.url}`, failureLine(fetched.stderr))
      );
    }
    return isSha ? ref : (await text(dir, ['rev-parse', `refs/remotes/origin/${ref}`])).trim();
  }
}

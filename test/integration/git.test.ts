import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createGit } from '../../src/git/client.js';
import type { GitRemote } from '../../src/git/git.js';
import { remoteEnv } from '../../src/git/remote.js';
import { fixedCredential } from '../../src/github/credential.js';
import { METADATA_SPARSE_PATTERNS } from '../../src/io/metadata-dir.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import { startSandbox } from '../../sandbox/index.js';
import { makeCertificates } from '../support/certificates.js';
import {
  EXAMPLE_BUNDLE,
  exampleBareRepo,
  releaseCheckout,
  removeDir,
  tempDir,
} from '../support/repos.js';
import { git } from '../support/git.js';

const log = createLogger({ debug: false, secrets: new SecretRegistry(), write: () => undefined });
const subject = createGit({
  log,
  env: { PATH: process.env.PATH, HOME: process.env.HOME },
  retryDelayMs: 1,
});
const author = { name: 'bosh-release-pr', email: 'bot@example.com' };

let root: string;
let bare: string;
let remote: GitRemote;

beforeAll(async () => {
  root = await tempDir('brp-git-');
  bare = await exampleBareRepo(root);
  remote = { url: `file://${bare}`, token: undefined };
});

afterAll(async () => removeDir(root));

async function blobIds(repo: string, ref: string, paths: string[]): Promise<string[]> {
  const listing = await git(repo, ['ls-tree', '-r', ref, '--', ...paths]);
  return listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(/\s+/)[2] ?? '');
}

describe('fetchCommit', () => {
  it('runs every git command without automatic maintenance, which could outlive the step', async () => {
    // A git on PATH that records the command-scoped configuration of each command it runs.
    const bin = join(root, 'recording-bin');
    const record = join(root, 'recorded-config');
    await mkdir(bin, { recursive: true });
    const realGit = join((await git(root, ['--exec-path'])).trim(), 'git');
    await writeFile(
      join(bin, 'git'),
      [
        '#!/bin/sh',
        'i=0; config=""',
        'while [ "$i" -lt "${GIT_CONFIG_COUNT:-0}" ]; do',
        '  eval "config=\\"$config \\$GIT_CONFIG_KEY_$i=\\$GIT_CONFIG_VALUE_$i\\""',
        '  i=$((i + 1))',
        'done',
        `printf '%s%s\\n' "$1" "$config" >> "${record}"`,
        `exec ${realGit} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const recorded = createGit({
      log,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME },
    });
    await recorded.fetchCommit({
      remote,
      ref: 'main',
      dir: join(root, 'fetch-no-maintenance'),
      sparse: METADATA_SPARSE_PATTERNS,
    });
    const lines = (await readFile(record, 'utf8')).trim().split('\n');
    expect(lines.some((line) => line.startsWith('fetch '))).toBe(true);
    expect(lines.some((line) => line.startsWith('checkout '))).toBe(true);
    expect(lines.every((line) => line.includes(' maintenance.auto=false'))).toBe(true);
  });

  it('checks out only the metadata paths of a branch tip', async () => {
    const dir = join(root, 'fetch-main');
    const sha = await subject.fetchCommit({
      remote,
      ref: 'main',
      dir,
      sparse: METADATA_SPARSE_PATTERNS,
    });
    expect(sha).toBe((await git(bare, ['rev-parse', 'main'])).trim());
    expect(existsSync(join(dir, 'config/final.yml'))).toBe(true);
    expect(existsSync(join(dir, 'releases/example/example-2.yml'))).toBe(true);
    expect(existsSync(join(dir, '.final_builds/packages/app/index.yml'))).toBe(true);
    expect(existsSync(join(dir, 'packages'))).toBe(false);
    expect(existsSync(join(dir, 'jobs'))).toBe(false);
    expect(await git(dir, ['rev-parse', '--is-shallow-repository'])).toBe('true\n');
    // What `git remote add` and `git sparse-checkout set --no-cone` would have configured.
    expect(await git(dir, ['remote', 'get-url', 'origin'])).toBe(`${remote.url}\n`);
    expect(await git(dir, ['sparse-checkout', 'list'])).toBe(
      '/.final_builds/\n/releases/\n/config/final.yml\n',
    );
  });

  it('configures a remote whose URL holds characters git config quotes', async () => {
    const odd = join(root, 'we"ird\\ #;name.git');
    await git(root, ['clone', '--quiet', '--bare', bare, odd]);
    await git(odd, ['config', 'uploadpack.allowFilter', 'true']);
    const dir = join(root, 'fetch-odd');
    const url = `file://${odd}`;
    const sha = await subject.fetchCommit({
      remote: { url, token: undefined },
      ref: 'main',
      dir,
      sparse: METADATA_SPARSE_PATTERNS,
    });
    expect(sha).toBe((await git(bare, ['rev-parse', 'main'])).trim());
    expect(await git(dir, ['remote', 'get-url', 'origin'])).toBe(`${url}\n`);
    expect(existsSync(join(dir, 'releases/example/index.yml'))).toBe(true);
  });

  it('fetches a commit by sha', async () => {
    const cutA = (await git(bare, ['rev-parse', 'cut-a'])).trim();
    const dir = join(root, 'fetch-sha');
    expect(
      await subject.fetchCommit({ remote, ref: cutA, dir, sparse: METADATA_SPARSE_PATTERNS }),
    ).toBe(cutA);
    expect(existsSync(join(dir, 'releases/example/example-3.yml'))).toBe(true);
  });

  it('checks out, and fetches the blobs of, only the paths of its sparse patterns', async () => {
    const dir = join(root, 'fetch-narrow');
    await subject.fetchCommit({
      remote,
      ref: 'main',
      dir,
      sparse: [
        '/config/final.yml',
        '/.final_builds/',
        '/releases/*/index.yml',
        '/releases/*/*-2.yml',
      ],
    });
    const finalBuilds = (await git(bare, ['ls-tree', '-r', '--name-only', 'main', '.final_builds']))
      .split('\n')
      .filter(Boolean);
    const expected = [
      ...finalBuilds,
      'config/final.yml',
      'releases/example/example-2.yml',
      'releases/example/index.yml',
    ].sort();
    const checkedOut = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && !relative(dir, entry.parentPath).startsWith('.git'))
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      .sort();
    expect(checkedOut).toEqual(expected);
    expect(await git(bare, ['ls-tree', '--name-only', 'main', 'releases/example/'])).toContain(
      'example-1.yml',
    );
    // The blobless fetch brought no blob; the checkout fetched exactly the ones it wrote.
    const blobs = (
      await git(dir, ['cat-file', '--batch-check', '--batch-all-objects', '--unordered'])
    )
      .split('\n')
      .filter((line) => line.includes(' blob '));
    expect(blobs).toHaveLength(new Set(await blobIds(bare, 'main', expected)).size);
  });

  it('says clearly when the branch does not exist', async () => {
    await expect(
      subject.fetchCommit({
        remote,
        ref: 'no-such-branch',
        dir: join(root, 'fetch-missing'),
        sparse: METADATA_SPARSE_PATTERNS,
      }),
    ).rejects.toThrow(/no-such-branch is not in file:/);
  });
});

describe('checkout inspection', () => {
  it('lists the paths a release cut changed, untracked files included', async () => {
    const dir = await releaseCheckout(root, 'cut-a');
    const since = await subject.resolveCommit(dir, '5f04a60');
    expect(since).toBe((await git(bare, ['rev-parse', 'main'])).trim());
    expect(await subject.changedPaths(dir, since ?? '')).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      'releases/example/example-3.yml',
      'releases/example/index.yml',
    ]);
    // Under given paths only, and with what .gitignore ignores when asked (a put judges every
    // metadata file the work tree holds, since bosh writes whatever .gitignore says).
    await mkdir(join(dir, '.final_builds/packages/kept-out'), { recursive: true });
    await writeFile(join(dir, '.final_builds/packages/kept-out/index.yml'), 'builds: {}\n');
    await writeFile(join(dir, '.gitignore'), '.final_builds/packages/kept-out/\n');
    await writeFile(join(dir, 'notes.txt'), 'not metadata\n');
    const metadata = { paths: ['config/final.yml', '.final_builds', 'releases'] };
    expect(await subject.changedPaths(dir, since ?? '', { ...metadata, ignored: true })).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      '.final_builds/packages/kept-out/index.yml',
      'releases/example/example-3.yml',
      'releases/example/index.yml',
    ]);
    expect(await subject.changedPaths(dir, since ?? '')).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      '.gitignore',
      'notes.txt',
      'releases/example/example-3.yml',
      'releases/example/index.yml',
    ]);
    expect(await subject.topLevel(join(dir, 'releases'))).toBe(dir);
    expect(await subject.topLevel(root)).toBeUndefined();
    expect(await subject.resolveCommit(dir, 'deadbee')).toBeUndefined();
  });
});

describe('where a release was cut', () => {
  it('tells ancestry, the checkout’s own commits, the refs holding a commit and shallowness', async () => {
    const dir = await releaseCheckout(root, 'cut-a', { name: 'where-cut' });
    const s = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    const parent = (await git(dir, ['rev-parse', 'HEAD^'])).trim();
    expect(await subject.isAncestor(dir, parent, s)).toBe(true);
    expect(await subject.isAncestor(dir, s, s)).toBe(true);
    expect(await subject.isAncestor(dir, s, 'origin/moved')).toBe(true);
    expect(await subject.isAncestor(dir, 'origin/cut-a', s)).toBe(false);
    await expect(subject.isAncestor(dir, 'f'.repeat(40), s)).rejects.toThrow(/merge-base/);
    expect(await subject.pathsBetween(dir, parent, s)).toEqual(
      (await git(dir, ['diff', '--name-only', parent, s])).trim().split('\n'),
    );

    // HEAD is origin/main: the checkout has no commit of its own yet.
    const index = 'releases/example/index.yml';
    expect(await subject.newestOwnCommitTouching(dir, index)).toBeUndefined();
    await git(dir, ['add', '.final_builds', 'releases']);
    await git(dir, ['commit', '--quiet', '-m', 'Final release 3']);
    const release = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    await writeFile(join(dir, 'NOTES.md'), 'after\n');
    await git(dir, ['add', 'NOTES.md']);
    await git(dir, ['commit', '--quiet', '-m', 'notes']);
    expect(await subject.newestOwnCommitTouching(dir, index)).toBe(release);
    expect(await subject.newestOwnCommitTouching(dir, 'jobs')).toBeUndefined();

    expect(await subject.refsContaining(dir, release)).toEqual([]);
    const holding = await subject.refsContaining(dir, s);
    expect([...holding].sort()).toEqual(
      ['cut-a', 'cut-b', 'cut-c', 'main', 'moved'].map((b) => `refs/remotes/origin/${b}`),
    );
    expect(await subject.isShallow(dir)).toBe(false);
    const shallow = join(root, 'where-cut-shallow');
    await git(root, ['clone', '--quiet', '--depth=1', `file://${bare}`, shallow]);
    expect(await subject.isShallow(shallow)).toBe(true);
  });
});

describe('commitFiles and push', () => {
  it('commits many files byte for byte, whatever attributes the repository sets', async () => {
    const dir = join(root, 'commit-many');
    const parent = await subject.fetchCommit({
      remote,
      ref: 'main',
      dir,
      sparse: METADATA_SPARSE_PATTERNS,
    });
    // Line-ending and filter attributes apply to paths given to git: the commit must ignore them.
    await writeFile(join(dir, '.git/info/attributes'), '* text eol=lf\n*.yml filter=nope\n');
    const files = new Map(
      Array.from({ length: 40 }, (_, i) => [
        `.final_builds/packages/p${i}/index.yml`,
        i % 2 === 0 ? `builds: {}\r\nformat-version: "2"\r\n` : `n: ${i}\n`,
      ]),
    );
    files.set('releases/example/empty.yml', '');
    const sha = await subject.commitFiles({ dir, parent, files, message: 'many', author });
    for (const [path, content] of files) {
      expect(await git(dir, ['cat-file', 'blob', `${sha}:${path}`])).toBe(content);
    }
    const changed = (await git(dir, ['diff', '--name-only', parent, sha])).split('\n');
    expect(changed.filter(Boolean).sort()).toEqual([...files.keys()].sort());
  });

  it('commits files on a parent and pushes under a lease', async () => {
    const dir = join(root, 'commit');
    const parent = await subject.fetchCommit({
      remote,
      ref: 'main',
      dir,
      sparse: METADATA_SPARSE_PATTERNS,
    });
    const files = new Map([['releases/example/note.txt', 'hello\n']]);
    const sha = await subject.commitFiles({
      dir,
      parent,
      files,
      message: 'Final release 9\n\nKey: x',
      author,
    });
    expect((await git(dir, ['rev-parse', `${sha}^`])).trim()).toBe(parent);
    expect(await git(dir, ['show', `${sha}:releases/example/note.txt`])).toBe('hello\n');
    expect(await git(dir, ['diff', '--name-only', parent, sha])).toBe(
      'releases/example/note.txt\n',
    );

    const branch = 'bosh-release-pr/main/example';
    expect(await subject.push({ dir, remote, sha, branch, lease: { kind: 'absent' } })).toBe(
      'pushed',
    );
    expect((await git(bare, ['rev-parse', branch])).trim()).toBe(sha);

    // Another writer's view: the branch must not exist, but it does now.
    const other = await subject.commitFiles({
      dir,
      parent,
      files: new Map([['x', 'y']]),
      message: 'other',
      author,
    });
    expect(await subject.push({ dir, remote, sha: other, branch, lease: { kind: 'absent' } })).toBe(
      'lease-rejected',
    );
    expect(
      await subject.push({ dir, remote, sha: other, branch, lease: { kind: 'at', sha: parent } }),
    ).toBe('lease-rejected');
    expect((await git(bare, ['rev-parse', branch])).trim()).toBe(sha);

    // Replacing with the exact current sha as the lease works, even though it is not a fast-forward.
    expect(
      await subject.push({ dir, remote, sha: other, branch, lease: { kind: 'at', sha } }),
    ).toBe('pushed');
    expect((await git(bare, ['rev-parse', branch])).trim()).toBe(other);
    expect(await readFile(join(dir, '.git/config'), 'utf8')).not.toMatch(
      /extraheader|Authorization/i,
    );
  });
});

describe('remoteEnv', () => {
  it('passes the token only as a URL-scoped extra header in GIT_CONFIG_* variables', () => {
    const env = remoteEnv({ url: 'https://github.com/acme/r.git', token: 'ghp_secret' });
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/acme/r.git.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('x-access-token:ghp_secret').toString('base64')}`,
    });
  });
});

describe('a remote over HTTPS with a private CA', () => {
  it('is refused with what to do without the CA, and fetched with it; the CA file does not outlive the command', async () => {
    const certificates = makeCertificates();
    const sandbox = await startSandbox({ tls: { key: certificates.key, cert: certificates.cert } });
    try {
      await sandbox.createRepository({
        owner: 'acme',
        repo: 'r',
        bundle: EXAMPLE_BUNDLE,
        branches: ['main'],
      });
      const https: GitRemote = {
        url: sandbox.gitUrl('acme', 'r'),
        token: fixedCredential(sandbox.token),
      };
      await expect(
        subject.fetchCommit({
          remote: https,
          ref: 'main',
          dir: join(root, 'tls-untrusted'),
          sparse: METADATA_SPARSE_PATTERNS,
        }),
      ).rejects.toThrow(
        /^git does not trust the certificate of https:\/\/127\.0\.0\.1:\d+: set source\.ca_certs/,
      );
      const tmp = join(root, 'tls-tmp');
      await mkdir(tmp);
      const withTmp = createGit({
        log,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
        retryDelayMs: 1,
      });
      const sha = await withTmp.fetchCommit({
        remote: { ...https, caBundle: certificates.ca },
        ref: 'main',
        dir: join(root, 'tls-trusted'),
        sparse: METADATA_SPARSE_PATTERNS,
      });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import { TEST_GIT_ENV, tryGit } from '../support/git.js';
import {
  appJwt,
  authedGit,
  BUNDLE,
  client,
  mustGit,
  OWNER,
  startTestSandbox,
  stopTestSandbox,
  tempDir,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;
let counter = 0;

async function freshRepo(): Promise<string> {
  const repo = `git-${++counter}`;
  await sandbox.createRepository({
    owner: OWNER,
    repo,
    bundle: BUNDLE,
    protectedBranches: ['main'],
  });
  return repo;
}

/** A working clone of `repo` made with the token as a bearer header. */
async function cloneOf(repo: string, token = sandbox.token): Promise<string> {
  const dir = join(tempDir(), 'clone');
  const result = await authedGit(token, ['clone', '--quiet', sandbox.gitUrl(OWNER, repo), dir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return dir;
}

async function commitFile(dir: string, file: string, content: string): Promise<string> {
  writeFileSync(join(dir, file), content);
  await mustGit(['add', file], { cwd: dir });
  await mustGit(['commit', '--quiet', '-m', `add ${file}`], { cwd: dir });
  return mustGit(['rev-parse', 'HEAD'], { cwd: dir });
}

function bareSha(repo: string, ref: string): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, repo), 'rev-parse', ref]);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('authentication', () => {
  test('a bearer header and Basic x-access-token both clone', async () => {
    const repo = await freshRepo();
    const dir = await cloneOf(repo);
    expect(await mustGit(['rev-parse', 'HEAD'], { cwd: dir })).toBe(await bareSha(repo, 'main'));
    const url = new URL(sandbox.gitUrl(OWNER, repo));
    url.username = 'x-access-token';
    url.password = sandbox.token;
    const basic = await tryGit(undefined, ['ls-remote', url.toString(), 'refs/heads/main']);
    expect(basic.code).toBe(0);
    expect(basic.stdout).toContain(await bareSha(repo, 'main'));
  });

  test('401 with a Basic challenge without credentials; git fails instead of prompting', async () => {
    const repo = await freshRepo();
    const response = await fetch(
      `${sandbox.gitUrl(OWNER, repo)}/info/refs?service=git-upload-pack`,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="GitHub"');
    const anonymous = await tryGit(undefined, ['ls-remote', sandbox.gitUrl(OWNER, repo)]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/could not read Username|Authentication failed/);
    const wrong = await authedGit('ghs_not-a-token', ['ls-remote', sandbox.gitUrl(OWNER, repo)]);
    expect(wrong.code).not.toBe(0);
  });

  test('a read-only token fetches but cannot push (403)', async () => {
    const repo = await freshRepo();
    const readOnly = sandbox.addToken({ readOnly: true });
    const dir = await cloneOf(repo, readOnly);
    await mustGit(['checkout', '--quiet', '-b', 'topic'], { cwd: dir });
    await commitFile(dir, 'a.txt', 'a\n');
    const push = await authedGit(readOnly, ['push', 'origin', 'topic'], { cwd: dir });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('403');
    await expect(bareSha(repo, 'refs/heads/topic')).rejects.toThrow();
    const entry = sandbox
      .log()
      .findLast((item) => item.repository === `${OWNER}/${repo}` && item.status === 403);
    expect(entry).toMatchObject({
      kind: 'git',
      gitService: 'git-receive-pack',
      tokenId: expect.any(String),
    });
  });
});

describe('pushes', () => {
  test('the protected base branch refuses pushes like GitHub (GH006)', async () => {
    const repo = await freshRepo();
    const before = await bareSha(repo, 'main');
    const dir = await cloneOf(repo);
    await commitFile(dir, 'b.txt', 'b\n');
    sandbox.clearLog();
    const push = await authedGit(sandbox.token, ['push', 'origin', 'main'], { cwd: dir });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'remote: error: GH006: Protected branch update failed for refs/heads/main.',
    );
    expect(push.stderr).toContain(
      '[remote rejected] main -> main (protected branch hook declined)',
    );
    expect(await bareSha(repo, 'main')).toBe(before);
    const pushes = sandbox
      .log()
      .filter((entry) => entry.route === 'POST /{owner}/{repo}.git/git-receive-pack');
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ write: true, refUpdates: [] });
  });

  test('deleting the default branch is refused', async () => {
    const repo = await freshRepo();
    sandbox.setProtectedBranches(OWNER, repo, []);
    const dir = await cloneOf(repo);
    const push = await authedGit(sandbox.token, ['push', 'origin', ':main'], { cwd: dir });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('refusing to delete the current branch: refs/heads/main');
  });

  test('every push is logged with its ref updates (created, forced, deleted)', async () => {
    const repo = await freshRepo();
    const dir = await cloneOf(repo);
    await mustGit(['checkout', '--quiet', '-b', 'topic'], { cwd: dir });
    const first = await commitFile(dir, 'c.txt', 'c\n');
    sandbox.clearLog();
    expect((await authedGit(sandbox.token, ['push', 'origin', 'topic'], { cwd: dir })).code).toBe(
      0,
    );
    const second = await commitFile(dir, 'd.txt', 'd\n');
    await mustGit(['reset', '--quiet', '--hard', 'HEAD~2'], { cwd: dir });
    const rewritten = await commitFile(dir, 'e.txt', 'e\n');
    expect(
      (await authedGit(sandbox.token, ['push', '--force', 'origin', 'topic'], { cwd: dir })).code,
    ).toBe(0);
    expect((await authedGit(sandbox.token, ['push', 'origin', ':topic'], { cwd: dir })).code).toBe(
      0,
    );
    const updates = sandbox
      .log()
      .filter((entry) => entry.gitService === 'git-receive-pack' && entry.method === 'POST')
      .map((entry) => entry.refUpdates);
    expect(second).not.toBe(rewritten);
    expect(updates).toEqual([
      [
        {
          ref: 'refs/heads/topic',
          oldSha: null,
          newSha: first,
          forced: false,
          created: true,
          deleted: false,
        },
      ],
      [
        {
          ref: 'refs/heads/topic',
          oldSha: first,
          newSha: rewritten,
          forced: true,
          created: false,
          deleted: false,
        },
      ],
      [
        {
          ref: 'refs/heads/topic',
          oldSha: rewritten,
          newSha: null,
          forced: false,
          created: false,
          deleted: true,
        },
      ],
    ]);
  });

  test('a push to a pull request’s head is visible through REST as soon as the push returns', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const dir = await cloneOf(repo);
    await mustGit(['checkout', '--quiet', 'cut-a'], { cwd: dir });
    const sha = await commitFile(dir, 'f.txt', 'f\n');
    expect((await authedGit(sandbox.token, ['push', 'origin', 'cut-a'], { cwd: dir })).code).toBe(
      0,
    );
    const { data } = await octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: number });
    expect(data.head.sha).toBe(sha);
  });
});

describe('rulesets, workflows and pre-receive hooks', () => {
  /** git pads the remote's lines with spaces (to clear progress output): compare without them. */
  const unpadded = (text: string) => text.replace(/ +$/gm, '');

  /** A clone with branch `topic` pushed, then rewritten locally (one new commit on main's tip). */
  async function rewrittenTopic(repo: string): Promise<string> {
    const dir = await cloneOf(repo);
    await mustGit(['checkout', '--quiet', '-b', 'topic'], { cwd: dir });
    await commitFile(dir, 'a.txt', 'a\n');
    await mustGit(['push', '--quiet', 'origin', 'topic'], {
      cwd: dir,
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Bearer ${sandbox.token}`,
      },
    });
    await mustGit(['reset', '--quiet', '--hard', 'main'], { cwd: dir });
    await commitFile(dir, 'b.txt', 'b\n');
    return dir;
  }

  test('a force push to a branch a ruleset guards is refused with GH013 and GitHub’s texts', async () => {
    const repo = await freshRepo();
    const dir = await rewrittenTopic(repo);
    sandbox.setRulesets(OWNER, repo, [
      { name: 'bots', branches: ['bot/**', 'topic'], rules: ['non_fast_forward', 'creation'] },
      { name: 'all', branches: ['~ALL'], rules: ['non_fast_forward'] },
    ]);
    const before = await bareSha(repo, 'topic');
    const push = await authedGit(sandbox.token, ['push', '--force', 'origin', 'topic'], {
      cwd: dir,
    });
    expect(push.code).not.toBe(0);
    expect(unpadded(push.stderr)).toContain(
      [
        'remote: error: GH013: Repository rule violations found for refs/heads/topic.',
        `remote: Review all repository rules at ${sandbox.webUrl}/${OWNER}/${repo}/rules?ref=refs%2Fheads%2Ftopic`,
        'remote:',
        'remote: - Cannot force-push to this branch',
        'remote:',
      ].join('\n'),
    );
    expect(push.stderr).not.toContain('creations being restricted'); // the branch exists
    expect(push.stderr).toContain(
      ' ! [remote rejected] topic -> topic (push declined due to repository rule violations)',
    );
    expect(await bareSha(repo, 'topic')).toBe(before);
    // A fast-forward and a branch outside the patterns go through.
    expect(
      (await authedGit(sandbox.token, ['push', 'origin', 'HEAD:other'], { cwd: dir })).code,
    ).toBe(0);
  });

  test('creating a branch a ruleset restricts, and unsigned commits where signatures are required', async () => {
    const repo = await freshRepo();
    sandbox.setRulesets(OWNER, repo, [
      { name: 'bots', branches: ['bot/*'], rules: ['creation'] },
      { name: 'signed', branches: ['signed/**'], rules: ['required_signatures'] },
    ]);
    const dir = await cloneOf(repo);
    const sha = await commitFile(dir, 'c.txt', 'c\n');
    const push = (branch: string) =>
      authedGit(sandbox.token, ['push', 'origin', `HEAD:refs/heads/${branch}`], { cwd: dir });
    const unsigned = await push('signed/a/b');
    expect(unpadded(unsigned.stderr)).toContain(
      [
        'remote: - Commits must have verified signatures.',
        'remote:   Found 1 violation:',
        'remote:',
        `remote:   ${sha}`,
        'remote:',
      ].join('\n'),
    );
    const create = await push('bot/x');
    expect(unpadded(create.stderr)).toContain(
      'remote: - Cannot create ref due to creations being restricted.',
    );
    expect(create.stderr).toContain('(push declined due to repository rule violations)');
    expect((await push('bot/x/y')).code).toBe(0); // `*` stops at a slash
    const refs = await mustGit([
      '--git-dir',
      sandbox.bareRepoPath(OWNER, repo),
      'for-each-ref',
      '--format=%(refname)',
    ]);
    expect(refs.split('\n').filter((ref) => /signed|bot/.test(ref))).toEqual([
      'refs/heads/bot/x/y',
    ]);
  });

  test('a token without the workflow scope may not move a branch across workflow changes', async () => {
    const repo = await freshRepo();
    const dir = await rewrittenTopic(repo);
    const human = sandbox.addToken({ login: 'octocat', workflows: true });
    // Someone with the scope changes a workflow on main, and the branch is rebuilt on it.
    await mustGit(['checkout', '--quiet', '-b', 'ci', 'main'], { cwd: dir });
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    const ci = await commitFile(dir, '.github/workflows/ci.yml', 'on: push\n');
    sandbox.setProtectedBranches(OWNER, repo, []);
    expect((await authedGit(human, ['push', 'origin', 'HEAD:main'], { cwd: dir })).code).toBe(0);
    await mustGit(['checkout', '--quiet', 'topic'], { cwd: dir });
    await mustGit(['reset', '--quiet', '--hard', ci], { cwd: dir });
    await commitFile(dir, 'f.txt', 'f\n');
    const before = await bareSha(repo, 'topic');
    const push = await authedGit(sandbox.token, ['push', '--force', 'origin', 'topic'], {
      cwd: dir,
    });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      ' ! [remote rejected] topic -> topic (refusing to allow a Personal Access Token to create or update workflow `.github/workflows/ci.yml` without `workflow` scope)',
    );
    expect(await bareSha(repo, 'topic')).toBe(before);
    // A new branch whose commits add no workflow change of their own is fine; an App's token says so in its words.
    expect(
      (await authedGit(sandbox.token, ['push', 'origin', 'HEAD:fresh'], { cwd: dir })).code,
    ).toBe(0);
    const app = sandbox.createApp();
    const installation = sandbox.installApp(app.id, { owner: OWNER });
    const { data } = await client(sandbox, {
      token: appJwt(sandbox, app),
    }).rest.apps.createInstallationAccessToken({
      installation_id: installation,
    });
    const asApp = await authedGit(data.token, ['push', '--force', 'origin', 'topic'], { cwd: dir });
    expect(asApp.stderr).toContain(
      '(refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)',
    );
    expect(
      (await authedGit(human, ['push', '--force', 'origin', 'topic'], { cwd: dir })).code,
    ).toBe(0);
  });

  test('a custom pre-receive hook declines with its own message', async () => {
    const repo = await freshRepo();
    sandbox.setPreReceiveHook(OWNER, repo, {
      branches: ['bosh-release-pr/**'],
      message: 'error: branch names must start with a JIRA key',
    });
    const dir = await cloneOf(repo);
    await commitFile(dir, 'g.txt', 'g\n');
    const push = await authedGit(
      sandbox.token,
      ['push', 'origin', 'HEAD:refs/heads/bosh-release-pr/main/x'],
      { cwd: dir },
    );
    expect(push.stderr).toContain('remote: error: branch names must start with a JIRA key');
    expect(push.stderr).toContain('(pre-receive hook declined)');
    expect(
      (await authedGit(sandbox.token, ['push', 'origin', 'HEAD:refs/heads/JIRA-1'], { cwd: dir }))
        .code,
    ).toBe(0);
  });
});

describe('leases', () => {
  test('two concurrent pushes with the same lease: exactly one wins', async () => {
    const repo = await freshRepo();
    const old = await bareSha(repo, 'cut-a');
    const [one, two] = [await cloneOf(repo), await cloneOf(repo)];
    const shas: string[] = [];
    for (const [dir, name] of [
      [one, 'one'],
      [two, 'two'],
    ] as const) {
      await mustGit(['checkout', '--quiet', 'cut-a'], { cwd: dir });
      shas.push(await commitFile(dir, `${name}.txt`, `${name}\n`));
    }
    const results = await Promise.all(
      [one, two].map((dir) =>
        authedGit(
          sandbox.token,
          ['push', `--force-with-lease=refs/heads/cut-a:${old}`, 'origin', 'HEAD:refs/heads/cut-a'],
          {
            cwd: dir,
          },
        ),
      ),
    );
    const winners = results.filter((result) => result.code === 0);
    expect(winners).toHaveLength(1);
    const winner = results[0]?.code === 0 ? shas[0] : shas[1];
    expect(await bareSha(repo, 'cut-a')).toBe(winner);
    const loser = results.find((result) => result.code !== 0);
    expect(loser?.stderr).toMatch(/stale info|failed to update ref|cannot lock ref|rejected/);
  });

  test('two concurrent create-only pushes (empty lease): exactly one creates the branch', async () => {
    const repo = await freshRepo();
    const dirs = [await cloneOf(repo), await cloneOf(repo)];
    const shas: string[] = [];
    for (const [index, dir] of dirs.entries())
      shas.push(await commitFile(dir, `lock-${index}.txt`, `${index}\n`));
    const results = await Promise.all(
      dirs.map((dir) =>
        authedGit(
          sandbox.token,
          ['push', '--force-with-lease=refs/heads/lock:', 'origin', 'HEAD:refs/heads/lock'],
          {
            cwd: dir,
          },
        ),
      ),
    );
    expect(results.filter((result) => result.code === 0)).toHaveLength(1);
    expect(shas).toContain(await bareSha(repo, 'refs/heads/lock'));
    // Afterwards a create-only lease fails for good: the branch exists.
    await commitFile(dirs[0] ?? '', 'later.txt', 'later\n');
    const again = await authedGit(
      sandbox.token,
      ['push', '--force-with-lease=refs/heads/lock:', 'origin', 'HEAD:refs/heads/lock'],
      {
        cwd: dirs[0] ?? '',
      },
    );
    expect(again.code).not.toBe(0);
  });
});

describe('fetching only the metadata', () => {
  test('a blobless, sparse, shallow fetch of any reachable commit (protocol v2)', async () => {
    const repo = await freshRepo();
    const target = await bareSha(repo, 'cut-b');
    const dir = tempDir();
    await mustGit(['init', '--quiet', dir]);
    await mustGit(['remote', 'add', 'origin', sandbox.gitUrl(OWNER, repo)], { cwd: dir });
    await mustGit(['sparse-checkout', 'set', 'releases', '.final_builds', 'config'], { cwd: dir });
    const fetched = await tryGit(
      dir,
      [
        '-c',
        `http.extraHeader=Authorization: Bearer ${sandbox.token}`,
        '-c',
        'protocol.version=2',
        'fetch',
        '--quiet',
        '--depth',
        '1',
        '--filter=blob:none',
        'origin',
        target,
      ],
      { env: { ...TEST_GIT_ENV, GIT_TRACE_PACKET: '1' } },
    );
    expect(fetched.code).toBe(0);
    // The server spoke protocol v2: it got the Git-Protocol header through the CGI.
    expect(fetched.stderr).toMatch(/git< version 2/);
    const checkout = await authedGit(sandbox.token, ['checkout', '--quiet', target], { cwd: dir });
    expect(checkout.code).toBe(0);
    expect(readFileSync(join(dir, 'releases/example/example-3.yml'), 'utf8')).toContain(
      'version: "3"',
    );
    expect(existsSync(join(dir, 'src/app/main.rb'))).toBe(false);
    // Only the sparse paths' blobs were fetched: the source blob is missing locally.
    const missing = await mustGit(['rev-list', '--objects', '--missing=print', target], {
      cwd: dir,
    });
    expect(missing).toMatch(/^\?[0-9a-f]{40}/m);
  });

  test('refs/pull/N/head is advertised but cannot be pushed', async () => {
    const repo = await freshRepo();
    await sandbox.createPull(OWNER, repo, { head: 'cut-a', base: 'main', title: 't' });
    const listed = await authedGit(sandbox.token, [
      'ls-remote',
      sandbox.gitUrl(OWNER, repo),
      'refs/pull/*',
    ]);
    expect(listed.stdout).toContain(`${await bareSha(repo, 'cut-a')}\trefs/pull/1/head`);
    const dir = await cloneOf(repo);
    const push = await authedGit(sandbox.token, ['push', 'origin', 'HEAD:refs/pull/1/head'], {
      cwd: dir,
    });
    expect(push.code).not.toBe(0);
  });
});

describe('streaming a large pack', () => {
  const PACK_BYTES = 64 * 1024 * 1024;

  /** A branch `big` on `repo` whose commit carries PACK_BYTES of incompressible data. */
  async function bigBranch(repo: string): Promise<string> {
    const bare = sandbox.bareRepoPath(OWNER, repo);
    const file = join(tempDir(), 'blob');
    // Written by another process, so that this one's memory stays what the sandbox uses.
    execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${PACK_BYTES >> 20}`], {
      stdio: 'ignore',
    });
    const blob = await mustGit(['--git-dir', bare, 'hash-object', '-w', file]);
    const tree = await mustGit(['--git-dir', bare, 'mktree'], {
      input: `100644 blob ${blob}\tblob\n`,
    });
    const commit = await mustGit(['--git-dir', bare, 'commit-tree', tree, '-m', 'big']);
    await mustGit(['--git-dir', bare, 'update-ref', 'refs/heads/big', commit]);
    // Uncompressed, the pack is ready to send at once: the test measures the sending only.
    await mustGit(['--git-dir', bare, 'config', 'pack.compression', '0']);
    return commit;
  }

  /** An upload-pack request for `sha` in protocol v0 pkt-lines (no capabilities but ofs-delta). */
  function wantBody(sha: string): string {
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    return `${pkt(`want ${sha} ofs-delta\n`)}0000${pkt('done\n')}`;
  }

  test('is read from git no faster than the client takes it', async () => {
    const repo = await freshRepo();
    const sha = await bigBranch(repo);
    const url = new URL(`${sandbox.gitUrl(OWNER, repo)}/git-upload-pack`);
    const baseline = process.memoryUsage().arrayBuffers;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sandbox.token}`,
          'content-type': 'application/x-git-upload-pack-request',
        },
      });
      req.on('response', resolve).on('error', reject);
      req.end(wantBody(sha));
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    // The client reads nothing for a while: without backpressure the whole pack would be
    // queued in the sandbox's memory meanwhile.
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }
    expect(peak).toBeLessThan(PACK_BYTES / 4);

    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise((resolve) => response.on('end', resolve).resume());
    expect(received).toBeGreaterThan(PACK_BYTES);
  }, 60_000);
});

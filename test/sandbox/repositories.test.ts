import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  BUNDLE,
  client,
  createExampleRepository,
  failure,
  mustGit,
  OWNER,
  REPO,
  startTestSandbox,
  stopTestSandbox,
  tempDir,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;

function bareSha(repo: string, ref: string): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, repo), 'rev-parse', ref]);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ now: () => new Date('2025-03-04T05:06:07Z') });
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('repositories', () => {
  test('GET /repos/{owner}/{repo} has the settings the resource reads', async () => {
    const { data } = await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(data).toMatchObject({
      full_name: `${OWNER}/${REPO}`,
      default_branch: 'main',
      delete_branch_on_merge: false,
      private: true,
      owner: { login: OWNER, type: 'Organization' },
      clone_url: sandbox.gitUrl(OWNER, REPO),
      html_url: `${sandbox.webUrl}/${OWNER}/${REPO}`,
      created_at: '2025-03-04T05:06:07Z',
    });
    // Names are case-insensitive, as on GitHub.
    expect((await octokit.rest.repos.get({ owner: 'ACME', repo: 'Example-Release' })).data.id).toBe(
      data.id,
    );
  });

  test('a bundle can be imported partially, with another default branch', async () => {
    await sandbox.createRepository({
      owner: OWNER,
      repo: 'partial',
      bundle: BUNDLE,
      branches: ['moved'],
      defaultBranch: 'moved',
    });
    const refs = await octokit.rest.git.listMatchingRefs({
      owner: OWNER,
      repo: 'partial',
      ref: 'heads/',
    });
    expect(refs.data.map((ref) => ref.ref)).toEqual(['refs/heads/moved']);
    expect(
      (await octokit.rest.repos.get({ owner: OWNER, repo: 'partial' })).data.default_branch,
    ).toBe('moved');
  });

  test('a plain directory becomes a one-commit repository; a git directory is imported', async () => {
    const plain = tempDir();
    mkdirSync(join(plain, 'config'));
    writeFileSync(join(plain, 'config/final.yml'), 'name: demo\n');
    await sandbox.createRepository({ owner: OWNER, repo: 'plain', directory: plain });
    const { data: commit } = await octokit.rest.repos.getCommit({
      owner: OWNER,
      repo: 'plain',
      ref: 'main',
    });
    expect(commit.files?.map((file) => file.filename)).toEqual(['config/final.yml']);
    expect(commit.parents).toEqual([]);

    const working = tempDir();
    await mustGit(['clone', '--quiet', BUNDLE, working]);
    await mustGit(['checkout', '--quiet', '-b', 'extra'], { cwd: working });
    await sandbox.createRepository({
      owner: OWNER,
      repo: 'from-git',
      directory: working,
      branches: ['main', 'extra'],
    });
    expect(await bareSha('from-git', 'extra')).toBe(await bareSha(REPO, 'main'));
  });
});

describe('branches and commits', () => {
  test('GET a branch: its commit and whether it is protected', async () => {
    const { data: main } = await octokit.rest.repos.getBranch({
      owner: OWNER,
      repo: REPO,
      branch: 'main',
    });
    expect(main).toMatchObject({
      name: 'main',
      protected: true,
      commit: { sha: await bareSha(REPO, 'main') },
    });
    const { data: cut } = await octokit.rest.repos.getBranch({
      owner: OWNER,
      repo: REPO,
      branch: 'cut-a',
    });
    expect(cut.protected).toBe(false);
    const missing = await failure(
      octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'nope' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.data).toMatchObject({ message: 'Branch not found' });
  });

  test('GET a commit: date, message, author, parents, files', async () => {
    const sha = await bareSha(REPO, 'cut-a');
    const { data } = await octokit.rest.repos.getCommit({ owner: OWNER, repo: REPO, ref: sha });
    const author = await mustGit([
      '--git-dir',
      sandbox.bareRepoPath(OWNER, REPO),
      'log',
      '-1',
      '--format=%an|%aI',
      sha,
    ]);
    const [name, date] = author.split('|');
    expect(data.commit.message).toBe('Final release 3 (cut a)');
    expect(data.commit.author?.name).toBe(name);
    expect(Date.parse(data.commit.author?.date ?? '')).toBe(Date.parse(date ?? ''));
    expect(data.parents.map((parent) => parent.sha)).toEqual([await bareSha(REPO, 'main')]);
    expect(data.files?.map((file) => [file.filename, file.status])).toEqual([
      ['.final_builds/jobs/worker/index.yml', 'modified'],
      ['.final_builds/packages/app/index.yml', 'modified'],
      ['releases/example/example-3.yml', 'added'],
      ['releases/example/index.yml', 'modified'],
    ]);
    // A branch name works as the ref too.
    expect(
      (await octokit.rest.repos.getCommit({ owner: OWNER, repo: REPO, ref: 'cut-a' })).data.sha,
    ).toBe(sha);
    const missing = await failure(
      octokit.rest.repos.getCommit({ owner: OWNER, repo: REPO, ref: 'no-such-thing' }),
    );
    expect(missing.status).toBe(422);
    expect(missing.data).toMatchObject({ message: 'No commit found for SHA: no-such-thing' });
  });

  test('GET a git commit object', async () => {
    const sha = await bareSha(REPO, 'moved');
    const { data } = await octokit.rest.git.getCommit({
      owner: OWNER,
      repo: REPO,
      commit_sha: sha,
    });
    expect(data).toMatchObject({
      sha,
      message: 'nginx: new packaging',
      tree: { sha: await bareSha(REPO, 'moved^{tree}') },
    });
    expect(
      (
        await failure(
          octokit.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: '0'.repeat(40) }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('git refs', () => {
  test('get, match, create, update (fast-forward and forced) and delete', async () => {
    const main = await bareSha(REPO, 'main');
    const cutA = await bareSha(REPO, 'cut-a');
    const { data: ref } = await octokit.rest.git.getRef({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/main',
    });
    expect(ref).toMatchObject({ ref: 'refs/heads/main', object: { type: 'commit', sha: main } });
    const matching = await octokit.rest.git.listMatchingRefs({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/cut-',
    });
    expect(matching.data.map((item) => item.ref)).toEqual([
      'refs/heads/cut-a',
      'refs/heads/cut-b',
      'refs/heads/cut-c',
    ]);

    const created = await octokit.rest.git.createRef({
      owner: OWNER,
      repo: REPO,
      ref: 'refs/heads/lock/main/example',
      sha: main,
    });
    expect(created.status).toBe(201);
    // Octokit sends the slashes of a ref encoded (heads%2Flock%2F…).
    expect(
      (await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/lock/main/example' }))
        .data.object.sha,
    ).toBe(main);
    const exists = await failure(
      octokit.rest.git.createRef({
        owner: OWNER,
        repo: REPO,
        ref: 'refs/heads/lock/main/example',
        sha: main,
      }),
    );
    expect(exists.status).toBe(422);
    expect(exists.data).toMatchObject({ message: 'Reference already exists' });

    const forward = await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/lock/main/example',
      sha: cutA,
    });
    expect(forward.data.object.sha).toBe(cutA);
    const back = await failure(
      octokit.rest.git.updateRef({
        owner: OWNER,
        repo: REPO,
        ref: 'heads/lock/main/example',
        sha: main,
      }),
    );
    expect(back.status).toBe(422);
    expect(back.data).toMatchObject({ message: 'Update is not a fast forward' });
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/lock/main/example',
      sha: main,
      force: true,
    });

    const deleted = await octokit.rest.git.deleteRef({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/lock/main/example',
    });
    expect(deleted.status).toBe(204);
    const gone = await failure(
      octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: 'heads/lock/main/example' }),
    );
    expect(gone.status).toBe(422);
    expect(gone.data).toMatchObject({ message: 'Reference does not exist' });
    expect(
      (
        await failure(
          octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/lock/main/example' }),
        )
      ).status,
    ).toBe(404);

    const writes = sandbox.log().filter((entry) => entry.write && entry.status < 300);
    expect(
      writes
        .map((entry) => entry.refUpdates[0])
        .map((update) => [update?.created, update?.forced, update?.deleted]),
    ).toEqual([
      [true, false, false],
      [false, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  test('invalid names, unknown objects and protected branches are refused with 422', async () => {
    const main = await bareSha(REPO, 'main');
    const short = await failure(
      octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/x', sha: main }),
    );
    expect(short.data).toMatchObject({
      message: 'Reference name must contain at least three slash-separated components.',
    });
    const bad = await failure(
      octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/a..b', sha: main }),
    );
    expect(bad.data).toMatchObject({ message: 'refs/heads/a..b is not a valid ref name.' });
    const object = await failure(
      octokit.rest.git.createRef({
        owner: OWNER,
        repo: REPO,
        ref: 'refs/heads/x',
        sha: 'f'.repeat(40),
      }),
    );
    expect(object.data).toMatchObject({ message: 'Object does not exist' });
    const cutA = await bareSha(REPO, 'cut-a');
    const protectedRef = await failure(
      octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: cutA }),
    );
    expect(protectedRef.status).toBe(422);
    expect(await bareSha(REPO, 'main')).toBe(main);
  });
});

describe('clock and control routes', () => {
  test('the clock drives timestamps and can be moved', async () => {
    sandbox.clock.set(new Date('2030-01-01T00:00:00Z'));
    sandbox.clock.advance(90_000);
    const { data } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      head: 'cut-c',
      base: 'moved',
      title: 'later',
    });
    expect(data.created_at).toBe('2030-01-01T00:01:30Z');
    const sha = await sandbox.commitToBranch(OWNER, REPO, 'cut-c', {
      files: { 'x.txt': 'x' },
      message: 'x',
    });
    const commit = await octokit.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: sha });
    expect(commit.data.committer.date).toBe('2030-01-01T00:01:30Z');
    sandbox.clock.set(null);
  });

  test('the standalone control routes act as a human and read the log', async () => {
    const standalone = await startTestSandbox({ control: true });
    try {
      const control = (path: string, method = 'POST', body?: unknown) =>
        fetch(`${standalone.webUrl}/_sandbox${path}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      expect(
        (await control('/repos', 'POST', { owner: OWNER, repo: REPO, bundle: BUNDLE })).status,
      ).toBe(201);
      const number = await standalone.createPull(OWNER, REPO, {
        head: 'cut-a',
        base: 'main',
        title: 't',
      });
      const merged = await control(`/repos/${OWNER}/${REPO}/pulls/${number}/merge`, 'POST', {
        method: 'squash',
        by: 'carol',
      });
      expect(merged.status).toBe(200);
      expect(standalone.pull(OWNER, REPO, number)).toMatchObject({
        merged: true,
        mergedBy: 'carol',
      });
      const token = (
        (await (await control('/tokens', 'POST', { readOnly: true })).json()) as { token: string }
      ).token;
      expect(
        (await fetch(`${standalone.apiUrl}/user`, { headers: { authorization: `token ${token}` } }))
          .status,
      ).toBe(200);
      const log = (await (await control('/log', 'GET')).json()) as {
        route: string;
        kind: string;
      }[];
      expect(log.some((entry) => entry.kind === 'rest' && entry.route === 'GET /user')).toBe(true);
    } finally {
      await stopTestSandbox(standalone);
    }
  });
});

describe('two sandboxes in one process', () => {
  test('number what they make alike: no id sequence is shared between them', async () => {
    const made: Record<string, unknown>[] = [];
    for (const other of [await startTestSandbox(), await startTestSandbox()]) {
      try {
        await createExampleRepository(other);
        const api = client(other);
        const base = { owner: OWNER, repo: REPO };
        const { data: pull } = await api.rest.pulls.create({
          ...base,
          head: 'cut-a',
          base: 'main',
          title: 'Release',
        });
        const issue = { ...base, issue_number: pull.number };
        const { data: labels } = await api.rest.issues.addLabels({ ...issue, labels: ['release'] });
        const { data: comment } = await api.rest.issues.createComment({ ...issue, body: 'hi' });
        const { data: repository } = await api.rest.repos.get(base);
        const app = other.createApp();
        made.push({
          pull: pull.id,
          issue: (await api.rest.issues.get(issue)).data.id,
          label: labels[0]?.id,
          comment: comment.id,
          repository: repository.id,
          owner: repository.owner.id,
          app: app.id,
          installation: other.installApp(app.id, { owner: OWNER }),
          token: other.log().at(-1)?.tokenId,
        });
      } finally {
        await stopTestSandbox(other);
      }
    }
    expect(made[1]).toEqual(made[0]);
    expect(made[0]).toMatchObject({ pull: 9_000_001, label: 7_000_001, token: 'token-1' });
  });
});

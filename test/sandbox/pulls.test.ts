import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  BUNDLE,
  client,
  failure,
  mustGit,
  OWNER,
  startTestSandbox,
  stopTestSandbox,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;
let counter = 0;

/** A fresh copy of the example repository per test, so tests do not share pull requests. */
async function freshRepo(options: { deleteBranchOnMerge?: boolean } = {}): Promise<string> {
  const repo = `pulls-${++counter}`;
  await sandbox.createRepository({
    owner: OWNER,
    repo,
    bundle: BUNDLE,
    protectedBranches: ['main'],
    collaborators: ['alice'],
    deleteBranchOnMerge: options.deleteBranchOnMerge ?? false,
  });
  return repo;
}

async function refSha(repo: string, ref: string): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, repo), 'rev-parse', ref]);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('creating pull requests', () => {
  test('opens a pull request with GitHub’s shape', async () => {
    const repo = await freshRepo();
    const response = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 'Final release 3',
      body: 'the body',
    });
    expect(response.status).toBe(201);
    const pr = response.data;
    expect(response.headers.location).toBe(pr.url);
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      draft: false,
      title: 'Final release 3',
      body: 'the body',
      html_url: `${sandbox.webUrl}/${OWNER}/${repo}/pull/1`,
      user: { login: 'release-bot' },
      head: { ref: 'cut-a', label: `${OWNER}:cut-a`, sha: await refSha(repo, 'cut-a') },
      base: { ref: 'main', label: `${OWNER}:main`, sha: await refSha(repo, 'main') },
      mergeable: true,
      mergeable_state: 'clean',
      commits: 1,
      changed_files: 4,
      merged_at: null,
    });
    expect(pr.head.repo?.full_name).toBe(`${OWNER}/${repo}`);
    // GitHub keeps the head as refs/pull/N/head.
    expect(await refSha(repo, 'refs/pull/1/head')).toBe(pr.head.sha);
  });

  test('an open pull request’s merge_commit_sha is its test merge (refs/pull/N/merge), not a merge', async () => {
    const repo = await freshRepo();
    const { data: pr } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    expect(pr.merged).toBe(false);
    expect(pr.merge_commit_sha).toBe(await refSha(repo, 'refs/pull/1/merge'));
    const parents = await mustGit([
      '--git-dir',
      sandbox.bareRepoPath(OWNER, repo),
      'log',
      '-1',
      '--format=%P|%s',
      pr.merge_commit_sha ?? '',
    ]);
    expect(parents).toBe(`${pr.base.sha} ${pr.head.sha}|Merge ${pr.head.sha} into ${pr.base.sha}`);
    expect(await refSha(repo, 'main')).toBe(pr.base.sha);
  });

  test('refuses a second open pull request for the same head and base', async () => {
    const repo = await freshRepo();
    await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 'one',
    });
    const error = await failure(
      octokit.rest.pulls.create({
        owner: OWNER,
        repo,
        head: `${OWNER}:cut-a`,
        base: 'main',
        title: 'two',
      }),
    );
    expect(error.status).toBe(422);
    expect(error.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${OWNER}:cut-a.`,
        },
      ],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    });
  });

  test('refuses a head without commits over the base, and missing branches', async () => {
    const repo = await freshRepo();
    const none = await failure(
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'main', base: 'cut-a', title: 't' }),
    );
    expect(none.status).toBe(422);
    expect(none.data).toMatchObject({
      errors: [
        { resource: 'PullRequest', code: 'custom', message: 'No commits between cut-a and main' },
      ],
    });
    const head = await failure(
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'nope', base: 'main', title: 't' }),
    );
    expect(head.status).toBe(422);
    expect(head.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
    });
    const base = await failure(
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'cut-a', base: 'nope', title: 't' }),
    );
    expect(base.data).toMatchObject({
      errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
    });
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(0);
  });
});

describe('GitHub’s limits and the base', () => {
  const tooLong = (field: 'title' | 'body', maximum: number) => ({
    resource: 'Issue',
    code: 'custom',
    field,
    message: `${field} is too long (maximum is ${maximum} characters)`,
  });

  test('a body over 65,536 characters or a title over 256 is refused with GitHub’s 422, on create and edit', async () => {
    const repo = await freshRepo();
    const create = (title: string, body: string) =>
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'cut-a', base: 'main', title, body });
    const both = await failure(create('t'.repeat(257), 'b'.repeat(65_537)));
    expect(both.status).toBe(422);
    expect(both.data).toMatchObject({
      message: 'Validation Failed',
      errors: [tooLong('title', 256), tooLong('body', 65_536)],
    });
    expect(sandbox.pulls(OWNER, repo)).toHaveLength(0);
    // Characters, not bytes or UTF-16 units: 65,536 emoji are 131,072 units and fit.
    const { data: pr } = await create('t'.repeat(256), '🚀'.repeat(65_536));
    expect(pr.body).toHaveLength(131_072);
    const edit = await failure(
      octokit.rest.pulls.update({
        owner: OWNER,
        repo,
        pull_number: pr.number,
        body: 'b'.repeat(65_537),
      }),
    );
    expect(edit.data).toMatchObject({ errors: [tooLong('body', 65_536)] });
    expect(sandbox.pull(OWNER, repo, pr.number).body).toHaveLength(131_072);
  });

  test('a tag is not a base, neither to open a pull request nor to retarget one', async () => {
    const repo = await freshRepo();
    const bare = sandbox.bareRepoPath(OWNER, repo);
    await mustGit(['--git-dir', bare, 'tag', 'v2', 'main']);
    const invalidBase = { errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] };
    const create = await failure(
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'cut-a', base: 'v2', title: 't' }),
    );
    expect(create.status).toBe(422);
    expect(create.data).toMatchObject(invalidBase);
    const { data: pr } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const retarget = await failure(
      octokit.rest.pulls.update({ owner: OWNER, repo, pull_number: pr.number, base: 'v2' }),
    );
    expect(retarget.status).toBe(422);
    expect(retarget.data).toMatchObject(invalidBase);
    expect(sandbox.pull(OWNER, repo, pr.number).base).toBe('main');
  });
});

describe('updating pull requests', () => {
  test('edits title and body, closes and reopens', async () => {
    const repo = await freshRepo();
    const { data: created } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 'a',
    });
    sandbox.clock.advance(60_000);
    const edited = await octokit.rest.pulls.update({
      owner: OWNER,
      repo,
      pull_number: created.number,
      title: 'b',
      body: 'c',
    });
    expect(edited.data).toMatchObject({ title: 'b', body: 'c', state: 'open' });
    expect(Date.parse(edited.data.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    const closed = await octokit.rest.pulls.update({
      owner: OWNER,
      repo,
      pull_number: created.number,
      state: 'closed',
    });
    expect(closed.data.state).toBe('closed');
    expect(closed.data.closed_at).not.toBeNull();
    expect(closed.data.merged).toBe(false);
    const reopened = await octokit.rest.pulls.update({
      owner: OWNER,
      repo,
      pull_number: created.number,
      state: 'open',
    });
    expect(reopened.data.state).toBe('open');
    expect(reopened.data.closed_at).toBeNull();
  });

  test('retargets the base of an open pull request but not of a closed one', async () => {
    const repo = await freshRepo();
    const { data: pr } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-c',
      base: 'main',
      title: 't',
    });
    const moved = await octokit.rest.pulls.update({
      owner: OWNER,
      repo,
      pull_number: pr.number,
      base: 'moved',
    });
    expect(moved.data.base.ref).toBe('moved');
    expect(moved.data.base.sha).toBe(await refSha(repo, 'moved'));
    expect(moved.data.commits).toBe(1);
    await sandbox.closePull(OWNER, repo, pr.number);
    const error = await failure(
      octokit.rest.pulls.update({ owner: OWNER, repo, pull_number: pr.number, base: 'main' }),
    );
    expect(error.status).toBe(422);
    expect(error.data).toMatchObject({
      errors: [
        {
          message: 'Cannot change the base branch of a closed pull request.',
          field: 'base',
          code: 'invalid',
        },
      ],
    });
  });

  test('cannot reopen a pull request whose head branch was deleted', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-b',
      base: 'main',
      title: 't',
    });
    await sandbox.deleteBranch(OWNER, repo, 'cut-b');
    expect(sandbox.pull(OWNER, repo, number).state).toBe('closed');
    const error = await failure(
      octokit.rest.pulls.update({ owner: OWNER, repo, pull_number: number, state: 'open' }),
    );
    expect(error.status).toBe(422);
    expect(error.data).toMatchObject({
      errors: [
        {
          field: 'state',
          code: 'custom',
          message: 'state cannot be changed. The cut-b branch has been deleted.',
        },
      ],
    });
  });

  test('404 for a pull request that does not exist', async () => {
    const repo = await freshRepo();
    const error = await failure(octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: 99 }));
    expect(error.status).toBe(404);
    expect(error.data).toMatchObject({ message: 'Not Found', status: '404' });
  });
});

describe('merging pull requests', () => {
  /** A repository whose main moved past the cut (so every method does real work). */
  async function movedBase(): Promise<{
    repo: string;
    number: number;
    head: string;
    base: string;
  }> {
    const repo = await freshRepo();
    await sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { 'NOTES.md': 'main moved\n' },
      message: 'Notes',
    });
    const number = (
      await octokit.rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 'Release 3',
      })
    ).data.number;
    return { repo, number, head: await refSha(repo, 'cut-a'), base: await refSha(repo, 'main') };
  }

  test.each(['merge', 'squash', 'rebase'] as const)(
    '%s is real git and merge_commit_sha is the new base',
    async (method) => {
      const { repo, number, head, base } = await movedBase();
      const result = await octokit.rest.pulls.merge({
        owner: OWNER,
        repo,
        pull_number: number,
        merge_method: method,
        sha: head,
      });
      expect(result.data).toMatchObject({
        merged: true,
        message: 'Pull Request successfully merged',
      });
      const tip = await refSha(repo, 'main');
      expect(result.data.sha).toBe(tip);
      const gitDir = sandbox.bareRepoPath(OWNER, repo);
      const parents = (
        await mustGit(['--git-dir', gitDir, 'rev-list', '--parents', '-n', '1', tip])
      )
        .split(' ')
        .slice(1);
      if (method === 'merge') expect(parents).toEqual([base, head]);
      else expect(parents).toHaveLength(1);
      if (method === 'squash') expect(parents).toEqual([base]);
      if (method === 'rebase') {
        expect(parents).toEqual([base]);
        expect(await mustGit(['--git-dir', gitDir, 'log', '-1', '--format=%s|%an|%cn', tip])).toBe(
          'Final release 3 (cut a)|' +
            (await mustGit(['--git-dir', gitDir, 'log', '-1', '--format=%an', head])) +
            '|GitHub',
        );
      }
      // The base now has both the release and main's own change.
      const files = await mustGit(['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', tip]);
      expect(files).toContain('releases/example/example-3.yml');
      expect(files).toContain('NOTES.md');
      const { data: pr } = await octokit.rest.pulls.get({
        owner: OWNER,
        repo,
        pull_number: number,
      });
      expect(pr).toMatchObject({
        merged: true,
        state: 'closed',
        merge_commit_sha: tip,
        merged_by: { login: 'release-bot' },
      });
      expect(pr.merged_at).not.toBeNull();
      await expect(
        octokit.rest.pulls.checkIfMerged({ owner: OWNER, repo, pull_number: number }),
      ).resolves.toMatchObject({
        status: 204,
      });
    },
  );

  test('squash and merge messages follow GitHub’s defaults', async () => {
    const { repo, number } = await movedBase();
    await octokit.rest.pulls.merge({
      owner: OWNER,
      repo,
      pull_number: number,
      merge_method: 'squash',
    });
    const gitDir = sandbox.bareRepoPath(OWNER, repo);
    expect(await mustGit(['--git-dir', gitDir, 'log', '-1', '--format=%B', 'main'])).toBe(
      `Release 3 (#${number})\n\n* Final release 3 (cut a)`,
    );
    const second = await movedBase();
    await octokit.rest.pulls.merge({ owner: OWNER, repo: second.repo, pull_number: second.number });
    expect(
      await mustGit([
        '--git-dir',
        sandbox.bareRepoPath(OWNER, second.repo),
        'log',
        '-1',
        '--format=%B',
        'main',
      ]),
    ).toBe(`Merge pull request #${second.number} from ${OWNER}/cut-a\n\nRelease 3`);
  });

  test('405 when the merge conflicts, 409 when the head moved, 405 when already merged', async () => {
    const repo = await freshRepo();
    const a = await sandbox.createPull(OWNER, repo, { head: 'cut-a', base: 'main', title: 'a' });
    const b = await sandbox.createPull(OWNER, repo, { head: 'cut-b', base: 'main', title: 'b' });
    await sandbox.mergePull(OWNER, repo, a);
    const { data: pr } = await octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: b });
    expect(pr).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
      merge_commit_sha: null,
    });
    await expect(refSha(repo, `refs/pull/${b}/merge`)).rejects.toThrow();
    const conflict = await failure(
      octokit.rest.pulls.merge({ owner: OWNER, repo, pull_number: b }),
    );
    expect(conflict.status).toBe(405);
    expect(conflict.data).toMatchObject({ message: 'Pull Request is not mergeable' });
    const stale = await failure(
      octokit.rest.pulls.merge({
        owner: OWNER,
        repo,
        pull_number: b,
        sha: await refSha(repo, 'main'),
      }),
    );
    expect(stale.status).toBe(409);
    expect(stale.data).toMatchObject({
      message: 'Head branch was modified. Review and try the merge again.',
    });
    const again = await failure(octokit.rest.pulls.merge({ owner: OWNER, repo, pull_number: a }));
    expect(again.status).toBe(405);
    const notMerged = await failure(
      octokit.rest.pulls.checkIfMerged({ owner: OWNER, repo, pull_number: b }),
    );
    expect(notMerged.status).toBe(404);
    expect(sandbox.pull(OWNER, repo, b).state).toBe('open');
  });

  test('delete_branch_on_merge deletes the head branch after the merge', async () => {
    const repo = await freshRepo({ deleteBranchOnMerge: true });
    const { data: settings } = await octokit.rest.repos.get({ owner: OWNER, repo });
    expect(settings.delete_branch_on_merge).toBe(true);
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    await octokit.rest.pulls.merge({ owner: OWNER, repo, pull_number: number });
    await expect(
      mustGit([
        '--git-dir',
        sandbox.bareRepoPath(OWNER, repo),
        'rev-parse',
        '--verify',
        'refs/heads/cut-a',
      ]),
    ).rejects.toThrow();
    const merge = sandbox
      .log()
      .find(
        (entry) =>
          entry.repository === `${OWNER}/${repo}` &&
          entry.route === 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      );
    expect(merge?.refUpdates.map((update) => [update.ref, update.deleted])).toEqual([
      ['refs/heads/main', false],
      ['refs/heads/cut-a', true],
    ]);
    // The merged commit stays reachable: refs/pull/N/head.
    expect(await refSha(repo, `refs/pull/${number}/head`)).toBe(
      sandbox.pull(OWNER, repo, number).headSha,
    );
  });

  test('merge methods the repository disallows are refused with 405', async () => {
    const repo = `pulls-${++counter}`;
    await sandbox.createRepository({ owner: OWNER, repo, bundle: BUNDLE, allowSquashMerge: false });
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const error = await failure(
      octokit.rest.pulls.merge({ owner: OWNER, repo, pull_number: number, merge_method: 'squash' }),
    );
    expect(error.status).toBe(405);
    expect(error.data).toMatchObject({
      message: 'Squash merges are not allowed on this repository.',
    });
  });
});

describe('listing pull requests', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await freshRepo({ deleteBranchOnMerge: true });
    sandbox.clock.set(new Date('2025-01-01T00:00:00Z'));
    await sandbox.createPull(OWNER, repo, { head: 'cut-a', base: 'main', title: 'first' });
    sandbox.clock.advance(60_000);
    await sandbox.createPull(OWNER, repo, { head: 'cut-b', base: 'main', title: 'second' });
    sandbox.clock.advance(60_000);
    await sandbox.createPull(OWNER, repo, { head: 'cut-c', base: 'moved', title: 'third' });
    sandbox.clock.advance(60_000);
    await sandbox.mergePull(OWNER, repo, 1, { method: 'squash' });
    sandbox.clock.advance(60_000);
    await octokit.rest.issues.createComment({
      owner: OWNER,
      repo,
      issue_number: 3,
      body: 'popular',
    });
    sandbox.clock.set(null);
  });

  const numbers = async (query: Record<string, string>): Promise<number[]> => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
      owner: OWNER,
      repo,
      ...query,
    });
    return data.map((pull) => pull.number);
  };

  test('state, base and the default sort (created, newest first)', async () => {
    expect(await numbers({})).toEqual([3, 2]);
    expect(await numbers({ state: 'closed' })).toEqual([1]);
    expect(await numbers({ state: 'all' })).toEqual([3, 2, 1]);
    expect(await numbers({ state: 'all', base: 'main' })).toEqual([2, 1]);
    expect(await numbers({ state: 'all', direction: 'asc' })).toEqual([1, 2, 3]);
  });

  test('sort by updated and popularity default to ascending', async () => {
    expect(await numbers({ state: 'all', sort: 'updated' })).toEqual([2, 1, 3]);
    expect(await numbers({ state: 'all', sort: 'updated', direction: 'desc' })).toEqual([3, 1, 2]);
    expect(await numbers({ state: 'all', sort: 'popularity', direction: 'desc' })).toEqual([
      3, 2, 1,
    ]);
  });

  test('head=owner:branch matches, also after the merged head was auto-deleted', async () => {
    expect(sandbox.pull(OWNER, repo, 1).merged).toBe(true);
    await expect(
      mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, repo), 'rev-parse', '--verify', 'cut-a']),
    ).rejects.toThrow();
    expect(await numbers({ state: 'closed', head: `${OWNER}:cut-a`, base: 'main' })).toEqual([1]);
    expect(await numbers({ state: 'all', head: `${OWNER}:cut-b` })).toEqual([2]);
    expect(await numbers({ state: 'all', head: 'someone-else:cut-b' })).toEqual([]);
  });

  test('a sandbox started with headFilterMatchesDeletedBranches: false drops them', async () => {
    const strict = await startTestSandbox({ headFilterMatchesDeletedBranches: false });
    try {
      await strict.createRepository({
        owner: OWNER,
        repo: 'strict',
        bundle: BUNDLE,
        deleteBranchOnMerge: true,
      });
      const number = await strict.createPull(OWNER, 'strict', {
        head: 'cut-a',
        base: 'main',
        title: 't',
      });
      await strict.mergePull(OWNER, 'strict', number);
      const listed = await client(strict).rest.pulls.list({
        owner: OWNER,
        repo: 'strict',
        state: 'closed',
        head: `${OWNER}:cut-a`,
      });
      expect(listed.data).toEqual([]);
      const all = await client(strict).rest.pulls.list({
        owner: OWNER,
        repo: 'strict',
        state: 'closed',
      });
      expect(all.data.map((pull) => pull.head.ref)).toEqual(['cut-a']);
    } finally {
      await stopTestSandbox(strict);
    }
  });

  test('head without the owner is ignored, as GitHub ignores it', async () => {
    expect(await numbers({ state: 'all', head: 'cut-b' })).toEqual([3, 2, 1]);
  });

  test('long-running only lists pull requests open for more than a month with recent activity', async () => {
    expect(await numbers({ state: 'all', sort: 'long-running' })).toEqual([]);
  });
});

describe('pull requests follow their branches', () => {
  test('a push to the head updates the head sha; resetting it onto the base closes the PR', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const sha = await sandbox.commitToBranch(OWNER, repo, 'cut-a', {
      files: { 'extra.txt': 'x\n' },
      message: 'More',
    });
    const { data } = await octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: number });
    expect(data.head.sha).toBe(sha);
    expect(data.commits).toBe(2);
    expect(await refSha(repo, `refs/pull/${number}/head`)).toBe(sha);
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo,
      ref: 'heads/cut-a',
      sha: await refSha(repo, 'main'),
      force: true,
    });
    expect(sandbox.pull(OWNER, repo, number)).toMatchObject({ state: 'closed', merged: false });
  });

  test('deleting the head branch closes an open pull request', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    await octokit.rest.git.deleteRef({ owner: OWNER, repo, ref: 'heads/cut-a' });
    const { data } = await octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: number });
    expect(data).toMatchObject({ state: 'closed', merged: false, head: { ref: 'cut-a' } });
  });

  test('pushing the head commits to the base marks the pull request merged', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-c',
      base: 'moved',
      title: 't',
    });
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo,
      ref: 'heads/moved',
      sha: await refSha(repo, 'cut-c'),
    });
    expect(sandbox.pull(OWNER, repo, number)).toMatchObject({
      merged: true,
      mergeCommitSha: await refSha(repo, 'cut-c'),
    });
  });

  test('pull requests associated with a commit', async () => {
    const repo = await freshRepo();
    const a = await sandbox.createPull(OWNER, repo, { head: 'cut-a', base: 'main', title: 'a' });
    const c = await sandbox.createPull(OWNER, repo, { head: 'cut-c', base: 'moved', title: 'c' });
    const cutC = await refSha(repo, 'cut-c');
    const open = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: OWNER,
      repo,
      commit_sha: cutC,
    });
    expect(open.data.map((pull) => pull.number)).toEqual([c]);
    const mergeSha = await sandbox.mergePull(OWNER, repo, a);
    const cutA = await refSha(repo, 'cut-a');
    for (const sha of [cutA, mergeSha]) {
      const merged = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: OWNER,
        repo,
        commit_sha: sha,
      });
      expect(merged.data.map((pull) => pull.number)).toEqual([a]);
    }
    const unknown = await failure(
      octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: OWNER,
        repo,
        commit_sha: 'f'.repeat(40),
      }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.data).toMatchObject({ message: `No commit found for SHA: ${'f'.repeat(40)}` });
  });
});

describe('what people do to a release PR', () => {
  test('a human edits the body and the title; GET and the list show the new text', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 'Final release 3',
      body: 'generated',
    });
    await sandbox.editPull(OWNER, repo, number, { body: 'rewritten by a reviewer', by: 'alice' });
    await sandbox.editPull(OWNER, repo, number, { title: 'Release three' });
    const { data } = await octokit.rest.pulls.get({ owner: OWNER, repo, pull_number: number });
    expect(data).toMatchObject({ title: 'Release three', body: 'rewritten by a reviewer' });
    await sandbox.editPull(OWNER, repo, number, { body: null });
    expect(sandbox.pull(OWNER, repo, number).body).toBeNull();
  });

  test('a human retargets an open PR; a closed PR or a missing base is refused with 422', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-c',
      base: 'main',
      title: 't',
    });
    await sandbox.editPull(OWNER, repo, number, { base: 'moved' });
    expect(sandbox.pull(OWNER, repo, number)).toMatchObject({
      base: 'moved',
      baseSha: await refSha(repo, 'moved'),
    });
    const missing = await sandbox
      .editPull(OWNER, repo, number, { base: 'nope' })
      .catch((error: unknown) => error as { status: number; body: unknown });
    expect(missing).toMatchObject({
      status: 422,
      body: { errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] },
    });
    await sandbox.closePull(OWNER, repo, number);
    const closed = await sandbox
      .editPull(OWNER, repo, number, { base: 'main' })
      .catch((error: unknown) => error as { status: number; body: unknown });
    expect(closed).toMatchObject({
      status: 422,
      body: { errors: [{ message: 'Cannot change the base branch of a closed pull request.' }] },
    });
  });

  test('the pulls list lags a new PR by pullListLagMs; GET /pulls/{n} sees it at once', async () => {
    const repo = await freshRepo();
    sandbox.setPullListLag(60_000);
    try {
      const { data: created } = await octokit.rest.pulls.create({
        owner: OWNER,
        repo,
        head: 'cut-a',
        base: 'main',
        title: 'Final release 3',
      });
      const list = (query: Record<string, string>) =>
        octokit.rest.pulls.list({ owner: OWNER, repo, ...query }).then(({ data }) => data);
      expect(await list({ state: 'all' })).toEqual([]);
      expect(await list({ state: 'open', head: `${OWNER}:cut-a` })).toEqual([]);
      const { data } = await octokit.rest.pulls.get({
        owner: OWNER,
        repo,
        pull_number: created.number,
      });
      expect(data.number).toBe(created.number);
      // GitHub's one-open-PR-per-head rule does not lag.
      const again = await failure(
        octokit.rest.pulls.create({ owner: OWNER, repo, head: 'cut-a', base: 'main', title: 'x' }),
      );
      expect(again.status).toBe(422);
      sandbox.setPullListLag(0);
      // A PR created under the lag is listed once its own lag is over.
      const lagged = sandbox.pull(OWNER, repo, created.number);
      expect(lagged.number).toBe(created.number);
      const later = await sandbox.createPull(OWNER, repo, {
        head: 'cut-c',
        base: 'moved',
        title: 'c',
      });
      expect((await list({ state: 'all' })).map((pull) => pull.number)).toEqual([later]);
    } finally {
      sandbox.setPullListLag(0);
    }
  });

  test('the no-commits fault answers POST /pulls once with GitHub’s 422, then creation works', async () => {
    const repo = await freshRepo();
    sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'no-commits' });
    const error = await failure(
      octokit.rest.pulls.create({ owner: OWNER, repo, head: 'cut-a', base: 'main', title: 't' }),
    );
    expect(error.status).toBe(422);
    expect(error.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        { resource: 'PullRequest', code: 'custom', message: 'No commits between main and cut-a' },
      ],
    });
    expect(sandbox.pulls(OWNER, repo)).toEqual([]);
    const { data } = await octokit.rest.pulls.create({
      owner: OWNER,
      repo,
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    expect(data.number).toBe(1);
  });
});

describe('commits of a pull request, and compare', () => {
  test('GET /pulls/{n}/commits lists the PR’s commits oldest first, also after a merge', async () => {
    const repo = await freshRepo();
    const number = await sandbox.createPull(OWNER, repo, {
      head: 'cut-a',
      base: 'main',
      title: 't',
    });
    const fixup = await sandbox.commitToBranch(OWNER, repo, 'cut-a', {
      files: { 'NOTES.md': 'fix-up\n' },
      message: 'A reviewer’s fix-up',
      by: 'alice',
    });
    const list = async () =>
      (await octokit.rest.pulls.listCommits({ owner: OWNER, repo, pull_number: number })).data;
    const open = await list();
    expect(open.map((commit) => commit.sha)).toEqual([await refSha(repo, 'cut-a~1'), fixup]);
    expect(open[1]).toMatchObject({
      commit: { message: 'A reviewer’s fix-up', author: { name: 'alice' } },
      author: { login: 'alice' },
    });
    await sandbox.mergePull(OWNER, repo, number, { method: 'merge' });
    expect((await list()).map((commit) => commit.sha)).toEqual(open.map((commit) => commit.sha));
  });

  test('compare base...head: the commits over the merge base, ahead/behind and the files', async () => {
    const repo = await freshRepo();
    const lock = 'bosh-release-pr/main/example';
    const main = await refSha(repo, 'main');
    await sandbox.commitToBranch(OWNER, repo, lock, {
      parent: main,
      files: { 'releases/example/example-3.yml': 'name: example\n' },
      message: 'Final release 3',
      by: 'release-bot',
    });
    const fixup = await sandbox.commitToBranch(OWNER, repo, lock, {
      files: { 'NOTES.md': 'x\n' },
      message: 'fix-up',
    });
    await sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { 'README.md': 'moved\n' },
      message: 'docs',
    });
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo,
      basehead: `main...${lock}`,
    });
    expect(data).toMatchObject({
      status: 'diverged',
      ahead_by: 2,
      behind_by: 1,
      total_commits: 2,
      merge_base_commit: { sha: main },
    });
    expect(data.commits.map((commit) => commit.commit.message)).toEqual([
      'Final release 3',
      'fix-up',
    ]);
    expect(data.commits[1]?.sha).toBe(fixup);
    expect((data.files ?? []).map((file) => [file.filename, file.status]).sort()).toEqual([
      ['NOTES.md', 'added'],
      ['releases/example/example-3.yml', 'added'],
    ]);
    const identical = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo,
      basehead: 'main...main',
    });
    expect(identical.data).toMatchObject({ status: 'identical', ahead_by: 0, commits: [] });
    const unknown = await failure(
      octokit.rest.repos.compareCommitsWithBasehead({
        owner: OWNER,
        repo,
        basehead: 'main...nope',
      }),
    );
    expect(unknown.status).toBe(404);
  });
});

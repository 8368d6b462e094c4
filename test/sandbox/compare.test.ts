import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  client,
  createExampleRepository,
  failure,
  mustGit,
  OWNER,
  REPO,
  startTestSandbox,
  stopTestSandbox,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;
const base = { owner: OWNER, repo: REPO };

function bare(...args: string[]): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, REPO), ...args]);
}

function compare(basehead: string, paging: { per_page?: number; page?: number } = {}) {
  return octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead, ...paging });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('GET /repos/{owner}/{repo}/compare/{basehead}', () => {
  test('an ancestor of the base is behind it, with no commits and no files', async () => {
    const main = await bare('rev-parse', 'main');
    const old = await bare('rev-parse', 'main~2');
    const { data } = await compare(`main...${old}`);
    expect(data).toMatchObject({
      status: 'behind',
      ahead_by: 0,
      behind_by: 2,
      total_commits: 0,
      commits: [],
      files: [],
      base_commit: { sha: main },
      merge_base_commit: { sha: old },
      html_url: `${sandbox.webUrl}/${OWNER}/${REPO}/compare/main...${old}`,
    });
  });

  test('a branch ahead lists its commits oldest first and the files it changes', async () => {
    const { data } = await compare('main...moved');
    expect(data).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0 });
    expect(data.commits.map((commit) => commit.sha)).toEqual([await bare('rev-parse', 'moved')]);
    expect(data.files?.map((file) => file.filename)).toEqual(
      (await bare('diff', '--name-only', 'main', 'moved')).split('\n'),
    );
  });

  test('identical, diverged, and names with slashes (encoded or not) and owner prefixes', async () => {
    expect((await compare('main...main')).data.status).toBe('identical');
    const diverged = (await compare('cut-a...cut-b')).data;
    expect(diverged).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
    expect(diverged.merge_base_commit.sha).toBe(await bare('rev-parse', 'main'));
    await bare('branch', 'release/1.x', 'main~1');
    expect((await compare('release/1.x...main')).data).toMatchObject({
      status: 'ahead',
      ahead_by: 1,
    });
    const unencoded = await fetch(
      `${sandbox.apiUrl}/repos/${OWNER}/${REPO}/compare/main...release/1.x`,
      {
        headers: { authorization: `token ${sandbox.token}` },
      },
    );
    expect(((await unencoded.json()) as { status: string }).status).toBe('behind');
    expect((await compare(`${OWNER}:main...${OWNER}:moved`)).data.status).toBe('ahead');
  });

  test('a commit only a pull request ref holds resolves, and is ahead of every branch', async () => {
    const sha = await sandbox.commitToBranch(OWNER, REPO, 'topic', {
      parent: await bare('rev-parse', 'main'),
      files: { 'README.md': 'topic\n' },
      message: 'topic',
    });
    const number = await sandbox.createPull(OWNER, REPO, {
      head: 'topic',
      base: 'main',
      title: 't',
    });
    await sandbox.deleteBranch(OWNER, REPO, 'topic');
    expect(await bare('rev-parse', `refs/pull/${number}/head`)).toBe(sha);
    expect((await compare(`main...${sha}`)).data).toMatchObject({ status: 'ahead', ahead_by: 1 });
  });

  test('unknown names and shas are 404 Not Found; unrelated histories name both sides', async () => {
    const missing = await failure(compare(`main...${'0'.repeat(40)}`));
    expect(missing).toMatchObject({ status: 404, data: { message: 'Not Found' } });
    expect(await failure(compare('nope...main'))).toMatchObject({ status: 404 });
    expect(await failure(compare('main..moved'))).toMatchObject({ status: 404 });

    const tree = await bare('rev-parse', 'main^{tree}');
    const orphan = await bare('commit-tree', tree, '-m', 'unrelated');
    await bare('update-ref', 'refs/heads/orphan', orphan);
    expect(await failure(compare('main...orphan'))).toMatchObject({
      status: 404,
      data: { message: 'No common ancestor between main and orphan.' },
    });
  });

  test('paging: one commit per page, files only on the first page', async () => {
    const old = await bare('rev-parse', 'main~2');
    const first = await compare(`${old}...main`, { per_page: 1 });
    expect(first.data.commits).toHaveLength(1);
    expect(first.data.total_commits).toBe(2);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.data.files?.length).toBeGreaterThan(0);
    const second = await compare(`${old}...main`, { per_page: 1, page: 2 });
    expect(second.data.commits.map((commit) => commit.sha)).toEqual([
      await bare('rev-parse', 'main'),
    ]);
    expect(second.data.files).toEqual([]);
  });
});

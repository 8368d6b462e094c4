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
const INDEX = 'releases/example/index.yml';

function bare(...args: string[]): Promise<string> {
  return mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, REPO), ...args]);
}

async function raw(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.apiUrl}${path}`, {
    headers: { authorization: `token ${sandbox.token}`, ...headers },
  });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('GET /repos/{owner}/{repo}/commits', () => {
  test('the default branch’s history, newest first, in GitHub’s commit shape', async () => {
    const { data } = await octokit.rest.repos.listCommits(base);
    expect(data.map((commit) => commit.sha)).toEqual((await bare('rev-list', 'main')).split('\n'));
    const [tip] = data;
    expect(tip).toMatchObject({
      sha: await bare('rev-parse', 'main'),
      commit: {
        message: await bare('log', '-1', '--format=%B', 'main'),
        tree: { sha: await bare('rev-parse', 'main^{tree}') },
        comment_count: 0,
        verification: { verified: false, reason: 'unsigned' },
      },
      url: `${sandbox.apiUrl}/repos/${OWNER}/${REPO}/commits/${await bare('rev-parse', 'main')}`,
      author: null,
      committer: null,
      parents: [{ sha: await bare('rev-parse', 'main^') }],
    });
    expect(tip).not.toHaveProperty('files');
  });

  test('sha takes a branch or a commit; path keeps the commits touching it, like git log', async () => {
    const cutA = await bare('rev-parse', 'cut-a');
    const byBranch = await octokit.rest.repos.listCommits({ ...base, sha: 'cut-a' });
    const bySha = await octokit.rest.repos.listCommits({ ...base, sha: cutA });
    expect(byBranch.data.map((commit) => commit.sha)).toEqual(
      (await bare('rev-list', 'cut-a')).split('\n'),
    );
    expect(bySha.data).toEqual(byBranch.data);

    const touching = await octokit.rest.repos.listCommits({ ...base, sha: 'cut-a', path: INDEX });
    expect(touching.data.map((commit) => commit.sha)).toEqual(
      (await bare('rev-list', 'cut-a', '--', INDEX)).split('\n'),
    );
    expect(touching.data.map((commit) => commit.commit.message)).toEqual([
      'Final release 3 (cut a)',
      'Final release 2',
      'Final release 1',
    ]);
    const directory = await octokit.rest.repos.listCommits({ ...base, path: 'releases' });
    expect(directory.data).toHaveLength(2);
    const none = await octokit.rest.repos.listCommits({ ...base, path: 'no/such/file' });
    expect(none.data).toEqual([]);
  });

  test('the resource’s question, per_page 1: the last commit touching a path', async () => {
    const branch = 'history';
    const start = await bare('rev-parse', 'main');
    const touched = await sandbox.commitToBranch(OWNER, REPO, branch, {
      parent: start,
      files: { [INDEX]: 'builds: {}\n' },
      message: 'Touch the index',
    });
    await sandbox.commitToBranch(OWNER, REPO, branch, {
      files: { 'README.md': 'hello\n' },
      message: 'Elsewhere',
    });
    const { data } = await octokit.rest.repos.listCommits({
      ...base,
      sha: branch,
      path: INDEX,
      per_page: 1,
    });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      sha: touched,
      commit: { message: 'Touch the index' },
      author: { login: 'octocat' },
      parents: [{ sha: start }],
    });
  });

  test('pagination: per_page and page, with GitHub’s Link header', async () => {
    const all = (await bare('rev-list', 'cut-a')).split('\n');
    expect(all).toHaveLength(6);
    const first = await octokit.rest.repos.listCommits({ ...base, sha: 'cut-a', per_page: 2 });
    expect(first.data.map((commit) => commit.sha)).toEqual(all.slice(0, 2));
    const id = (await octokit.rest.repos.get(base)).data.id;
    const link = `${sandbox.apiUrl}/repositories/${id}/commits?sha=cut-a&per_page=2`;
    expect(first.headers.link).toBe(`<${link}&page=2>; rel="next", <${link}&page=3>; rel="last"`);
    const last = await octokit.rest.repos.listCommits({
      ...base,
      sha: 'cut-a',
      per_page: 2,
      page: 3,
    });
    expect(last.data.map((commit) => commit.sha)).toEqual(all.slice(4));
    expect(last.headers.link).toBe(`<${link}&page=2>; rel="prev", <${link}&page=1>; rel="first"`);
    const beyond = await octokit.rest.repos.listCommits({ ...base, sha: 'cut-a', page: 9 });
    expect(beyond.data).toEqual([]);
    // Following the links (through /repositories/{id}/…) walks the whole history.
    const walked = await octokit.paginate(octokit.rest.repos.listCommits, {
      ...base,
      sha: 'cut-a',
      per_page: 2,
    });
    expect(walked.map((commit) => commit.sha)).toEqual(all);
  });

  test('an unknown sha is 404 No commit found; an empty repository 409', async () => {
    const unknown = await failure(octokit.rest.repos.listCommits({ ...base, sha: 'nope' }));
    expect(unknown.status).toBe(404);
    expect(unknown.data).toEqual({
      message: 'No commit found for SHA: nope',
      documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits',
      status: '404',
    });
    const missingObject = await failure(
      octokit.rest.repos.listCommits({ ...base, sha: 'f'.repeat(40) }),
    );
    expect(missingObject.status).toBe(404);
    await sandbox.createRepository({ owner: OWNER, repo: 'empty-history' });
    const empty = await failure(
      octokit.rest.repos.listCommits({ owner: OWNER, repo: 'empty-history' }),
    );
    expect(empty.status).toBe(409);
    expect(empty.data).toMatchObject({ message: 'Git Repository is empty.' });
  });

  test('ETag: 304 costs nothing while the branch stands; a new commit changes it', async () => {
    const branch = 'etag-commits';
    await sandbox.commitToBranch(OWNER, REPO, branch, {
      parent: await bare('rev-parse', 'main'),
      files: {},
      message: 'start',
    });
    const path = `/repos/${OWNER}/${REPO}/commits?sha=${branch}&per_page=1`;
    const first = await raw(path);
    const etag = first.headers.get('etag') ?? '';
    const again = await raw(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-ratelimit-used')).toBe(first.headers.get('x-ratelimit-used'));
    await sandbox.commitToBranch(OWNER, REPO, branch, { files: { a: 'a\n' }, message: 'more' });
    const after = await raw(path, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });
});

describe('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', () => {
  test('parents carry their shas, in order, for a merge commit too', async () => {
    // Into a branch of its own, so that main stays as the other tests know it.
    await sandbox.commitToBranch(OWNER, REPO, 'merge-target', {
      parent: await bare('rev-parse', 'main'),
      files: { 'NOTES.md': 'notes\n' },
      message: 'notes',
    });
    const number = await sandbox.createPull(OWNER, REPO, {
      head: 'cut-c',
      base: 'merge-target',
      title: 'c',
    });
    const { headSha, baseSha } = sandbox.pull(OWNER, REPO, number);
    const merge = await sandbox.mergePull(OWNER, REPO, number, { method: 'merge' });
    const { data } = await octokit.rest.git.getCommit({ ...base, commit_sha: merge });
    expect(data.parents.map((parent) => parent.sha)).toEqual([baseSha, headSha]);
    expect(data.parents[0]).toEqual({
      sha: baseSha,
      url: `${sandbox.apiUrl}/repos/${OWNER}/${REPO}/commits/${baseSha}`,
      html_url: `${sandbox.webUrl}/${OWNER}/${REPO}/commit/${baseSha}`,
    });
    const { data: first } = await octokit.rest.git.getCommit({ ...base, commit_sha: headSha });
    expect(first.parents.map((parent) => parent.sha)).toEqual(
      (await bare('rev-parse', `${headSha}^@`)).split('\n'),
    );
  });
});

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import { base64Lines } from '../../sandbox/rest/json/contents.js';
import type { Client } from './support.js';
import { git } from '../support/git.js';
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

/** A blob's exact bytes as text (`mustGit` trims). */
async function blobText(revision: string): Promise<string> {
  const gitDir = sandbox.bareRepoPath(OWNER, REPO);
  return git(undefined, ['--git-dir', gitDir, 'cat-file', 'blob', revision]);
}

async function raw(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.apiUrl}${path}`, {
    headers: { authorization: `token ${sandbox.token}`, ...headers },
  });
}

/** The decoded `content` of a file answer, failing on anything else. */
function fileText(data: unknown): string {
  const file = data as { type?: string; encoding?: string; content?: string };
  expect(file.type).toBe('file');
  expect(file.encoding).toBe('base64');
  return Buffer.from(file.content ?? '', 'base64').toString('utf8');
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('GET /repos/{owner}/{repo}/contents/{path}', () => {
  test('a file at a branch: GitHub’s file object, read from git', async () => {
    const { data } = await octokit.rest.repos.getContent({ ...base, path: INDEX, ref: 'main' });
    expect(fileText(data)).toBe(await blobText(`main:${INDEX}`));
    const blob = await bare('rev-parse', `main:${INDEX}`);
    const api = `${sandbox.apiUrl}/repos/${OWNER}/${REPO}`;
    const web = `${sandbox.webUrl}/${OWNER}/${REPO}`;
    const self = `${api}/contents/${INDEX}?ref=main`;
    expect(data).toEqual({
      type: 'file',
      encoding: 'base64',
      content: expect.any(String),
      name: 'index.yml',
      path: INDEX,
      sha: blob,
      size: Number(await bare('cat-file', '-s', blob)),
      url: self,
      git_url: `${api}/git/blobs/${blob}`,
      html_url: `${web}/blob/main/${INDEX}`,
      download_url: `${web}/raw/main/${INDEX}`,
      _links: { self, git: `${api}/git/blobs/${blob}`, html: `${web}/blob/main/${INDEX}` },
    });
    // Without a ref: the default branch, named in the URLs.
    const { data: byDefault } = await octokit.rest.repos.getContent({ ...base, path: INDEX });
    expect(byDefault).toEqual(data);
  });

  test('content is wrapped like GitHub’s: 60-character lines, each ending in a newline', () => {
    const data = Buffer.alloc(100, 7);
    const wrapped = base64Lines(data);
    const lines = wrapped.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => line.length)).toEqual([60, 60, 16]);
    expect(Buffer.from(wrapped, 'base64')).toEqual(data);
    expect(base64Lines(Buffer.alloc(0))).toBe('');
  });

  test('a file at a commit sha, and a binary file byte for byte', async () => {
    const cut = await bare('rev-parse', 'cut-a');
    const path = 'releases/example/example-3.yml';
    const { data } = await octokit.rest.repos.getContent({ ...base, path, ref: cut });
    expect(fileText(data)).toBe(await blobText(`${cut}:${path}`));
    expect(data).toMatchObject({ url: expect.stringContaining(`?ref=${cut}`) });
    // A short sha names the commit too; the file is not on main.
    const short = await octokit.rest.repos.getContent({ ...base, path, ref: cut.slice(0, 10) });
    expect(short.data).toMatchObject({ sha: (data as { sha: string }).sha });
    expect((await failure(octokit.rest.repos.getContent({ ...base, path }))).status).toBe(404);

    const bytes = Buffer.from([0, 255, 10, 13, 128, 1, 2, 3]);
    const blob = await mustGit(
      ['--git-dir', sandbox.bareRepoPath(OWNER, REPO), 'hash-object', '-w', '--stdin'],
      { input: bytes },
    );
    const tree = await mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, REPO), 'mktree'], {
      input: `100644 blob ${blob}\tdata.bin\n`,
    });
    const commit = await bare('commit-tree', tree, '-m', 'binary');
    const { data: binary } = await octokit.rest.repos.getContent({
      ...base,
      path: 'data.bin',
      ref: commit,
    });
    expect(Buffer.from((binary as { content: string }).content, 'base64')).toEqual(bytes);
  });

  test('Octokit sends the path with %2F; both that and plain slashes find the file', async () => {
    sandbox.clearLog();
    await octokit.rest.repos.getContent({ ...base, path: INDEX, ref: 'main' });
    const [entry] = sandbox.log();
    expect(entry?.path).toBe(
      `/api/v3/repos/${OWNER}/${REPO}/contents/releases%2Fexample%2Findex.yml?ref=main`,
    );
    expect(entry?.route).toBe('GET /repos/{owner}/{repo}/contents/{path}');
    const encoded = await raw(`/repos/${OWNER}/${REPO}/contents/releases%2Fexample%2Findex.yml`);
    const plain = await raw(`/repos/${OWNER}/${REPO}/contents/releases/example/index.yml`);
    const mixed = await raw(`/repos/${OWNER}/${REPO}/contents/releases/example%2Findex.yml`);
    expect(encoded.status).toBe(200);
    const body = await encoded.json();
    expect(await plain.json()).toEqual(body);
    expect(await mixed.json()).toEqual(body);
    expect(plain.headers.get('etag')).toBe(encoded.headers.get('etag'));
  });

  test('a directory is an array of entries; no path lists the root', async () => {
    const { data } = await octokit.rest.repos.getContent({
      ...base,
      path: 'releases/example',
      ref: 'cut-a',
    });
    expect(Array.isArray(data)).toBe(true);
    const entries = data as { name: string; path: string; type: string; sha: string }[];
    expect(entries.map((entry) => [entry.name, entry.type])).toEqual([
      ['example-1.yml', 'file'],
      ['example-2.yml', 'file'],
      ['example-3.yml', 'file'],
      ['index.yml', 'file'],
    ]);
    expect(entries[3]).toMatchObject({
      path: INDEX,
      sha: await bare('rev-parse', `cut-a:${INDEX}`),
      download_url: `${sandbox.webUrl}/${OWNER}/${REPO}/raw/cut-a/${INDEX}`,
    });

    const { data: root } = await octokit.rest.repos.getContent({ ...base, path: '' });
    const rootEntries = root as {
      name: string;
      type: string;
      size: number;
      download_url: unknown;
    }[];
    expect(rootEntries.map((entry) => entry.name)).toEqual(
      (await bare('ls-tree', '--name-only', 'main')).split('\n'),
    );
    expect(rootEntries.find((entry) => entry.name === 'releases')).toMatchObject({
      type: 'dir',
      size: 0,
      download_url: null,
    });
    const noSlash = await raw(`/repos/${OWNER}/${REPO}/contents`);
    expect(await noSlash.json()).toEqual(root);
  });

  test('a missing path is 404 Not Found; a missing ref is 404 with GitHub’s own message', async () => {
    const missing = await failure(
      octokit.rest.repos.getContent({ ...base, path: 'releases/none.yml', ref: 'main' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
      status: '404',
    });
    for (const path of ['releases/../config/final.yml', 'config/final.yml/x']) {
      expect((await failure(octokit.rest.repos.getContent({ ...base, path }))).status).toBe(404);
    }
    const noRef = await failure(
      octokit.rest.repos.getContent({ ...base, path: INDEX, ref: 'nope' }),
    );
    expect(noRef.status).toBe(404);
    expect(noRef.data).toEqual({
      message: 'No commit found for the ref nope',
      documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
      status: '404',
    });
    // git revision syntax is not a ref.
    for (const ref of ['main~1', 'main^', `main:${INDEX}`]) {
      const error = await failure(octokit.rest.repos.getContent({ ...base, path: INDEX, ref }));
      expect(error.data).toMatchObject({ message: `No commit found for the ref ${ref}` });
    }
  });

  test('an empty repository says so', async () => {
    await sandbox.createRepository({ owner: OWNER, repo: 'empty' });
    const error = await failure(
      octokit.rest.repos.getContent({ owner: OWNER, repo: 'empty', path: 'README.md' }),
    );
    expect(error.status).toBe(404);
    expect(error.data).toMatchObject({ message: 'This repository is empty.' });
  });

  test('the ETag follows the file at the ref: stable over other commits, new when it changes', async () => {
    const branch = 'etag-contents';
    await sandbox.commitToBranch(OWNER, REPO, branch, {
      parent: await bare('rev-parse', 'main'),
      files: {},
      message: 'start',
    });
    const path = `/repos/${OWNER}/${REPO}/contents/${encodeURIComponent(INDEX)}?ref=${branch}`;
    const first = await raw(path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);

    await sandbox.commitToBranch(OWNER, REPO, branch, {
      files: { 'src/app/other.rb': 'puts 1\n' },
      message: 'unrelated',
    });
    const used = Number(first.headers.get('x-ratelimit-used'));
    const unchanged = await raw(path, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(Number(unchanged.headers.get('x-ratelimit-used'))).toBe(used);
    expect(sandbox.log().at(-1)).toMatchObject({ status: 304, countedAgainstRateLimit: false });

    await sandbox.commitToBranch(OWNER, REPO, branch, {
      files: { [INDEX]: 'builds: {}\n' },
      message: 'changed',
    });
    const changed = await raw(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(fileText(await changed.json())).toBe('builds: {}\n');
    // Octokit reports the 304 as an error with status 304, which the resource relies on.
    const conditional = await failure(
      octokit.rest.repos.getContent({
        ...base,
        path: INDEX,
        ref: branch,
        headers: { 'if-none-match': changed.headers.get('etag') ?? '' },
      }),
    );
    expect(conditional.status).toBe(304);
  });

  test('files over 1 MB: 403 too_large, as GitHub answers the default media type', async () => {
    const branch = 'big-file';
    await sandbox.commitToBranch(OWNER, REPO, branch, {
      parent: await bare('rev-parse', 'main'),
      files: { 'big.txt': 'x'.repeat(1024 * 1024 + 1) },
      message: 'big',
    });
    const error = await failure(
      octokit.rest.repos.getContent({ ...base, path: 'big.txt', ref: branch }),
    );
    expect(error.status).toBe(403);
    expect(error.data).toMatchObject({
      message: expect.stringMatching(/^This API returns blobs up to 1 MB in size\./),
      errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
    });
  });

  test('symlinks and submodules: their own objects; a submodule lists as a file', async () => {
    const gitDir = sandbox.bareRepoPath(OWNER, REPO);
    const hash = (content: string): Promise<string> =>
      mustGit(['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: content });
    const link = await hash('config/final.yml');
    const modules = await hash(
      '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n',
    );
    const sub = await bare('rev-parse', 'cut-b');
    const vendor = await mustGit(['--git-dir', gitDir, 'mktree'], {
      input: `160000 commit ${sub}\tlib\n`,
    });
    const tree = await mustGit(['--git-dir', gitDir, 'mktree'], {
      input: `100644 blob ${modules}\t.gitmodules\n120000 blob ${link}\tfinal.yml\n040000 tree ${vendor}\tvendor\n`,
    });
    const commit = await bare('commit-tree', tree, '-m', 'odd entries');

    const { data: symlink } = await octokit.rest.repos.getContent({
      ...base,
      path: 'final.yml',
      ref: commit,
    });
    expect(symlink).toMatchObject({ type: 'symlink', target: 'config/final.yml', sha: link });
    const { data: submodule } = await octokit.rest.repos.getContent({
      ...base,
      path: 'vendor/lib',
      ref: commit,
    });
    expect(submodule).toMatchObject({
      type: 'submodule',
      sha: sub,
      submodule_git_url: 'https://example.com/lib.git',
    });
    const { data: listing } = await octokit.rest.repos.getContent({
      ...base,
      path: 'vendor',
      ref: commit,
    });
    expect(listing).toMatchObject([{ name: 'lib', type: 'file', sha: sub }]);
  });
});

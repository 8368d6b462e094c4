// A put as Concourse runs it where the image first ran: in an instanced pipeline (the PR and its
// commit must link to this instance's build), with the release checkout of a task that ran as
// another user (git refuses such a checkout unless told to trust it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { handTo, snapshot } from '../support/ownership.js';
import { EXAMPLE_BUNDLE, releaseCheckout, removeDir, tempDir } from '../support/repos.js';
import { git } from '../support/git.js';
import { lastLine, runBundle } from '../support/run-bundle.js';

const OWNER = 'acme';
let sandbox: Sandbox;
let root: string;
let count = 0;

beforeAll(async () => {
  sandbox = await startSandbox();
  root = await tempDir('brp-concourse-put-');
});

afterAll(async () => {
  await sandbox.stop();
  await removeDir(root);
});

/** A fresh repository, and the build directory of a put with the release checkout in it. */
async function fresh(): Promise<{ repo: string; build: string; checkout: string }> {
  const repo = `example-release-${++count}`;
  await sandbox.createRepository({
    owner: OWNER,
    repo,
    bundle: EXAMPLE_BUNDLE,
    branches: ['main'],
    protectedBranches: ['main'],
  });
  const build = join(root, repo, 'put');
  await mkdir(build, { recursive: true });
  const checkout = await releaseCheckout(join(root, repo), 'cut-a', { name: 'put/release-repo' });
  return { repo, build, checkout };
}

async function put(repo: string, build: string, env: NodeJS.ProcessEnv = {}) {
  const source = {
    repository: `${OWNER}/${repo}`,
    access_token: sandbox.token,
    github_api_url: sandbox.apiUrl,
  };
  return runBundle(
    'out',
    { source, params: { repository: 'release-repo' } },
    { args: [build], env: { PATH: process.env.PATH, HOME: root, TMPDIR: root, ...env } },
  );
}

describe('a put in an instanced pipeline', () => {
  it('links the PR and its commit to the build of this instance', async () => {
    const { repo, build } = await fresh();
    const result = await put(repo, build, {
      ATC_EXTERNAL_URL: 'https://ci.example.com',
      BUILD_ID: '9071',
      BUILD_NAME: '3',
      BUILD_JOB_NAME: 'cut',
      BUILD_PIPELINE_NAME: 'release',
      BUILD_PIPELINE_INSTANCE_VARS: '{"line":"1.x"}',
      BUILD_TEAM_NAME: 'main',
    });
    expect(lastLine(result.stderr)).toMatch(/INFO: created /);
    const url =
      'https://ci.example.com/teams/main/pipelines/release/jobs/cut/builds/3?vars.line=%221.x%22';
    const [pull] = sandbox.pulls(OWNER, repo);
    expect(pull?.body).toContain(`Opened by [main/release/line:1.x/cut #3](${url}).`);
    const message = await git(sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      pull?.headSha ?? '',
    ]);
    expect(message).toContain(`\nConcourse-Build: ${url}\n`);
  });
});

// Only root can hand a directory to another user; CI and the image's tests run as root.
const asRoot = process.getuid?.() === 0;

describe('a put of a checkout owned by another user', () => {
  (asRoot ? it : it.skip)(
    'opens the PR as for any checkout, and leaves the checkout as it was (root only)',
    async () => {
      const { repo, build, checkout } = await fresh();
      await handTo('4242:4242', checkout);
      const before = await snapshot(checkout);
      const result = await put(repo, build);
      expect(result.stderr).not.toMatch(/not the top of a git checkout|dubious ownership/);
      expect(lastLine(result.stderr)).toMatch(/INFO: created /);
      expect(result.code).toBe(0);
      expect(sandbox.pulls(OWNER, repo)).toHaveLength(1);
      expect(await snapshot(checkout)).toEqual(before);
    },
  );
});

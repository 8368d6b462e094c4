// Commit statuses and the required status checks of branch protection (docs/sandbox.md): the routes
// answer as GitHub's OpenAPI description says (startTestSandbox validates every answer), and a
// merge waits for the required context as GitHub's does.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../sandbox/index.js';
import type { Client } from './support.js';
import {
  client,
  createExampleRepository,
  failure,
  OWNER,
  REPO,
  startTestSandbox,
  stopTestSandbox,
} from './support.js';

let sandbox: Sandbox;
let octokit: Client;
let head: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox);
  head = (await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'cut-a' })).data
    .commit.sha;
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

const status = (fields: {
  state: 'error' | 'failure' | 'pending' | 'success';
  description?: string;
  context?: string;
  sha?: string;
}) =>
  octokit.rest.repos.createCommitStatus({
    owner: OWNER,
    repo: REPO,
    sha: fields.sha ?? head,
    state: fields.state,
    description: fields.description,
    context: fields.context ?? 'bosh-release-pr',
    target_url: 'https://ci.example.com/builds/1',
  });

describe('commit statuses', () => {
  test('a status is created on the commit, listed newest first, and combined per context', async () => {
    const created = await status({ state: 'pending', description: 'working' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ state: 'pending', context: 'bosh-release-pr' });
    await status({ state: 'success', description: 'safe', context: 'BOSH-release-pr' });
    await status({ state: 'success', context: 'other' });

    const listed = await octokit.rest.repos.listCommitStatusesForRef({
      owner: OWNER,
      repo: REPO,
      ref: 'cut-a',
    });
    expect(listed.data.map((s) => s.state)).toEqual(['success', 'success', 'pending']);

    const combined = await octokit.rest.repos.getCombinedStatusForRef({
      owner: OWNER,
      repo: REPO,
      ref: head,
    });
    // Contexts are case-insensitive: the newest of the two spellings counts.
    expect(combined.data).toMatchObject({ state: 'success', sha: head, total_count: 2 });
  });

  test('a failure in any context makes the combined state failure', async () => {
    const sha = (await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'cut-b' }))
      .data.commit.sha;
    await status({ sha, state: 'success', context: 'ci' });
    await status({ sha, state: 'failure', context: 'bosh-release-pr' });
    const combined = await octokit.rest.repos.getCombinedStatusForRef({
      owner: OWNER,
      repo: REPO,
      ref: sha,
    });
    expect(combined.data.state).toBe('failure');
  });

  test('a description over 140 characters is 422, as on GitHub', async () => {
    const refused = await failure(status({ state: 'success', description: 'x'.repeat(141) }));
    expect(refused.status).toBe(422);
    expect(refused.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        { field: 'description', message: 'description is too long (maximum is 140 characters)' },
      ],
    });
    expect((await status({ state: 'success', description: 'y'.repeat(140) })).status).toBe(201);
  });

  test('an unknown sha is 422; a token without the statuses permission gets 403', async () => {
    expect((await failure(status({ state: 'success', sha: 'f'.repeat(40) }))).status).toBe(422);
    const denied = client(sandbox, { token: sandbox.addToken({ statuses: false }) });
    const refused = await failure(
      denied.rest.repos.createCommitStatus({
        owner: OWNER,
        repo: REPO,
        sha: head,
        state: 'success',
      }),
    );
    expect(refused).toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    });
  });
});

describe('required status checks', () => {
  test('a merge is refused while the required context is missing or failing, and goes through on success', async () => {
    const branch = 'moved';
    const sha = (await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch })).data
      .commit.sha;
    sandbox.setRequiredStatusChecks(OWNER, REPO, 'main', ['bosh-release-pr']);
    const number = await sandbox.createPull(OWNER, REPO, {
      head: branch,
      base: 'main',
      title: 't',
    });
    const merge = () => octokit.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: number });

    expect(await failure(merge())).toMatchObject({
      status: 405,
      message: expect.stringContaining('Required status check "bosh-release-pr" is expected.'),
    });
    await status({ sha, state: 'failure', description: 'version 3 is already on main' });
    expect(await failure(merge())).toMatchObject({
      status: 405,
      message: expect.stringContaining('Required status check "bosh-release-pr" is failing.'),
    });
    await status({ sha, state: 'success', description: 'safe to merge' });
    expect((await merge()).data.merged).toBe(true);
    sandbox.setRequiredStatusChecks(OWNER, REPO, 'main', []);
  });
});

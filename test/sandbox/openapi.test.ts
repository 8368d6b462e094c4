import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { RestObservation, Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { OpenApiValidator, toJsonSchema } from '../../sandbox/openapi/validator.js';
import { ROUTES } from '../../sandbox/rest/routes.js';
import type { Client } from './support.js';
import {
  appJwt,
  cleanTemp,
  client,
  createExampleRepository,
  failure,
  mustGit,
  OWNER,
  REPO,
} from './support.js';

const observations: RestObservation[] = [];
let sandbox: Sandbox;
let octokit: Client;

/** Runs a call and swallows its error: the scenario is about what the sandbox answered. */
async function call(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => undefined);
}

beforeAll(async () => {
  sandbox = await startSandbox({ observe: (observation) => observations.push(observation) });
  octokit = client(sandbox);
  await createExampleRepository(sandbox, { deleteBranchOnMerge: true });
  const base = { owner: OWNER, repo: REPO };
  const main = await mustGit(['--git-dir', sandbox.bareRepoPath(OWNER, REPO), 'rev-parse', 'main']);

  // Every route, successes first.
  await octokit.rest.rateLimit.get();
  await octokit.rest.users.getAuthenticated();
  await octokit.rest.repos.get(base);
  await octokit.rest.repos.getBranch({ ...base, branch: 'main' });
  await octokit.rest.repos.getCommit({ ...base, ref: 'cut-a' });
  await octokit.rest.git.getCommit({ ...base, commit_sha: main });
  await octokit.rest.repos.getContent({ ...base, path: 'releases/example/index.yml', ref: 'main' });
  await octokit.rest.repos.getContent({ ...base, path: 'releases', ref: main });
  await octokit.rest.repos.listCommits({ ...base, sha: 'cut-a', path: 'releases', per_page: 2 });
  await octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead: 'main...cut-c' });
  await octokit.rest.git.getRef({ ...base, ref: 'heads/main' });
  await octokit.rest.git.listMatchingRefs({ ...base, ref: 'heads/' });
  await octokit.rest.git.createRef({ ...base, ref: 'refs/heads/topic', sha: main });
  await octokit.rest.git.updateRef({ ...base, ref: 'heads/topic', sha: main });
  await octokit.rest.git.deleteRef({ ...base, ref: 'heads/topic' });
  const { data: pr } = await octokit.rest.pulls.create({
    ...base,
    head: 'cut-a',
    base: 'main',
    title: 'Release 3',
    body: 'b',
  });
  const pull = { ...base, pull_number: pr.number };
  const issue = { ...base, issue_number: pr.number };
  await octokit.rest.pulls.list({ ...base, state: 'all' });
  await octokit.rest.pulls.get(pull);
  await octokit.rest.pulls.listCommits(pull);
  await octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead: 'main...cut-a' });
  await call(octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead: 'main...nope' }));
  await octokit.rest.pulls.update({ ...pull, title: 'Final release 3' });
  await octokit.rest.pulls.requestReviewers({
    ...pull,
    reviewers: ['alice'],
    team_reviewers: ['release-managers'],
  });
  await octokit.rest.pulls.listRequestedReviewers(pull);
  await octokit.rest.pulls.removeRequestedReviewers({ ...pull, reviewers: ['alice'] });
  await octokit.rest.issues.addLabels({ ...issue, labels: ['release', 'bosh'] });
  await octokit.rest.issues.setLabels({ ...issue, labels: ['release'] });
  await octokit.rest.issues.listLabelsOnIssue(issue);
  await octokit.rest.issues.removeLabel({ ...issue, name: 'release' });
  // A label without a description stays on the PR, so list answers carry one.
  await octokit.rest.issues.addLabels({ ...issue, labels: ['bosh'] });
  await octokit.rest.issues.addAssignees({ ...issue, assignees: ['alice'] });
  await octokit.rest.issues.removeAssignees({ ...issue, assignees: ['alice'] });
  await octokit.rest.issues.createComment({ ...issue, body: 'hello' });
  await octokit.rest.issues.listComments(issue);
  await octokit.rest.issues.get(issue);
  await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: 'cut-a' });
  const status = { ...base, sha: main, context: 'bosh-release-pr' };
  await octokit.rest.repos.createCommitStatus({ ...status, state: 'success', description: 'ok' });
  await octokit.rest.repos.listCommitStatusesForRef({ ...base, ref: 'main' });
  await octokit.rest.repos.getCombinedStatusForRef({ ...base, ref: 'main' });
  await octokit.rest.pulls.merge({ ...pull, merge_method: 'squash' });
  await octokit.rest.pulls.checkIfMerged(pull);
  await octokit.rest.pulls.get(pull);
  await octokit.rest.pulls.list({ ...base, state: 'closed', head: `${OWNER}:cut-a` });
  const app = sandbox.createApp();
  sandbox.installApp(app.id, { owner: OWNER });
  const asApp = client(sandbox, { token: appJwt(sandbox, app) });
  const { data: installation } = await asApp.rest.apps.getRepoInstallation(base);
  await asApp.rest.apps.createInstallationAccessToken({ installation_id: installation.id });

  // And the errors.
  const b = await sandbox.createPull(OWNER, REPO, { head: 'cut-b', base: 'main', title: 'b' });
  await call(octokit.rest.pulls.merge({ ...base, pull_number: b }));
  await call(octokit.rest.pulls.merge({ ...base, pull_number: b, sha: main }));
  await call(octokit.rest.pulls.create({ ...base, head: 'cut-b', base: 'main', title: 'again' }));
  await call(octokit.rest.pulls.create({ ...base, head: 'nope', base: 'main', title: 'x' }));
  await call(octokit.rest.pulls.update({ ...pull, state: 'open' }));
  await call(octokit.rest.pulls.get({ ...base, pull_number: 999 }));
  await call(octokit.rest.pulls.checkIfMerged({ ...base, pull_number: b }));
  await call(
    octokit.rest.pulls.requestReviewers({ ...base, pull_number: b, reviewers: ['mallory'] }),
  );
  await call(octokit.rest.issues.removeLabel({ ...base, issue_number: b, name: 'absent' }));
  await call(octokit.rest.git.createRef({ ...base, ref: 'refs/heads/main', sha: main }));
  await call(octokit.rest.git.updateRef({ ...base, ref: 'heads/none', sha: main }));
  await call(octokit.rest.git.deleteRef({ ...base, ref: 'heads/none' }));
  await call(octokit.rest.git.getRef({ ...base, ref: 'heads/none' }));
  await call(octokit.rest.repos.getBranch({ ...base, branch: 'none' }));
  await call(
    octokit.rest.repos.createCommitStatus({
      ...status,
      state: 'failure',
      description: 'x'.repeat(141),
    }),
  );
  await call(octokit.rest.repos.getCombinedStatusForRef({ ...base, ref: 'none' }));
  await call(octokit.rest.repos.getCommit({ ...base, ref: 'none' }));
  await call(octokit.rest.repos.getContent({ ...base, path: 'none.yml' }));
  await call(octokit.rest.repos.getContent({ ...base, path: 'config/final.yml', ref: 'none' }));
  await call(octokit.rest.repos.listCommits({ ...base, sha: 'none' }));
  await call(octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead: 'main...none' }));
  await call(octokit.rest.repos.get({ owner: OWNER, repo: 'none' }));
  await call(client(sandbox, { token: 'ghs_bad' }).rest.repos.get(base));
  await call(client(sandbox, { token: 'not.a.jwt' }).rest.apps.getRepoInstallation(base));
  await call(asApp.rest.apps.getRepoInstallation({ owner: 'nobody', repo: 'none' }));
  await call(asApp.rest.apps.createInstallationAccessToken({ installation_id: 1 }));
  await call(
    client(sandbox, { token: sandbox.addToken({ readOnly: true }) }).rest.issues.createComment({
      ...issue,
      body: 'x',
    }),
  );
  await call(
    octokit.rest.pulls.create({ ...base, head: 'cut-c', base: 'main', title: 'x'.repeat(257) }),
  );
  await call(octokit.rest.pulls.update({ ...pull, body: 'x'.repeat(65_537) }));
  await call(octokit.rest.pulls.create({ ...base, head: 'cut-c', base: 'v1', title: 'tag' }));
  sandbox.injectFault({
    route: 'POST /repos/{owner}/{repo}/pulls',
    kind: 'content-creation-limit',
  });
  await call(octokit.rest.pulls.create({ ...base, head: 'cut-c', base: 'main', title: 'x' }));
  sandbox.injectFault({ route: 'GET /repos/{owner}/{repo}', kind: 'secondary-rate-limit' });
  await call(octokit.rest.repos.get(base));
  sandbox.injectFault({ route: 'GET /repos/{owner}/{repo}', kind: 'status', status: 502 });
  await call(octokit.rest.repos.get(base));
});
afterAll(async () => {
  await sandbox.stop();
  cleanTemp();
});

describe('conformance with GitHub’s OpenAPI description', () => {
  test('the 3.0 → JSON Schema rewrite turns nullable into a null alternative', () => {
    expect(toJsonSchema({ type: 'string', nullable: true })).toEqual({
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    expect(toJsonSchema({ properties: { nullable: { type: 'boolean' } } })).toEqual({
      properties: { nullable: { type: 'boolean' } },
    });
    const validator = new OpenApiValidator();
    expect(validator.check('pulls/get', 200, { number: 'one' }).errors.length).toBeGreaterThan(0);
  });

  test('the validator sees deep mistakes: a real pull request with one nested field broken', () => {
    const validator = new OpenApiValidator();
    const real = observations.find(
      (item) => item.operationId === 'pulls/get' && item.status === 200,
    );
    const body = JSON.parse(JSON.stringify(real?.body)) as {
      head: { repo: { owner: { login: unknown } } };
      merged_at: unknown;
      labels: { color: unknown }[];
    };
    expect(validator.check('pulls/get', 200, body).errors).toEqual([]);
    body.head.repo.owner.login = 42;
    expect(validator.check('pulls/get', 200, body).errors.join()).toContain(
      '/head/repo/owner/login',
    );
    body.head.repo.owner.login = 'acme';
    body.merged_at = 'yesterday';
    expect(validator.check('pulls/get', 200, body).errors.join()).toContain('/merged_at');
  });

  test('a contents answer must be one of file, directory, symlink or submodule', () => {
    const validator = new OpenApiValidator();
    const file = observations.find(
      (item) =>
        item.operationId === 'repos/get-content' &&
        item.status === 200 &&
        !Array.isArray(item.body),
    );
    const body = { ...(file?.body as Record<string, unknown>) };
    expect(validator.check('repos/get-content', 200, body).errors).toEqual([]);
    delete body['content'];
    expect(validator.check('repos/get-content', 200, body).errors.length).toBeGreaterThan(0);
    const commits = observations.find((item) => item.operationId === 'repos/list-commits');
    const [commit] = commits?.body as Record<string, unknown>[];
    expect(
      validator.check('repos/list-commits', 200, [{ ...commit, parents: 'x' }]).errors,
    ).not.toEqual([]);
  });

  test('the scenario reached every route the sandbox serves, with successes and errors', () => {
    const succeeded = new Set(
      observations.filter((item) => item.status < 300).map((item) => item.operationId),
    );
    expect(ROUTES.map((route) => route.operationId).filter((id) => !succeeded.has(id))).toEqual([]);
    const statuses = new Set(observations.map((item) => item.status));
    for (const status of [401, 403, 404, 405, 409, 422, 502]) expect(statuses).toContain(status);
  });

  test('every body the sandbox answered matches the documented schema', () => {
    const validator = new OpenApiValidator();
    const problems = observations
      .filter((item) => item.operationId !== null)
      .map((item) => ({
        item,
        check: validator.check(item.operationId ?? '', item.status, item.body),
      }))
      .filter(({ check }) => check.errors.length > 0)
      .map(
        ({ item, check }) =>
          `${item.route} ${item.status} (${check.schema}): ${check.errors.slice(0, 5).join('; ')}`,
      );
    expect(problems).toEqual([]);
    expect(observations.length).toBeGreaterThan(50);
  });
});

describe('the request log', () => {
  test('names routes by template and never carries a token', () => {
    const log = sandbox.log();
    const serialized = JSON.stringify(log);
    expect(serialized).not.toContain(sandbox.token);
    expect(
      log.find((entry) => entry.route === `GET /repos/{owner}/{repo}/pulls/{pull_number}`),
    ).toMatchObject({
      kind: 'rest',
      repository: `${OWNER}/${REPO}`,
      tokenId: 'token-1',
      write: false,
    });
  });
});

test('a failing call still answers GitHub’s error shape', async () => {
  const error = await failure(
    octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 12345 }),
  );
  expect(error.data).toEqual({
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
    status: '404',
  });
});

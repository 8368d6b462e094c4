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
let number: number;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  octokit = client(sandbox);
  await createExampleRepository(sandbox, {
    collaborators: ['alice', 'bob'],
    teams: ['release-managers'],
  });
  number = (
    await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      head: 'cut-a',
      base: 'main',
      title: 't',
    })
  ).data.number;
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

describe('labels', () => {
  test('adding unknown labels creates them on the fly', async () => {
    const added = await octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      labels: ['release', 'bosh'],
    });
    expect(added.status).toBe(200);
    expect(added.data.map((label) => [label.name, label.color, label.default])).toEqual([
      ['release', 'ededed', false],
      ['bosh', 'ededed', false],
    ]);
    const again = await octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      labels: ['Release'],
    });
    expect(again.data.map((label) => label.name)).toEqual(['release', 'bosh']);
    const listed = await octokit.rest.issues.listLabelsOnIssue({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
    });
    expect(listed.data.map((label) => label.name)).toEqual(['release', 'bosh']);
    const { data: pr } = await octokit.rest.pulls.get({
      owner: OWNER,
      repo: REPO,
      pull_number: number,
    });
    expect(pr.labels.map((label) => label.name)).toEqual(['release', 'bosh']);
  });

  test('removing a label returns the rest; removing one that is not there is 404', async () => {
    await octokit.rest.issues.setLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      labels: ['a', 'b'],
    });
    const rest = await octokit.rest.issues.removeLabel({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      name: 'a',
    });
    expect(rest.data.map((label) => label.name)).toEqual(['b']);
    const error = await failure(
      octokit.rest.issues.removeLabel({
        owner: OWNER,
        repo: REPO,
        issue_number: number,
        name: 'a',
      }),
    );
    expect(error.status).toBe(404);
    expect(error.data).toMatchObject({ message: 'Label does not exist' });
  });

  test('labels on an issue number that does not exist: 404', async () => {
    expect(
      (
        await failure(
          octokit.rest.issues.addLabels({
            owner: OWNER,
            repo: REPO,
            issue_number: 404,
            labels: ['x'],
          }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('requested reviewers', () => {
  test('users and teams who are collaborators can be requested', async () => {
    const response = await octokit.rest.pulls.requestReviewers({
      owner: OWNER,
      repo: REPO,
      pull_number: number,
      reviewers: ['alice'],
      team_reviewers: ['release-managers'],
    });
    expect(response.status).toBe(201);
    expect(response.data.requested_reviewers?.map((user) => user.login)).toEqual(['alice']);
    expect(response.data.requested_teams?.map((team) => team.slug)).toEqual(['release-managers']);
    const listed = await octokit.rest.pulls.listRequestedReviewers({
      owner: OWNER,
      repo: REPO,
      pull_number: number,
    });
    expect(listed.data.users.map((user) => user.login)).toEqual(['alice']);
    expect(listed.data.teams.map((team) => team.slug)).toEqual(['release-managers']);
    const removed = await octokit.rest.pulls.removeRequestedReviewers({
      owner: OWNER,
      repo: REPO,
      pull_number: number,
      reviewers: ['alice'],
      team_reviewers: [],
    });
    expect(removed.data.requested_reviewers).toEqual([]);
  });

  test('422 when a reviewer or team is not a collaborator, or is the author', async () => {
    const stranger = await failure(
      octokit.rest.pulls.requestReviewers({
        owner: OWNER,
        repo: REPO,
        pull_number: number,
        reviewers: ['mallory'],
      }),
    );
    expect(stranger.status).toBe(422);
    expect(stranger.data).toMatchObject({
      message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${OWNER}/${REPO} repository.`,
    });
    const team = await failure(
      octokit.rest.pulls.requestReviewers({
        owner: OWNER,
        repo: REPO,
        pull_number: number,
        team_reviewers: ['nobody'],
      }),
    );
    expect(team.status).toBe(422);
    const author = await failure(
      octokit.rest.pulls.requestReviewers({
        owner: OWNER,
        repo: REPO,
        pull_number: number,
        reviewers: ['release-bot'],
      }),
    );
    expect(author.data).toMatchObject({
      message: 'Review cannot be requested from pull request author.',
    });
    const { data } = await octokit.rest.pulls.listRequestedReviewers({
      owner: OWNER,
      repo: REPO,
      pull_number: number,
    });
    expect(data.users).toEqual([]);
  });
});

describe('assignees', () => {
  test('collaborators are assigned; others are silently dropped', async () => {
    const added = await octokit.rest.issues.addAssignees({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      assignees: ['bob', 'mallory'],
    });
    expect(added.status).toBe(201);
    expect(added.data.assignees?.map((user) => user.login)).toEqual(['bob']);
    expect(added.data.pull_request?.url).toBe(
      `${sandbox.apiUrl}/repos/${OWNER}/${REPO}/pulls/${number}`,
    );
    const removed = await octokit.rest.issues.removeAssignees({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      assignees: ['bob'],
    });
    expect(removed.data.assignees).toEqual([]);
  });
});

describe('comments', () => {
  test('comments are created and listed in order', async () => {
    const first = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      body: 'one',
    });
    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({ body: 'one', user: { login: 'release-bot' } });
    await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
      body: 'two',
    });
    const listed = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
    });
    expect(listed.data.map((comment) => comment.body)).toEqual(['one', 'two']);
    const { data: issue } = await octokit.rest.issues.get({
      owner: OWNER,
      repo: REPO,
      issue_number: number,
    });
    expect(issue.comments).toBe(2);
    const missing = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: OWNER,
        repo: REPO,
        issue_number: number,
      } as unknown as { owner: string; repo: string; issue_number: number; body: string }),
    );
    expect(missing.status).toBe(422);
  });
});

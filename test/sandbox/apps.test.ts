import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { AppCredentials, Sandbox } from '../../sandbox/index.js';
import {
  appJwt,
  authedGit,
  client,
  createExampleRepository,
  failure,
  OWNER,
  REPO,
  signJwt,
  startTestSandbox,
  stopTestSandbox,
  tempDir,
} from './support.js';

let sandbox: Sandbox;
let app: AppCredentials;
let installationId: number;

const HOUR = 60 * 60 * 1000;
const silent = { warn: () => undefined };

beforeAll(async () => {
  sandbox = await startTestSandbox();
  await createExampleRepository(sandbox);
  await createExampleRepository(sandbox, { repo: 'elsewhere' });
  app = sandbox.createApp({ slug: 'release-app' });
  installationId = sandbox.installApp(app.id, { owner: OWNER, repositories: [REPO] });
});
afterAll(async () => {
  await stopTestSandbox(sandbox);
});

/** An installation token minted over REST, as @octokit/auth-app does it. */
async function mintToken(): Promise<{ token: string; expires_at: string }> {
  const { data } = await client(sandbox, {
    token: appJwt(sandbox, app),
  }).rest.apps.createInstallationAccessToken({
    installation_id: installationId,
  });
  return data;
}

describe('authenticating as the app (JWT)', () => {
  test('@octokit/auth-app finds the installation and mints a token that works for REST and git', async () => {
    const auth = createAppAuth({
      appId: app.id,
      privateKey: app.privateKey,
      request: new Octokit({ baseUrl: sandbox.apiUrl }).request,
      log: silent,
    });
    const octokit = new Octokit({
      baseUrl: sandbox.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: app.id, privateKey: app.privateKey, installationId, log: silent },
    });
    const { data: installation } = await octokit.request('GET /repos/{owner}/{repo}/installation', {
      owner: OWNER,
      repo: REPO,
    });
    expect(installation).toMatchObject({
      id: installationId,
      app_id: app.id,
      app_slug: 'release-app',
      repository_selection: 'selected',
    });

    const { token, expiresAt } = await auth({ type: 'installation', installationId });
    expect(Date.parse(expiresAt) - sandbox.clock.now().getTime()).toBeGreaterThan(HOUR - 5000);
    const { data: repository } = await client(sandbox, { token }).rest.repos.get({
      owner: OWNER,
      repo: REPO,
    });
    expect(repository.full_name).toBe(`${OWNER}/${REPO}`);
    const clone = await authedGit(
      token,
      ['ls-remote', sandbox.gitUrl(OWNER, REPO), 'refs/heads/main'],
      { cwd: tempDir() },
    );
    expect(clone.code).toBe(0);
    expect(clone.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
    const entry = sandbox
      .log()
      .find((e) => e.route === 'POST /app/installations/{installation_id}/access_tokens');
    expect(entry).toMatchObject({ tokenId: `app-${app.id}`, status: 201 });
  });

  test.each([
    ['a token that is not a JWT', () => sandbox.token, 'A JSON web token could not be decoded'],
    [
      'a JWT signed with another key',
      () => appJwt(sandbox, { id: app.id, privateKey: sandbox.createApp().privateKey }),
      'A JSON web token could not be decoded',
    ],
    [
      'a JWT of an unknown app',
      () => appJwt(sandbox, { id: 99999, privateKey: app.privateKey }),
      'A JSON web token could not be decoded',
    ],
    [
      'an expired JWT',
      () => {
        const now = Math.floor(sandbox.clock.now().getTime() / 1000);
        return signJwt({ iat: now - 700, exp: now - 100, iss: app.id }, app.privateKey);
      },
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    ],
    [
      'a JWT valid for more than 10 minutes',
      () => {
        const now = Math.floor(sandbox.clock.now().getTime() / 1000);
        return signJwt({ iat: now, exp: now + 660, iss: app.id }, app.privateKey);
      },
      "'Expiration time' claim ('exp') is too far in the future",
    ],
    [
      'a JWT issued in the future',
      () => {
        const now = Math.floor(sandbox.clock.now().getTime() / 1000);
        return signJwt({ iat: now + 120, exp: now + 540, iss: app.id }, app.privateKey);
      },
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    ],
  ])('refuses %s with GitHub’s 401', async (_name, jwt, message) => {
    const refused = await failure(
      client(sandbox, { token: jwt() }).rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO }),
    );
    expect(refused.status).toBe(401);
    expect(refused.data).toMatchObject({ message, status: '401' });
  });

  test('a repository the app is not installed on, and an unknown installation, are 404', async () => {
    const octokit = client(sandbox, { token: appJwt(sandbox, app) });
    expect(
      (await failure(octokit.rest.apps.getRepoInstallation({ owner: OWNER, repo: 'elsewhere' })))
        .status,
    ).toBe(404);
    expect(
      (await failure(octokit.rest.apps.createInstallationAccessToken({ installation_id: 1 })))
        .status,
    ).toBe(404);
  });

  test('@octokit/auth-app corrects a clock 20 minutes behind from the Date header', async () => {
    sandbox.clock.set(new Date(Date.now() + 20 * 60 * 1000));
    const since = sandbox.log().length;
    try {
      const octokit = new Octokit({
        baseUrl: sandbox.apiUrl,
        authStrategy: createAppAuth,
        auth: { appId: app.id, privateKey: app.privateKey, log: silent },
      });
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/installation', {
        owner: OWNER,
        repo: REPO,
      });
      expect(data.id).toBe(installationId);
      // The first JWT looked expired to the sandbox; the retry was made on the sandbox's time.
      expect(
        sandbox
          .log()
          .slice(since)
          .map((entry) => entry.status),
      ).toEqual([401, 200]);
    } finally {
      sandbox.clock.set(null);
    }
  });
});

describe('installation tokens', () => {
  test('reach only the installation’s repositories', async () => {
    const { token } = await mintToken();
    const octokit = client(sandbox, { token });
    expect(
      (await failure(octokit.rest.repos.get({ owner: OWNER, repo: 'elsewhere' }))).status,
    ).toBe(404);
    const git = await authedGit(token, ['ls-remote', sandbox.gitUrl(OWNER, 'elsewhere')], {
      cwd: tempDir(),
    });
    expect(git.code).not.toBe(0);
    expect(git.stderr).toContain('Repository not found');
  });

  test('expire an hour later on the sandbox clock, for REST and git alike', async () => {
    sandbox.clock.set(new Date());
    try {
      const { token, expires_at } = await mintToken();
      expect(Date.parse(expires_at)).toBe(
        Math.floor((sandbox.clock.now().getTime() + HOUR) / 1000) * 1000,
      );
      sandbox.clock.advance(HOUR - 1000);
      await client(sandbox, { token }).rest.repos.get({ owner: OWNER, repo: REPO });
      sandbox.clock.advance(1000);
      const refused = await failure(
        client(sandbox, { token }).rest.repos.get({ owner: OWNER, repo: REPO }),
      );
      expect(refused.status).toBe(401);
      expect(refused.data).toMatchObject({ message: 'Bad credentials' });
      const git = await authedGit(token, ['ls-remote', sandbox.gitUrl(OWNER, REPO)], {
        cwd: tempDir(),
      });
      expect(git.code).not.toBe(0);
      expect(git.stderr).toMatch(/401|Authentication failed|could not read Username/);
    } finally {
      sandbox.clock.set(null);
    }
  });

  test('of a read-only installation cannot write', async () => {
    const readOnly = sandbox.installApp(app.id, { owner: 'readers', readOnly: true });
    await sandbox.createRepository({
      owner: 'readers',
      repo: 'r',
      bundle: 'test/fixtures/example-release/example-release.bundle',
    });
    const { data } = await client(sandbox, {
      token: appJwt(sandbox, app),
    }).rest.apps.createInstallationAccessToken({ installation_id: readOnly });
    expect(data.permissions).toEqual({ contents: 'read', metadata: 'read', pull_requests: 'read' });
    const refused = await failure(
      client(sandbox, { token: data.token }).rest.pulls.create({
        owner: 'readers',
        repo: 'r',
        head: 'cut-a',
        base: 'main',
        title: 't',
      }),
    );
    expect(refused.status).toBe(403);
  });
});

// A GitHub App instead of a token, through the built bundles: the installation found from the
// repository, its tokens used by the API client and by git, and none of the App's secrets (the
// private key, a JWT, an installation token) anywhere in what the steps printed or ran.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type AppCredentials, type Sandbox } from '../../sandbox/index.js';
import { releaseCycle } from '../support/release-cycle.js';
import { EXAMPLE_BUNDLE, removeDir, tempDir } from '../support/repos.js';
import { git } from '../support/git.js';
import { lastLine, runBundle } from '../support/run-bundle.js';

const OWNER = 'acme';
let sandbox: Sandbox;
let app: AppCredentials;
let root: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  root = await tempDir('brp-app-');
  for (const repo of ['example-release', 'not-installed']) {
    await sandbox.createRepository({
      owner: OWNER,
      repo,
      bundle: EXAMPLE_BUNDLE,
      branches: ['main'],
      protectedBranches: ['main'],
    });
  }
  app = sandbox.createApp({ slug: 'release-app' });
  sandbox.installApp(app.id, { owner: OWNER, repositories: ['example-release'] });
});

afterAll(async () => {
  await sandbox.stop();
  await removeDir(root);
});

const appSource = (repo: string, extra: Record<string, unknown> = {}) => ({
  repository: `${OWNER}/${repo}`,
  app_id: app.id,
  private_key: app.privateKey,
  github_api_url: sandbox.apiUrl,
  ...extra,
});

describe('a GitHub App', () => {
  it('runs a whole release with installation tokens, and no secret of it is printed or in argv', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin);
    const realGit = join((await git(root, ['--exec-path'])).trim(), 'git');
    await writeFile(
      join(bin, 'git'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> "${join(root, 'argv.log')}"\nexec ${realGit} "$@"\n`,
    );
    await chmod(join(bin, 'git'), 0o755);
    const outputs = await releaseCycle({
      sandbox,
      owner: OWNER,
      repo: 'example-release',
      root,
      source: appSource('example-release', { debug: true }),
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });

    const log = sandbox.log();
    // Each step found the installation, made one token and used it for REST and git — but the
    // second check, which used the token the first one kept in /tmp (check → out → check → in).
    expect(log.filter((e) => e.route === 'GET /repos/{owner}/{repo}/installation')).toHaveLength(3);
    const minted = log.filter(
      (e) => e.route === 'POST /app/installations/{installation_id}/access_tokens',
    );
    expect(minted).toHaveLength(3);
    const byToken = log.filter((e) => e.tokenId !== null && !e.tokenId.startsWith('app-'));
    expect(new Set(byToken.map((e) => e.kind))).toEqual(new Set(['rest', 'git']));
    expect(new Set(byToken.map((e) => e.tokenId)).size).toBe(3);
    expect(sandbox.pulls(OWNER, 'example-release')[0]?.user).toBe('release-app[bot]');

    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    const argv = await readFile(join(root, 'argv.log'), 'utf8');
    for (const text of [printed, argv]) {
      expect(text).not.toMatch(/ghs_sandbox[0-9a-f]{8}/); // an installation token
      expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/); // a JWT
      for (const line of app.privateKey.split('\n').filter((l) => l.length > 20)) {
        expect(text).not.toContain(line);
      }
    }
    expect(printed).toMatch(/DEBUG/);
  });

  it.each([
    [
      'an App not installed on the repository',
      () => appSource('not-installed'),
      'error: GitHub App 301 is not installed on acme/not-installed (404): install it on the repository (Contents and Pull requests: read and write), or check source.app_id',
    ],
    [
      'a private key that is not one',
      () => appSource('example-release', { private_key: 'ssh-rsa AAAA' }),
      'error: source.private_key: not a PEM private key: paste the GitHub App private key (.pem) whole, with its BEGIN and END lines',
    ],
    [
      'another App’s key',
      () => appSource('example-release', { private_key: sandbox.createApp().privateKey }),
      "error: GitHub refused the GitHub App's JWT while finding the installation of GitHub App 301 on acme/example-release (401: A JSON web token could not be decoded): check source.app_id and source.private_key",
    ],
    [
      'an installation_id of no installation',
      () => appSource('example-release', { installation_id: 12345 }),
      'error: installation 12345 of GitHub App 301 was not found (404): check source.installation_id, or leave it out to find the installation from acme/example-release',
    ],
  ])('fails clearly with %s', async (_name, source, message) => {
    expect(app.id).toBe(301); // the sandbox's first App, as the messages say
    const result = await runBundle(
      'check',
      { source: source() },
      { env: { PATH: process.env.PATH, HOME: root } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lastLine(result.stderr)).toBe(message);
  });
});

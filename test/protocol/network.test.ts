// Where release engineers run the resource: GitHub Enterprise with an explicit git_url, HTTPS
// with a private CA (ca_certs) or none verified, and corporate proxies (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY) — for the API client and git alike, through the built bundles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';
import { startDecoy, startProxy } from '../support/proxy.js';
import { releaseCycle } from '../support/release-cycle.js';
import { EXAMPLE_BUNDLE, releaseCheckout, removeDir, tempDir } from '../support/repos.js';
import { git } from '../support/git.js';
import { lastLine, runBundle } from '../support/run-bundle.js';

const OWNER = 'acme';
// As bin/resource starts Node in the image (Node 24 honours them; Node 20 ignores them).
const IMAGE_ENV = { NODE_USE_ENV_PROXY: '1', NODE_USE_SYSTEM_CA: '1' };
let certificates: TestCertificates;
let https: Sandbox;
let http: Sandbox;
let root: string;
let count = 0;

beforeAll(async () => {
  certificates = makeCertificates();
  https = await startSandbox({ tls: { key: certificates.key, cert: certificates.cert } });
  http = await startSandbox();
  root = await tempDir('brp-network-');
});

afterAll(async () => {
  await https.stop();
  await http.stop();
  await removeDir(root);
});

/** A fresh copy of the example repository in `sandbox`, and a scratch directory. */
async function fresh(sandbox: Sandbox): Promise<{ repo: string; dir: string }> {
  const repo = `example-release-${++count}`;
  await sandbox.createRepository({
    owner: OWNER,
    repo,
    bundle: EXAMPLE_BUNDLE,
    branches: ['main'],
    protectedBranches: ['main'],
  });
  const dir = join(root, repo);
  await mkdir(dir);
  return { repo, dir };
}

function portOf(sandbox: Sandbox): number {
  return Number(new URL(sandbox.apiUrl).port);
}

const kinds = (sandbox: Sandbox, repo: string) =>
  new Set(
    sandbox
      .log()
      .filter((entry) => entry.repository === `${OWNER}/${repo}`)
      .map((entry) => entry.kind),
  );

/** check, then a put of cut-a (API reads and writes, git fetch and push), in `env`. */
async function checkAndPut(
  source: Record<string, unknown>,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const full = { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, ...IMAGE_ENV, ...env };
  const checked = await runBundle('check', { source }, { env: full });
  expect(checked.stderr).toBe('');
  expect(checked.code).toBe(0);
  await releaseCheckout(dir, 'cut-a', { name: 'build/release-repo' });
  const put = await runBundle(
    'out',
    { source, params: { repository: 'release-repo' } },
    { args: [join(dir, 'build')], env: full },
  );
  expect(lastLine(put.stderr)).toMatch(/INFO: created /);
  expect(put.code).toBe(0);
}

describe('GitHub Enterprise', () => {
  it('uses git_url as given for every git command of out, check and in', async () => {
    const { repo, dir } = await fresh(http);
    // git through a recorder: the URLs it was given are in its argv, and each command's line
    // ends with the repository's origin, the URL a fetch goes to.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const realGit = join((await git(dir, ['--exec-path'])).trim(), 'git');
    await writeFile(
      join(bin, 'git'),
      `#!/bin/sh\norigin=$(${realGit} config --get remote.origin.url 2>/dev/null)\nprintf '%s origin=%s\\n' "$*" "$origin" >> "${join(dir, 'argv.log')}"\nexec ${realGit} "$@"\n`,
    );
    await chmod(join(bin, 'git'), 0o755);
    const gitUrl = `http://localhost:${portOf(http)}/${OWNER}/${repo}.git`;
    await releaseCycle({
      sandbox: http,
      owner: OWNER,
      repo,
      root: dir,
      source: {
        repository: `${OWNER}/${repo}`,
        access_token: http.token,
        github_api_url: http.apiUrl,
        git_url: gitUrl,
      },
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    const argv = await readFile(join(dir, 'argv.log'), 'utf8');
    const fetches = argv.split('\n').filter((line) => line.startsWith('fetch '));
    expect(fetches.length).toBeGreaterThanOrEqual(2); // out's base and in's release
    for (const line of fetches) expect(line.endsWith(` origin=${gitUrl}`)).toBe(true);
    expect(argv).toContain(`push --porcelain --force-with-lease`);
    expect(argv).toContain(gitUrl);
    expect(argv).not.toContain(`127.0.0.1:${portOf(http)}/${OWNER}`);
    expect(argv).not.toContain(http.token);
  });
});

describe('certificates', () => {
  it('an HTTPS GitHub with a private CA works with ca_certs, through a proxy, for API and git', async () => {
    const { repo, dir } = await fresh(https);
    // The resource is given an address only the proxy reaches: whatever went around it would
    // land on the decoy.
    const decoy = await startDecoy();
    const proxy = await startProxy(new Map([[`127.0.0.1:${decoy.port}`, portOf(https)]]));
    try {
      const outputs = await releaseCycle({
        sandbox: https,
        owner: OWNER,
        repo,
        root: dir,
        source: {
          repository: `${OWNER}/${repo}`,
          access_token: https.token,
          github_api_url: `https://127.0.0.1:${decoy.port}/api/v3`,
          ca_certs: certificates.ca,
          debug: true,
        },
        env: { ...IMAGE_ENV, HTTPS_PROXY: proxy.url },
      });
      expect(decoy.connections()).toBe(0);
      expect(kinds(https, repo)).toEqual(new Set(['rest', 'git']));
      expect(proxy.entries.length).toBeGreaterThan(4);
      expect(proxy.entries.every((entry) => entry.kind === 'connect')).toBe(true);
      expect(proxy.entries.some((entry) => entry.userAgent.startsWith('git/'))).toBe(true);
      for (const output of outputs) expect(output.stderr).not.toContain(https.token);
    } finally {
      await proxy.stop();
      await decoy.stop();
    }
  });

  it('skip_ssl_verification reaches an HTTPS GitHub no CA vouches for', async () => {
    const { repo, dir } = await fresh(https);
    const source = {
      repository: `${OWNER}/${repo}`,
      access_token: https.token,
      github_api_url: https.apiUrl,
      skip_ssl_verification: true,
    };
    await checkAndPut(source, dir, {});
    expect(kinds(https, repo)).toEqual(new Set(['rest', 'git']));
  });

  it('an untrusted certificate fails with what to do', async () => {
    const { repo, dir } = await fresh(https);
    const source = {
      repository: `${OWNER}/${repo}`,
      access_token: https.token,
      github_api_url: https.apiUrl,
    };
    const result = await runBundle(
      'check',
      { source },
      { env: { PATH: process.env.PATH, HOME: dir } },
    );
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(
      /^error: the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): .*source\.ca_certs.*skip_ssl_verification/,
    );
  });
});

describe('proxies', () => {
  it('HTTP_PROXY: git is forwarded and the API tunnelled, nothing goes around the proxy', async () => {
    const { repo, dir } = await fresh(http);
    const decoy = await startDecoy();
    const proxy = await startProxy(new Map([[`127.0.0.1:${decoy.port}`, portOf(http)]]));
    try {
      const source = {
        repository: `${OWNER}/${repo}`,
        access_token: http.token,
        github_api_url: `http://127.0.0.1:${decoy.port}/api/v3`,
      };
      // curl reads only the lower-case http_proxy (httpoxy); undici reads both.
      await checkAndPut(source, dir, { HTTP_PROXY: proxy.url, http_proxy: proxy.url });
      expect(decoy.connections()).toBe(0);
      expect(kinds(http, repo)).toEqual(new Set(['rest', 'git']));
      expect(new Set(proxy.entries.map((entry) => entry.kind))).toEqual(
        new Set(['connect', 'forward']),
      );
      expect(
        proxy.entries
          .filter((entry) => entry.kind === 'forward')
          .every((entry) => entry.userAgent.startsWith('git/')),
      ).toBe(true);
    } finally {
      await proxy.stop();
      await decoy.stop();
    }
  });

  it('NO_PROXY: a listed host is reached directly by the API client and git', async () => {
    const { repo, dir } = await fresh(http);
    const proxy = await startProxy();
    try {
      const source = {
        repository: `${OWNER}/${repo}`,
        access_token: http.token,
        github_api_url: http.apiUrl,
      };
      await checkAndPut(source, dir, {
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        http_proxy: proxy.url,
        NO_PROXY: 'github.example.com,127.0.0.1',
      });
      expect(kinds(http, repo)).toEqual(new Set(['rest', 'git']));
      expect(proxy.entries).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});

// git where the image runs it: curl's certificate refusals in the words of each TLS library and
// version (Debian's git uses GnuTLS; trixie's curl words them differently from bookworm's), and a
// release checkout that a task running as another user handed to the put.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { FINAL_CONFIG_PATH, isMetadataFile, METADATA_DIRS } from '../../src/bosh/index.js';
import { createGit } from '../../src/git/client.js';
import type { GitRemote } from '../../src/git/git.js';
import { fixedCredential } from '../../src/github/credential.js';
import { METADATA_SPARSE_PATTERNS } from '../../src/io/metadata-dir.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';
import { handTo } from '../support/ownership.js';
import { EXAMPLE_BUNDLE, releaseCheckout, removeDir, tempDir } from '../support/repos.js';
import { git } from '../support/git.js';

const log = createLogger({ debug: false, secrets: new SecretRegistry(), write: () => undefined });
let root: string;

beforeAll(async () => {
  root = await tempDir('brp-git-worker-');
});

afterAll(async () => removeDir(root));

const TRUST = (origin: string, cause?: string) =>
  `git does not trust the certificate of ${origin}: set source.ca_certs to the PEM of the CA that issued it, or source.skip_ssl_verification: true${cause === undefined ? '' : ` (${cause})`}`;
const NO_BUNDLE = (origin: string) =>
  `git found no CA certificates to check ${origin} against (the worker's /etc/ssl/certs has no ca-certificates.crt): set source.ca_certs to the PEM of the CA that issued its certificate, or source.skip_ssl_verification: true`;
const WRONG_HOST = (origin: string) =>
  `the certificate of ${origin} does not name its host (git): check source.git_url and source.github_api_url, or source.skip_ssl_verification: true`;

describe('certificate refusals, in the words of each curl', () => {
  const origin = 'https://git.example.com';
  const remote: GitRemote = { url: `${origin}/acme/r.git`, token: undefined };
  const unable = `fatal: unable to access '${origin}/acme/r.git/': `;
  // Verbatim from curl's lib/vtls/gtls.c and openssl.c (https://github.com/curl/curl), by version.
  const cases: Array<[string, string, string | undefined]> = [
    [
      'GnuTLS, curl 8.10-8.16 (trixie: the image)',
      'server verification failed: certificate signer not trusted. (CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none)',
      TRUST(origin, 'certificate signer not trusted'),
    ],
    [
      'GnuTLS, curl >= 8.17',
      'SSL certificate verification failed: certificate signer not trusted. (CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none)',
      TRUST(origin, 'certificate signer not trusted'),
    ],
    [
      'GnuTLS, curl < 8.10 (bookworm)',
      'server certificate verification failed. CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none',
      TRUST(origin),
    ],
    [
      'GnuTLS, an expired certificate',
      'server verification failed: certificate has expired. (CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none)',
      TRUST(origin, 'certificate has expired'),
    ],
    [
      'OpenSSL',
      'SSL certificate problem: unable to get local issuer certificate',
      TRUST(origin, 'unable to get local issuer certificate'),
    ],
    [
      'OpenSSL, a self-signed chain',
      'SSL certificate problem: self-signed certificate in certificate chain',
      TRUST(origin, 'self-signed certificate in certificate chain'),
    ],
    [
      'no CA bundle (GnuTLS)',
      'Problem with the SSL CA cert (path? access rights?)',
      NO_BUNDLE(origin),
    ],
    [
      'no CA bundle (OpenSSL, curl < 8.17)',
      'error setting certificate file: /etc/ssl/certs/ca-certificates.crt',
      NO_BUNDLE(origin),
    ],
    [
      'no CA bundle (OpenSSL, curl >= 8.17)',
      'error adding trust anchors from file: /etc/ssl/certs/ca-certificates.crt',
      NO_BUNDLE(origin),
    ],
    [
      'another host name (OpenSSL)',
      "SSL: no alternative certificate subject name matches target host name 'git.example.com'",
      WRONG_HOST(origin),
    ],
    [
      'another host name (GnuTLS)',
      "SSL: certificate subject name (other.example.com) does not match target host name 'git.example.com'",
      WRONG_HOST(origin),
    ],
    [
      'a failure that is not about certificates',
      'Could not resolve host: git.example.com',
      undefined,
    ],
  ];

  // A git that fails fetch and push with the given words, as curl would, and is git otherwise.
  let fakeBin: string;
  beforeAll(async () => {
    fakeBin = join(root, 'fake-bin');
    await mkdir(fakeBin);
    const realGit = join((await git(root, ['--exec-path'])).trim(), 'git');
    await writeFile(
      join(fakeBin, 'git'),
      `#!/bin/sh\ncase "$1" in fetch|push) printf '%s%s\\n' "$CURL_SAYS_PREFIX" "$CURL_SAYS" >&2; exit 128 ;; esac\nexec ${realGit} "$@"\n`,
    );
    await chmod(join(fakeBin, 'git'), 0o755);
  });

  const failing = (words: string) =>
    createGit({
      log,
      env: {
        PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
        HOME: root,
        CURL_SAYS: words,
        CURL_SAYS_PREFIX: unable,
      },
      retryDelayMs: 1,
    });

  it.each(cases)('%s: a fetch says what to do', async (_, words, expected) => {
    const dir = join(root, `fetch-${Math.random().toString(36).slice(2)}`);
    const fetching = failing(words).fetchCommit({
      remote,
      ref: 'main',
      dir,
      sparse: METADATA_SPARSE_PATTERNS,
    });
    if (expected === undefined) {
      await expect(fetching).rejects.toThrow(`fetching main from ${remote.url}`);
    } else {
      await expect(fetching).rejects.toThrow(expected);
    }
  });

  it('a push says the same', async () => {
    const dir = join(root, 'push');
    await mkdir(dir);
    await git(dir, ['init', '--quiet']);
    const [, words, expected] = cases[0] ?? [];
    await expect(
      failing(words ?? '').push({
        dir,
        remote,
        sha: 'a'.repeat(40),
        branch: 'bosh-release-pr/main/example',
        lease: { kind: 'absent' },
      }),
    ).rejects.toThrow(expected);
  });
});

describe('certificate refusals of the real git, against an HTTPS sandbox', () => {
  let certificates: TestCertificates;
  let sandbox: Sandbox;
  let remote: GitRemote;

  beforeAll(async () => {
    certificates = makeCertificates();
    sandbox = await startSandbox({ tls: { key: certificates.key, cert: certificates.cert } });
    await sandbox.createRepository({
      owner: 'acme',
      repo: 'r',
      bundle: EXAMPLE_BUNDLE,
      branches: ['main'],
    });
    remote = { url: sandbox.gitUrl('acme', 'r'), token: fixedCredential(sandbox.token) };
  });

  afterAll(async () => sandbox.stop());

  /** git with a user configuration of its own ($HOME/.gitconfig), as a worker's might be. */
  async function gitWithConfig(name: string, config: string) {
    const home = join(root, name);
    await mkdir(home);
    await writeFile(join(home, '.gitconfig'), config);
    return createGit({ log, env: { PATH: process.env.PATH, HOME: home }, retryDelayMs: 1 });
  }

  it('a CA bundle git cannot read is not an unexpected failure', async () => {
    const subject = await gitWithConfig('no-bundle', '[http]\n\tsslCAInfo = /nonexistent/ca.crt\n');
    await expect(
      subject.fetchCommit({
        remote,
        ref: 'main',
        dir: join(root, 'no-bundle-fetch'),
        sparse: METADATA_SPARSE_PATTERNS,
      }),
    ).rejects.toThrow(NO_BUNDLE(new URL(remote.url).origin));
  });

  it('a certificate for another host name says so', async () => {
    const port = new URL(remote.url).port;
    const caFile = join(root, 'ca.pem');
    await writeFile(caFile, certificates.ca);
    // git.example.test resolves to the sandbox (curl's --resolve): a name its certificate lacks.
    const subject = await gitWithConfig(
      'wrong-host',
      `[http]\n\tsslCAInfo = ${caFile}\n\tcurloptResolve = git.example.test:${port}:127.0.0.1\n`,
    );
    const url = `https://git.example.test:${port}/acme/r.git`;
    await expect(
      subject.fetchCommit({
        remote: { ...remote, url },
        ref: 'main',
        dir: join(root, 'host'),
        sparse: METADATA_SPARSE_PATTERNS,
      }),
    ).rejects.toThrow(WRONG_HOST(`https://git.example.test:${port}`));
  });
});

// Only root can hand a directory to another user; CI and the image's tests run as root.
const asRoot = process.getuid?.() === 0;

describe('a release checkout owned by another user', () => {
  (asRoot ? it : it.skip)(
    'is trusted for the put’s own commands, and for nothing else (root only)',
    async () => {
      const checkout = await releaseCheckout(root, 'cut-a', { name: 'task-output' });
      await handTo('4242:4242', checkout);
      // What git says without the trust: the refusal this test is about.
      await expect(git(checkout, ['rev-parse', '--show-toplevel'])).rejects.toThrow(
        /dubious ownership/,
      );

      const home = join(root, 'home');
      await mkdir(home);
      const subject = createGit({ log, env: { PATH: process.env.PATH, HOME: home } });
      expect(await subject.topLevel(checkout)).toBe(checkout);
      const head = await subject.resolveCommit(checkout, 'HEAD');
      expect(head).toMatch(/^[0-9a-f]{40}$/);
      expect(await subject.changedPaths(checkout, head ?? '')).toContain(
        'releases/example/example-3.yml',
      );
      expect(
        (
          await subject.readCommitFiles(checkout, head ?? '', {
            paths: [FINAL_CONFIG_PATH, ...METADATA_DIRS],
            select: isMetadataFile,
          })
        ).has('config/final.yml'),
      ).toBe(true);

      // Only that directory, and only for those commands: no configuration was written.
      expect(await subject.topLevel(join(checkout, 'releases'))).toBeUndefined();
      expect(existsSync(join(home, '.gitconfig'))).toBe(false);
      expect(await readFile(join(checkout, '.git/config'), 'utf8')).not.toContain('safe');
      await expect(git(checkout, ['rev-parse', '--show-toplevel'])).rejects.toThrow(
        /dubious ownership/,
      );
    },
  );
});

// The resource image run as Concourse runs it, against the GitHub sandbox over HTTPS (scripts/image.sh
// steps). Each step is `podman run` of /opt/resource/{check,in,out} with one JSON request on stdin:
// the worker's CA store mounted at /etc/ssl/certs, the proxy variables a worker passes, a put's
// build directory at /tmp/build/put holding the checkout of a task that ran as another user, and
// an instanced pipeline's BUILD_* variables. The API and git reach the sandbox only through a
// CONNECT proxy: the address they are given leads nowhere else.
//   node dist/tools/image-steps.mjs --image IMAGE -- podman [options] run [run options]
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { makeCertificates } from '../../test/support/certificates.js';
import { handTo, snapshot } from '../../test/support/ownership.js';
import { startDecoy, startProxy } from '../../test/support/proxy.js';
import { git } from '../../test/support/git.js';
import { EXAMPLE_BUNDLE, releaseCheckout } from '../../test/support/repos.js';
import { runProcess } from '../../test/support/run-bundle.js';

const OWNER = 'acme';
const REPO = 'example-release';
// The uid a task image's non-root user often has (e.g. `vcap`, `node`): the put's checkout is its.
const TASK_USER = '1000:1000';

const { values, positionals: podmanRun } = parseArgs({
  options: { image: { type: 'string' } },
  allowPositionals: true,
});
if (values.image === undefined || podmanRun.length === 0) {
  console.error('usage: image-steps --image IMAGE -- podman [options] run [run options]');
  process.exit(2);
}
const image = values.image;

interface Step {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string;
}
const steps: Step[] = [];

const work = await mkdtemp(join(tmpdir(), 'brp-image-steps-'));
const trusted = makeCertificates('bosh-release-pr image steps CA');
const other = makeCertificates('a CA no worker trusts');
const sandbox = await startSandbox({ tls: { key: trusted.key, cert: trusted.cert } });
const untrusted = await startSandbox({ tls: { key: other.key, cert: other.cert } });
const decoy = await startDecoy();
const port = (box: Sandbox) => Number(new URL(box.apiUrl).port);
const proxy = await startProxy(new Map([[`127.0.0.1:${decoy.port}`, port(sandbox)]]));

try {
  for (const box of [sandbox, untrusted]) {
    await box.createRepository({
      owner: OWNER,
      repo: REPO,
      bundle: EXAMPLE_BUNDLE,
      branches: ['main'],
      protectedBranches: ['main'],
    });
  }
  // A Debian worker's store (the bundle and OpenSSL's hashed names), and one without the bundle
  // file, as a store laid out otherwise (RHEL's ca-bundle.crt) is for Debian's git.
  const hash = (await command('openssl', ['x509', '-hash', '-noout'], trusted.ca)).trim();
  const debianStore = join(work, 'certs-debian');
  const hashesOnly = join(work, 'certs-hashes-only');
  for (const store of [debianStore, hashesOnly]) {
    await mkdir(store);
    await writeFile(join(store, `${hash}.0`), trusted.ca);
  }
  await writeFile(join(debianStore, 'ca-certificates.crt'), trusted.ca);

  // Only the proxy knows where this address leads (to the sandbox); direct, it is the decoy.
  const source = {
    repository: `${OWNER}/${REPO}`,
    access_token: sandbox.token,
    github_api_url: `https://127.0.0.1:${decoy.port}/api/v3`,
  };
  // What a Concourse worker passes (atc/worker/gardenruntime/worker.go): lower-case proxies.
  const worker = { https_proxy: proxy.url, http_proxy: proxy.url, no_proxy: 'localhost' };
  const build = {
    ATC_EXTERNAL_URL: 'https://ci.example.com',
    BUILD_ID: '9071',
    BUILD_NAME: '3',
    BUILD_TEAM_NAME: 'main',
    BUILD_PIPELINE_NAME: 'release',
    BUILD_PIPELINE_INSTANCE_VARS: '{"line":"1.x"}',
    BUILD_JOB_NAME: 'cut-final-release',
  };
  const buildUrl =
    'https://ci.example.com/teams/main/pipelines/release/jobs/cut-final-release/builds/3?vars.line=%221.x%22';

  const [start] = (await step('check: the starting version', {
    args: ['/opt/resource/check'],
    request: { source },
    certs: debianStore,
    env: worker,
  })) as Array<Record<string, string>>;
  assert.equal(start?.version, '2');

  const put = join(work, 'put');
  await mkdir(put);
  const checkout = await releaseCheckout(put, 'cut-a', { name: 'release-repo' });
  await handTo(TASK_USER, checkout);
  const before = await snapshot(checkout);
  const proxied = proxy.entries.length;
  const out = (await step('out: a release PR from a checkout the task user owns', {
    args: ['/opt/resource/out', '/tmp/build/put'],
    request: { source, params: { repository: 'release-repo' } },
    certs: debianStore,
    env: { ...worker, ...build },
    mounts: [[put, '/tmp/build/put']],
    workdir: '/tmp/build/put',
  })) as { version: unknown; metadata: Array<{ name: string; value: string }> };
  assert.deepEqual(out.version, start);
  assert.ok(out.metadata.some((m) => m.name === 'operation' && m.value === 'created'));
  const [pull] = sandbox.pulls(OWNER, REPO);
  assert.ok(pull !== undefined, 'out opened no pull request');
  assert.ok(pull.body?.includes(`(${buildUrl})`), `the PR body links to ${buildUrl}`);
  const message = await git(sandbox.bareRepoPath(OWNER, REPO), [
    'log',
    '-1',
    '--format=%B',
    pull.headSha,
  ]);
  assert.ok(message.includes(`\nConcourse-Build: ${buildUrl}\n`), message);
  assert.deepEqual(await snapshot(checkout), before, 'the put changed the checkout');
  const tunnels = proxy.entries.slice(proxied);
  assert.ok(tunnels.every((entry) => entry.kind === 'connect'));
  assert.ok(
    tunnels.some((entry) => entry.userAgent.startsWith('git/')),
    'git went through the proxy',
  );

  const ref = await sandbox.mergePull(OWNER, REPO, pull.number);
  const version = { version: '3', pr: String(pull.number), ref };
  assert.deepEqual(
    await step('check: the merged release PR', {
      args: ['/opt/resource/check'],
      request: { source, version: start },
      certs: debianStore,
      env: worker,
    }),
    [start, version],
  );

  const get = join(work, 'get');
  await mkdir(get);
  await step('in: the merged release', {
    args: ['/opt/resource/in', '/tmp/build/get/release-pr'],
    request: { source, version },
    certs: debianStore,
    env: { ...worker, ...build },
    mounts: [[get, '/tmp/build/get']],
    workdir: '/tmp/build/get',
  });
  assert.equal(await readFile(join(get, 'release-pr/version'), 'utf8'), '3');
  assert.deepEqual((await readdir(join(get, 'release-pr/releases/example'))).sort(), [
    'example-3.yml',
    'index.yml',
  ]);

  await step('in: a store without ca-certificates.crt fails saying so', {
    args: ['/opt/resource/in', '/tmp/dest'],
    request: { source, version },
    certs: hashesOnly,
    env: worker,
    fails:
      /^error: git found no CA certificates to check https:\/\/127\.0\.0\.1:\d+ against .*source\.ca_certs/,
  });
  await step('in: the same store with source.ca_certs', {
    args: ['/opt/resource/in', '/tmp/dest'],
    request: { source: { ...source, ca_certs: trusted.ca }, version },
    certs: hashesOnly,
    env: worker,
  });
  await step('check: the image’s own store with source.ca_certs', {
    args: ['/opt/resource/check'],
    request: { source: { ...source, ca_certs: trusted.ca }, version },
    env: worker,
  });
  await step('in: git_url with a certificate no CA vouches for fails saying so', {
    args: ['/opt/resource/in', '/tmp/dest'],
    request: { source: { ...source, git_url: untrusted.gitUrl(OWNER, REPO) }, version },
    certs: debianStore,
    env: worker,
    fails:
      /^error: git does not trust the certificate of https:\/\/127\.0\.0\.1:\d+: set source\.ca_certs .*\(certificate signer not trusted\)$/,
  });

  assert.equal(decoy.connections(), 0, 'something went around the proxy');
} catch (error) {
  // A failed step is recorded already; anything else is a check after a step that failed.
  if (steps.at(-1)?.ok !== false) {
    steps.push({
      name: 'a check after the step above',
      ok: false,
      seconds: 0,
      detail: String(error),
    });
  }
} finally {
  await proxy.stop();
  await decoy.stop();
  await sandbox.stop();
  await untrusted.stop();
  await rm(work, { recursive: true, force: true });
}

console.log(`\n| step | result | time |\n| --- | --- | --- |`);
for (const { name, ok, seconds, detail } of steps) {
  console.log(
    `| ${name} | ${ok ? 'ok' : 'FAILED'}: ${detail.replace(/\|/g, '\\|')} | ${seconds.toFixed(1)} s |`,
  );
}
process.exit(steps.every((s) => s.ok) ? 0 : 1);

/**
 * Runs one step in a fresh container, as Concourse does: the request on stdin, one JSON document
 * expected on stdout (returned), or with `fails`, exit 1 and that last line on stderr. Records it.
 */
async function step(
  name: string,
  options: {
    args: string[];
    request: unknown;
    certs?: string;
    env: Record<string, string>;
    mounts?: Array<[string, string]>;
    workdir?: string;
    fails?: RegExp;
  },
): Promise<unknown> {
  const [podman = 'podman', ...rest] = podmanRun;
  const args = [...rest, '-i'];
  if (options.certs !== undefined) args.push('-v', `${options.certs}:/etc/ssl/certs:ro`);
  for (const [from, to] of options.mounts ?? []) args.push('-v', `${from}:${to}`);
  for (const [key, value] of Object.entries(options.env)) args.push('-e', `${key}=${value}`);
  if (options.workdir !== undefined) args.push('-w', options.workdir);
  args.push(image, ...options.args);
  const started = performance.now();
  const result = await runProcess(podman, JSON.stringify(options.request), {
    args,
    env: process.env,
  });
  const seconds = (performance.now() - started) / 1000;
  const last = result.stderr.trimEnd().split('\n').at(-1) ?? '';
  const record = (ok: boolean, detail: string) => steps.push({ name, ok, seconds, detail });
  for (const output of [result.stdout, result.stderr]) {
    if (output.includes(sandbox.token)) {
      record(false, 'printed the token');
      throw new Error(`${name}: printed the token`);
    }
  }
  if (options.fails !== undefined) {
    if (result.code === 1 && result.stdout === '' && options.fails.test(last)) {
      record(true, `exit 1, \`${last}\``);
      return undefined;
    }
    record(false, `exit ${result.code}, \`${last}\``);
    throw new Error(`${name}: ${result.stderr}`);
  }
  const lines = result.stdout.trimEnd().split('\n');
  if (result.code !== 0 || lines.length !== 1) {
    record(false, `exit ${result.code}, \`${last}\``);
    throw new Error(`${name}: exit ${result.code}\n${result.stderr}`);
  }
  const document = JSON.parse(result.stdout) as unknown;
  const said = last === '' ? result.stdout.trim() : last;
  record(true, `\`${said.length > 120 ? `${said.slice(0, 119)}…` : said}\``);
  return document;
}

async function command(file: string, args: string[], stdin = ''): Promise<string> {
  const result = await runProcess(file, stdin, { args, env: process.env });
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

// Mirrors the Dockerfile's resource stage without a Docker engine: the bundles and the wrapper
// installed into a temporary opt/resource far from any node_modules, started as Concourse does.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { EXAMPLE_BUNDLE } from '../support/repos.js';
import { lastLine, PROJECT_ROOT, RESOURCE_NODE, runProcess } from '../support/run-bundle.js';

let root: string;
let resource: string;
let pathWithNode: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'brp-image-'));
  resource = join(root, 'opt/resource');
  await mkdir(join(resource, 'lib'), { recursive: true });
  for (const step of ['check', 'in', 'out']) {
    await copyFile(join(PROJECT_ROOT, 'dist', `${step}.mjs`), join(resource, 'lib', `${step}.mjs`));
    await copyFile(join(PROJECT_ROOT, 'bin/resource'), join(resource, step));
    await chmod(join(resource, step), 0o755);
  }
  // Only `node` on PATH, as in the image (plus /usr/bin for the shell's dirname/basename).
  await mkdir(join(root, 'bin'));
  await symlink(RESOURCE_NODE, join(root, 'bin/node'));
  pathWithNode = `${join(root, 'bin')}:/usr/bin:/bin`;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  await sandbox.createRepository({
    owner: 'acme',
    repo: 'example-release',
    bundle: EXAMPLE_BUNDLE,
    branches: ['main'],
  });
});

afterAll(async () => {
  await sandbox.stop();
});

describe('the resource as installed in the image', () => {
  it('/opt/resource/check runs its bundle with no node_modules in reach', async () => {
    const source = {
      repository: 'acme/example-release',
      access_token: sandbox.token,
      github_api_url: sandbox.apiUrl,
    };
    const result = await runProcess(join(resource, 'check'), JSON.stringify({ source }), {
      cwd: root,
      env: { PATH: pathWithNode, TMPDIR: root },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ version: '2', pr: '' })]);
  });

  it.each([
    ['in', ['/tmp/dest'], { version: { version: '1', pr: '1', ref: 'b'.repeat(40) } }],
    ['out', ['/tmp/src'], { params: { repository: 'release-repo' } }],
  ])('/opt/resource/%s runs its bundle', async (step, args, request) => {
    const source = { repository: 'acme/example-release', acces_token: 'x' };
    const result = await runProcess(join(resource, step), JSON.stringify({ source, ...request }), {
      args,
      cwd: root,
      env: { PATH: pathWithNode },
    });
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      'error: source.acces_token: unknown field, did you mean access_token?',
    );
  });

  it('starts Node with the system CA store and the proxy variables turned on', async () => {
    const fakeBin = join(root, 'fake-bin');
    await mkdir(fakeBin);
    await writeFile(
      join(fakeBin, 'node'),
      '#!/bin/sh\necho "$NODE_USE_SYSTEM_CA $NODE_USE_ENV_PROXY $HTTPS_PROXY $*"\n',
      { mode: 0o755 },
    );
    const result = await runProcess(join(resource, 'in'), '{}', {
      args: ['/tmp/dest'],
      env: { PATH: `${fakeBin}:/usr/bin:/bin`, HTTPS_PROXY: 'http://proxy.example:3128' },
    });
    expect(result.stdout.trim()).toBe(
      `1 1 http://proxy.example:3128 ${join(resource, 'lib/in.mjs')} /tmp/dest`,
    );
  });
});

// What the image build promises (README, Development), checked where a change would break it.
describe('the Dockerfile', () => {
  const read = (file: string) => readFile(join(PROJECT_ROOT, file), 'utf8');

  it('pins both bases by tag and digest, Node at the version the tests run under', async () => {
    const dockerfile = await read('Dockerfile');
    const node = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-trixie-slim@sha256:[0-9a-f]{64}$/m.exec(
      dockerfile,
    );
    expect(node).not.toBeNull();
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=debian:13\.\d+-slim@sha256:[0-9a-f]{64}$/m);
    expect(await read('scripts/node24.sh')).toContain(`version=${node?.[1]}\n`);
    expect(dockerfile).not.toMatch(/^# syntax=/m); // no frontend fetched from a registry
  });

  it('builds the resource without the tests: the default target does not depend on them', async () => {
    const dockerfile = await read('Dockerfile');
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
    expect(stages.at(-1)?.trim()).toBe('FROM resource');
    expect(stages.find((stage) => / AS tests$/m.test(stage))).toMatch(/^FROM resource AS tests$/m);
    expect(dockerfile).not.toMatch(/--from=tests/);
  });

  it('sends no dependencies, build output or history as context', async () => {
    const ignored = (await read('.dockerignore')).split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.cache']));
  });
});

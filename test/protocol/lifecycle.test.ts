// The built bundles, spawned as Concourse spawns them, through a whole release lifecycle on the
// sandbox: check → put (PR opened) → merge → check → get. Exactly one JSON document on stdout,
// logs on stderr, and the token nowhere, with debug on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { EXAMPLE_BUNDLE, releaseCheckout, removeDir, tempDir } from '../support/repos.js';
import { runBundle, type StepResult } from '../support/run-bundle.js';

let sandbox: Sandbox;
let root: string;
let source: Record<string, unknown>;
const outputs: StepResult[] = [];

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: root,
  TMPDIR: root,
  BUILD_ID: '42',
  BUILD_NAME: '3',
  BUILD_JOB_NAME: 'cut',
  BUILD_PIPELINE_NAME: 'release',
  BUILD_TEAM_NAME: 'main',
  ATC_EXTERNAL_URL: 'https://ci.example.com',
});

async function run(
  step: 'check' | 'in' | 'out',
  request: unknown,
  args: string[] = [],
): Promise<unknown> {
  const result = await runBundle(step, request, { args, env: env() });
  outputs.push(result);
  if (result.code !== 0) throw new Error(`${step} failed (${result.code}): ${result.stderr}`);
  expect(result.stdout.endsWith('\n')).toBe(true);
  expect(result.stdout.trimEnd().split('\n')).toHaveLength(1); // one document, one line
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  sandbox = await startSandbox();
  root = await tempDir('brp-lifecycle-');
  await sandbox.createRepository({
    owner: 'acme',
    repo: 'example-release',
    bundle: EXAMPLE_BUNDLE,
    branches: ['main'],
    protectedBranches: ['main'],
  });
  source = {
    repository: 'acme/example-release',
    access_token: sandbox.token,
    github_api_url: sandbox.apiUrl,
    debug: true,
  };
});

afterAll(async () => {
  await sandbox.stop();
  await removeDir(root);
});

describe('the bundles through a release lifecycle', () => {
  it('check → out → merge → check → in', async () => {
    const [start] = (await run('check', { source })) as Array<Record<string, string>>;
    expect(start).toMatchObject({ version: '2', pr: '' });
    for (const version of [null, { pr: '' }, { ...start, future_key: 'ignored' }]) {
      expect(await run('check', { source, version })).toEqual([start]);
    }

    const build = join(root, 'build');
    await releaseCheckout(root, 'cut-a', { name: 'build/release-repo' });
    const put = (await run('out', { source, params: { repository: 'release-repo' } }, [build])) as {
      version: Record<string, string>;
      metadata: Array<{ name: string; value: string }>;
    };
    expect(put.version).toEqual(start); // a put triggers nothing
    expect(put.metadata).toContainEqual({ name: 'operation', value: 'created' });
    expect(outputs.at(-1)?.stderr).toMatch(
      /INFO: created http:\/\/127\.0\.0\.1:\d+\/acme\/example-release\/pull\/1/,
    );

    const ref = await sandbox.mergePull('acme', 'example-release', 1);
    const versions = await run('check', { source, version: start });
    expect(versions).toEqual([start, { version: '3', pr: '1', ref }]);

    const dest = join(root, 'dest');
    const got = (await run('in', { source, version: { version: '3', pr: '1', ref } }, [dest])) as {
      version: unknown;
    };
    expect(got.version).toEqual({ version: '3', pr: '1', ref });
    expect(await readFile(join(dest, 'version'), 'utf8')).toBe('3');
    expect((await readdir(join(dest, 'releases/example'))).sort()).toEqual([
      'example-3.yml',
      'index.yml',
    ]);
  });

  it('printed the token nowhere', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(7);
    for (const output of outputs) {
      expect(output.stdout).not.toContain(sandbox.token);
      expect(output.stderr).not.toContain(sandbox.token);
      expect(output.stderr).toMatch(/DEBUG/);
    }
  });
});

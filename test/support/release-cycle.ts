// One release through the built bundles, as Concourse runs them: check → out (cut-a) → merge →
// check → in, each step asserted to succeed with exactly one JSON document on stdout.
import { expect } from '@jest/globals';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../../sandbox/index.js';
import { releaseCheckout } from './repos.js';
import { runBundle, type StepResult } from './run-bundle.js';

export interface CycleOptions {
  sandbox: Sandbox;
  owner: string;
  repo: string;
  source: Record<string, unknown>;
  /** The steps' environment (PATH and HOME are added). */
  env?: NodeJS.ProcessEnv;
  /** A scratch directory of the test's own. */
  root: string;
}

/** Runs the cycle; returns every step's output (for secret scans), failing on any step's error. */
export async function releaseCycle(options: CycleOptions): Promise<StepResult[]> {
  const { sandbox, owner, repo, source, root } = options;
  const outputs: StepResult[] = [];
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    TMPDIR: root,
    BUILD_ID: '42',
    BUILD_NAME: '3',
    BUILD_JOB_NAME: 'cut',
    BUILD_PIPELINE_NAME: 'release',
    BUILD_TEAM_NAME: 'main',
    ATC_EXTERNAL_URL: 'https://ci.example.com',
    ...options.env,
  };
  const run = async (step: 'check' | 'in' | 'out', request: unknown, args: string[] = []) => {
    const result = await runBundle(step, request, { args, env });
    outputs.push(result);
    if (result.code !== 0) throw new Error(`${step} failed (${result.code}): ${result.stderr}`);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    return JSON.parse(result.stdout) as unknown;
  };

  const [start] = (await run('check', { source })) as Array<Record<string, string>>;
  expect(start).toMatchObject({ version: '2', pr: '' });
  const build = join(root, 'build');
  await mkdir(build, { recursive: true });
  await releaseCheckout(root, 'cut-a', { name: 'build/release-repo' });
  const put = (await run('out', { source, params: { repository: 'release-repo' } }, [build])) as {
    metadata: Array<{ name: string; value: string }>;
  };
  expect(put.metadata).toContainEqual({ name: 'operation', value: 'created' });
  const [pull] = sandbox.pulls(owner, repo);
  if (pull === undefined) throw new Error('out opened no pull request');
  const ref = await sandbox.mergePull(owner, repo, pull.number);
  const version = { version: '3', pr: String(pull.number), ref };
  expect(await run('check', { source, version: start })).toEqual([start, version]);
  const dest = join(root, 'dest');
  await run('in', { source, version }, [dest]);
  expect(await readFile(join(dest, 'version'), 'utf8')).toBe('3');
  return outputs;
}

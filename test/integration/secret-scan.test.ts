// The secret scan (docs/secrets-and-errors.md): a whole release lifecycle with its failures, faults
// and refusals, then a search for the token in everything the resource produced — every log line,
// every result and error, PR titles and bodies, commit messages, the files `in` wrote, every
// .git/config on disk, and the argv of every git command it ran.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../src/errors.js';
import { git } from '../support/git.js';
import { runBundle } from '../support/run-bundle.js';
import { OWNER, World, type StepRun } from '../support/world.js';

let world: World;
const runs: Array<StepRun<unknown>> = [];
const dests: string[] = [];

async function filesUnder(dir: string, name?: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && (name === undefined || entry.name === name))
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  world = await World.start();
  const repo = await world.repository();
  const record = <T>(run: StepRun<T>): StepRun<T> => {
    runs.push(run);
    return run;
  };
  record(await world.check(repo));
  world.sandbox.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', kind: 'lost' });
  record(
    await world.put(repo, await world.buildDir('cut-a'), {
      labels: ['release'],
      reviewers: ['alice'],
    }),
  );
  record(await world.put(repo, await world.buildDir('cut-a')));
  record(await world.put(repo, await world.buildDir('cut-b')));
  world.sandbox.injectFault({ route: 'git-upload-pack', kind: 'reset', times: 2 });
  record(
    await world.put(repo, await world.buildDir('cut-b'), {
      on_open_pr: 'wait',
      wait_timeout: '100ms',
    }),
  );
  const ref = await world.sandbox.mergePull(OWNER, repo, 1, { method: 'squash' });
  record(await world.put(repo, await world.buildDir('cut-b')));
  record(await world.check(repo, { pr: '1' }));
  for (const params of [{}, { skip_download: true }]) {
    const dest = await world.tempDir('brp-scan-dest-');
    dests.push(dest);
    record(await world.get(repo, { version: '3', pr: '1', ref }, dest, params));
  }
  record(
    await world.get(
      repo,
      { version: '3', pr: '1', ref: 'e'.repeat(40) },
      await world.tempDir('brp-scan-dest-'),
    ),
  );
  record(await world.put(repo, await world.buildDir('cut-c', 'moved')));
  record(
    await world.runRaw('check', { source: world.source(repo, { acces_token: world.token }) }, []),
  );
  record(
    await world.runRaw('out', { source: world.source(repo), params: { repository: 'nope' } }, [
      '/tmp',
    ]),
  );
});

afterAll(async () => {
  await world.stop();
});

describe('the token', () => {
  it('was used for real, and failures happened', () => {
    expect(runs.filter((run) => run.result !== undefined).length).toBeGreaterThanOrEqual(6);
    expect(runs.filter((run) => run.error !== undefined).length).toBeGreaterThanOrEqual(4);
  });

  it('appears in no log line, result or error', () => {
    const texts = [
      ...world.transcript,
      ...runs.map((run) => JSON.stringify(run.result ?? null)),
      ...runs.map((run) =>
        run.error === undefined ? '' : `${describeError(run.error)} ${run.error.stack ?? ''}`,
      ),
    ];
    expect(texts.length).toBeGreaterThan(20);
    expect(texts.filter((text) => text.includes(world.token))).toEqual([]);
  });

  it('appears in no PR title or body, and no commit message', async () => {
    const repos = world.sandbox.pulls(OWNER, 'example-release-1');
    expect(repos.length).toBe(2);
    for (const pull of repos) expect(`${pull.title} ${pull.body ?? ''}`).not.toContain(world.token);
    const messages = await git(world.sandbox.bareRepoPath(OWNER, 'example-release-1'), [
      'log',
      '--all',
      '--format=%B',
    ]);
    expect(messages).toContain('Bosh-Release-Key:');
    expect(messages).not.toContain(world.token);
  });

  it('appears in no file `in` wrote', async () => {
    const written = (await Promise.all(dests.map((dest) => filesUnder(dest)))).flat();
    expect(written.length).toBeGreaterThan(10);
    for (const file of written) expect(await readFile(file, 'utf8')).not.toContain(world.token);
  });

  it('appears in no .git/config and no git argv', async () => {
    const configs = (
      await Promise.all([world.root, ...world.dirs].map((dir) => filesUnder(dir, 'config')))
    )
      .flat()
      .filter((file) => file.includes('.git'));
    expect(configs.length).toBeGreaterThan(0);
    for (const file of configs) expect(await readFile(file, 'utf8')).not.toContain(world.token);
    const argv = await readFile(world.argvLog(), 'utf8');
    expect(argv).toMatch(/git push .*--force-with-lease/);
    expect(argv).not.toContain(world.token);
  });
});

describe('a credential in a URL', () => {
  const SECRET = 'hunter2-Pa55word';

  it('appears in no output of any step, in any field, with debug on', async () => {
    const repo = await world.repository();
    const api = new URL(world.sandbox.apiUrl);
    const withUser = (url: string, userinfo: string) => url.replace('://', `://${userinfo}@`);
    const sources = [
      { git_url: withUser(world.sandbox.gitUrl(OWNER, repo), `x-access-token:${SECRET}`) },
      { git_url: withUser(world.sandbox.gitUrl(OWNER, repo), SECRET) },
      { github_api_url: withUser(api.href, `admin:${SECRET}`) },
      { github_api_url: withUser(api.href, `admin:${encodeURIComponent(`${SECRET}/@`)}`) },
    ];
    const dest = await world.tempDir('brp-url-dest-');
    const version = { version: '2', pr: '', ref: 'f'.repeat(40) };
    const outputs: string[] = [];
    for (const extra of sources) {
      const source = world.source(repo, { ...extra, debug: true });
      for (const [step, request, args] of [
        ['check', { source }, []],
        ['in', { source, version }, [dest]],
        ['out', { source, params: { repository: 'release-repo' } }, [dest]],
      ] as const) {
        const result = await runBundle(step, request, { args: [...args] });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /^error: source\.(git_url|github_api_url): must not carry credentials/m,
        );
        outputs.push(result.stdout, result.stderr);
      }
    }
    expect(outputs.join('\n')).not.toMatch(/hunter2|Pa55word/);
  });
});

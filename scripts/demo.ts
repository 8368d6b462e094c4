// `npm run demo`: the resource's whole lifecycle, offline, on the embedded GitHub sandbox. The
// built bundles (dist/check.mjs, in.mjs, out.mjs) are run exactly as Concourse runs them: one
// JSON request on stdin, one JSON document back on stdout, logs on stderr.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../sandbox/index.js';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = fileURLToPath(
  new URL('../../test/fixtures/example-release/example-release.bundle', import.meta.url),
);
const OWNER = 'acme';
const REPO = 'example-release';

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);

function say(title: string, text = ''): void {
  console.log(`\n${bold(`▶ ${title}`)}${text === '' ? '' : `\n  ${text}`}`);
}

// JSON as Concourse users read it: indented, with each {name, value} metadata pair on one line.
function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\{\n\s+"name": (".*?"),\n\s+"value": (".*?")\n\s+\}/g,
    '{ "name": $1, "value": $2 }',
  );
}

interface StepOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<StepOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A child that exits without reading its stdin (git does) closes the pipe first: its exit
    // code says what happened, not the EPIPE of writing to it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  const result = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bosh-release-pr-demo-'));
  const sandbox = await startSandbox();
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      TMPDIR: root,
      ATC_EXTERNAL_URL: 'https://ci.example.com',
      BUILD_TEAM_NAME: 'main',
      BUILD_PIPELINE_NAME: 'example-release',
      BUILD_JOB_NAME: 'cut-final-release',
      BUILD_NAME: '1',
    };
    const source = {
      repository: `${OWNER}/${REPO}`,
      access_token: sandbox.token,
      github_api_url: sandbox.apiUrl,
      labels: ['release'],
    };
    const shown = { ...source, access_token: '((github-token))' };

    async function step(
      name: 'check' | 'in' | 'out',
      request: Record<string, unknown>,
      args: string[] = [],
    ): Promise<StepOutput> {
      const shownRequest = { ...request, source: shown };
      console.log(
        dim(
          `  $ echo '${JSON.stringify(shownRequest)}' | /opt/resource/${name} ${args.map((a) => relative(root, a)).join(' ')}`,
        ),
      );
      const output = await run(process.execPath, [join(DIST, `${name}.mjs`), ...args], {
        env,
        input: JSON.stringify(request),
      });
      for (const line of output.stderr.trimEnd().split('\n'))
        if (line !== '') console.log(dim(`  stderr | ${line}`));
      if (output.stdout !== '')
        console.log(
          `  stdout | ${pretty(JSON.parse(output.stdout)).replace(/\n/g, '\n  stdout | ')}`,
        );
      console.log(dim(`  exit ${output.code}`));
      return output;
    }

    async function cut(name: string, from: string, into: string): Promise<string> {
      const dir = join(root, into, 'release-repo');
      await git(root, 'clone', '--quiet', BUNDLE, dir);
      await git(dir, 'checkout', '--quiet', '-B', 'work', `origin/${from}`);
      await git(dir, 'checkout', `origin/${name}`, '--', '.final_builds', 'releases');
      await git(dir, 'reset', '--quiet');
      return join(root, into);
    }

    say(
      'A GitHub sandbox on 127.0.0.1',
      `API ${sandbox.apiUrl}, git ${sandbox.gitUrl(OWNER, REPO)}`,
    );
    await sandbox.createRepository({
      owner: OWNER,
      repo: REPO,
      bundle: BUNDLE,
      // moved: where release 3.1.0 is cut later; a put refuses a cut from a commit GitHub lacks.
      branches: ['main', 'moved'],
      protectedBranches: ['main'],
    });
    console.log(
      `  ${OWNER}/${REPO}: the example BOSH release (final releases 1 and 2), main protected, and a branch moved`,
    );

    say('check: no release PR has merged yet, so the base release is the starting version');
    const [start] = JSON.parse((await step('check', { source })).stdout) as Array<
      Record<string, string>
    >;

    say('put: a pipeline ran `bosh create-release --final` (release 3) and puts the checkout');
    const first = await step('out', { source, params: { repository: 'release-repo' } }, [
      await cut('cut-a', 'main', 'build-1'),
    ]);
    if (first.code !== 0) throw new Error('the first put failed');

    say('put again: a second pipeline cut release 3 too, before the first PR merged');
    const racing = await step('out', { source, params: { repository: 'release-repo' } }, [
      await cut('cut-b', 'main', 'build-2'),
    ]);
    if (racing.code === 0) throw new Error('the racing put should have been refused');
    console.log(`  → refused: no duplicate version 3, nothing pushed`);

    say('A human reviews and merges PR #1');
    const ref = await sandbox.mergePull(OWNER, REPO, 1, { by: 'octocat' });
    console.log(`  main is now ${ref}`);

    say('check: the merged release PR is the new version (this triggers the deploy job)');
    const versions = JSON.parse((await step('check', { source, version: start })).stdout) as Array<
      Record<string, string>
    >;
    const newest = versions.at(-1) ?? {};

    say('get: the merged metadata, ready for `bosh create-release <manifest> --tarball`');
    const dest = join(root, 'release-pr');
    await step('in', { source, version: newest }, [dest]);
    const files = (await readdir(dest, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dest, join(entry.parentPath, entry.name)))
      .sort();
    console.log(`  wrote ${files.length} files:\n    ${files.join('\n    ')}`);

    say('put: the next release (3.1.0) takes the lock the merged PR left behind');
    const next = await step('out', { source, params: { repository: 'release-repo' } }, [
      await cut('cut-c', 'moved', 'build-3'),
    ]);
    if (next.code !== 0) throw new Error('the next put failed');

    say(
      'Done',
      'every step above ran the built bundles as Concourse runs them; the sandbox is stopping',
    );
  } finally {
    await sandbox.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

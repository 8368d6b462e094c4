// The bad input corpus (docs/testing.md): every case fails with one actionable line, and the
// sandbox's request log proves that nothing was written. (Malformed stdin itself — empty, not JSON,
// an array — is covered on the built bundles in test/protocol/protocol.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { describeError } from '../../src/errors.js';
import { git } from '../support/git.js';
import { OWNER, World } from '../support/world.js';

let world: World;
/** A repository whose release PR #1 (cut-a, version 3) is merged as `merged`. */
let mergedRepo: string;
let merged: { version: string; pr: string; ref: string };
/** A repository whose release PR #1 (cut-a) is open. */
let openRepo: string;

beforeAll(async () => {
  world = await World.start();
  mergedRepo = await world.repository();
  const put = await world.put(mergedRepo, await world.buildDir('cut-a'));
  const ref = await world.sandbox.mergePull(OWNER, mergedRepo, 1);
  merged = { version: '3', pr: '1', ref };
  if (put.error !== undefined) throw put.error;
  await git(world.sandbox.bareRepoPath(OWNER, mergedRepo), ['tag', 'v2', 'main~1']);
  openRepo = await world.repository();
  const open = await world.put(openRepo, await world.buildDir('cut-a'));
  if (open.error !== undefined) throw open.error;
});

afterAll(async () => {
  await world.stop();
});

type Step = 'check' | 'in' | 'out';

interface Case {
  name: string;
  step: Step;
  /** Builds the raw request and the step's argument; may prepare files. */
  request: () => Promise<{ raw: unknown; args?: string[]; repo?: string }>;
  message: RegExp;
}

const source = (repo: string, extra: Record<string, unknown> = {}) => world.source(repo, extra);
const V = (version: Record<string, unknown>) => version;

/** A check request on the merged repository with `source` changed. */
const checkWith = (name: string, extra: Record<string, unknown>, message: RegExp): Case => ({
  name,
  step: 'check',
  request: async () => ({ raw: { source: source(mergedRepo, extra) }, repo: mergedRepo }),
  message,
});

/** An in request on the merged repository. */
const getWith = (
  name: string,
  raw: () => Record<string, unknown>,
  message: RegExp,
  repo = () => mergedRepo,
): Case => ({
  name,
  step: 'in',
  request: async () => {
    const dest = await world.tempDir('brp-bad-dest-');
    return { raw: { source: source(repo()), ...raw() }, args: [dest], repo: repo() };
  },
  message,
});

/** A put of cut-a (on a fresh repository) after `mutate` changed the build directory. */
const putWith = (
  name: string,
  mutate: (checkout: string, build: string) => Promise<void>,
  message: RegExp,
  params: Record<string, unknown> = {},
  extraSource: Record<string, unknown> = {},
): Case => ({
  name,
  step: 'out',
  request: async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    await mutate(join(build, 'release-repo'), build);
    return {
      raw: { source: source(repo, extraSource), params: { repository: 'release-repo', ...params } },
      args: [build],
      repo,
    };
  },
  message,
});

const nothing = async () => undefined;
const edit = (path: string, change: (text: string) => string) => async (checkout: string) => {
  await writeFile(join(checkout, path), change(await readFile(join(checkout, path), 'utf8')));
};
const plant = (path: string, content: string) => async (checkout: string) => {
  await mkdir(join(checkout, path, '..'), { recursive: true });
  await writeFile(join(checkout, path), content);
  await git(checkout, ['add', '--force', path]);
};
const APP_INDEX = '.final_builds/packages/app/index.yml';
const RELEASE_INDEX = 'releases/example/index.yml';
const MANIFEST = 'releases/example/example-3.yml';

const CASES: Case[] = [
  // check: source
  {
    name: 'no source',
    step: 'check',
    request: async () => ({ raw: {} }),
    message: /^source: required/,
  },
  checkWith(
    'a repository without owner',
    { repository: 'example-release' },
    /^source\.repository: must be owner\/name/,
  ),
  checkWith(
    'a repository with a space',
    { repository: 'acme/ex ample' },
    /^source\.repository: must be owner\/name/,
  ),
  checkWith(
    'a misspelt key',
    { acces_token: 'x' },
    /^source\.acces_token: unknown field, did you mean access_token\?$/,
  ),
  checkWith(
    'a token that is a number',
    { access_token: 42 },
    /^source\.access_token: must be a string, got a number/,
  ),
  checkWith('an empty token', { access_token: '' }, /^source\.access_token: must not be empty$/),
  checkWith('labels as a string', { labels: 'release' }, /^source\.labels: must be an array/),
  checkWith('a label that is a number', { labels: [1] }, /^source\.labels\[0\]: must be a string/),
  checkWith('debug as a string', { debug: 'yes' }, /^source\.debug: must be a boolean/),
  checkWith(
    'an unknown track',
    { track: 'releases' },
    /^source\.track: must be one of both, final_builds, got "releases"$/,
  ),
  checkWith(
    'an ftp API URL',
    { github_api_url: 'ftp://ghe.example.com' },
    /^source\.github_api_url: must be an http\(s\) URL/,
  ),
  checkWith(
    'an API URL that is no URL',
    { github_api_url: 'ghe' },
    /^source\.github_api_url: must be an http\(s\) URL/,
  ),
  checkWith(
    'a git URL with credentials',
    { git_url: 'https://u:hunter2-Pa55word@ghe.example.com/a/b.git' },
    /^source\.git_url: must not carry credentials \(user:password@ before the host; the URL is not repeated here\): give the token in source\.access_token/,
  ),
  checkWith(
    'an API URL with credentials',
    { github_api_url: 'https://admin:hunter2-Pa55word@ghe.example.com/api/v3' },
    /^source\.github_api_url: must not carry credentials/,
  ),
  checkWith(
    'a release name with spaces',
    { release_name: 'my release' },
    /^source\.release_name: must be a BOSH release name/,
  ),
  checkWith(
    'an app id without its key',
    { access_token: undefined, app_id: 1 },
    /^source\.private_key: required with GitHub App authentication$/,
  ),
  checkWith(
    'a token and an app',
    { app_id: 1, private_key: 'k' },
    /^source: set either access_token or app_id with private_key, not both$/,
  ),
  checkWith(
    'a bad token',
    { access_token: 'ghp_wrongwrongwrongwrongwrongwrong' },
    /^GitHub refused the credentials \(401 Bad credentials\) while .*: check source\.access_token$/,
  ),
  checkWith(
    'a repository that does not exist',
    { repository: 'acme/nope' },
    /^repository acme\/nope was not found, or the token cannot see it/,
  ),
  checkWith(
    'a base branch that does not exist',
    { base_branch: 'nope' },
    /^config\/final\.yml is not on nope: set source\.release_name, or check source\.base_branch$/,
  ),
  checkWith(
    'a tag as the base branch, in check',
    { base_branch: 'v2' },
    /^source\.base_branch: v2 is a tag in acme\/example-release-\d+, not a branch: name the branch release PRs go to/,
  ),
  getWith(
    'a tag as the base branch, in get',
    () => ({ source: source(mergedRepo, { base_branch: 'v2' }), version: merged }),
    /^source\.base_branch: v2 is a tag in acme\/example-release-\d+, not a branch/,
  ),
  {
    name: 'a tag as the base branch, in put',
    step: 'out',
    request: async () => {
      const repo = await world.repository();
      await git(world.sandbox.bareRepoPath(OWNER, repo), ['tag', 'v2', 'main']);
      return {
        raw: {
          source: source(repo, { base_branch: 'v2' }),
          params: { repository: 'release-repo' },
        },
        args: [await world.buildDir('cut-a')],
        repo,
      };
    },
    message: /^source\.base_branch: v2 is a tag in acme\/example-release-\d+, not a branch/,
  },
  // check: version
  {
    name: 'a version with a numeric pr',
    step: 'check',
    request: async () => ({ raw: { source: source(mergedRepo), version: { pr: 1 } } }),
    message: /^version\.pr: must be a string, got a number \(1\)$/,
  },
  {
    name: 'a version that is an array',
    step: 'check',
    request: async () => ({ raw: { source: source(mergedRepo), version: ['3'] } }),
    message: /^version: must be an object, got an array$/,
  },
  {
    name: 'a version that is a string',
    step: 'check',
    request: async () => ({ raw: { source: source(mergedRepo), version: '3' } }),
    message: /^version: must be an object, got a string/,
  },

  // in
  getWith('no version', () => ({}), /^version: required/),
  getWith(
    'a partial version',
    () => ({ version: V({ version: '3' }) }),
    /^version \{"version":"3"\} is not one this resource reports/,
  ),
  getWith(
    'a short ref',
    () => ({ version: V({ ...merged, ref: merged.ref.slice(0, 7) }) }),
    /is not one this resource reports: it needs version, pr and a 40-hex ref/,
  ),
  getWith(
    'a pr that is not a number',
    () => ({ version: V({ ...merged, pr: 'one' }) }),
    /^version\.pr must be a PR number or empty, got "one"$/,
  ),
  getWith(
    'a PR still open',
    () => ({ version: V({ version: '3', pr: '1', ref: 'a'.repeat(40) }) }),
    /^version 3 is not available: PR #1 is open and not merged/,
    () => openRepo,
  ),
  getWith(
    'a ref the PR was not merged as',
    () => ({ version: V({ ...merged, ref: 'b'.repeat(40) }) }),
    /^version 3 is not available: PR #1 merged as [0-9a-f]{40}, not b{40}$/,
  ),
  getWith(
    'a PR that does not exist',
    () => ({ version: V({ ...merged, pr: '404' }) }),
    /^version 3 is not available: PR #404 does not exist in this repository$/,
  ),
  getWith(
    'a commit that is gone',
    () => ({ version: V({ version: '2', pr: '', ref: 'c'.repeat(40) }) }),
    /c{40} is not in .*: check the branch or version$/,
  ),
  getWith(
    'a version the commit does not list',
    () => ({ version: V({ version: '9', pr: '', ref: merged.ref }) }),
    /^releases\/example\/index\.yml does not list version 9/,
  ),
  getWith(
    'an unknown param',
    () => ({ version: merged, params: { skip_dowload: true } }),
    /^params\.skip_dowload: unknown field, did you mean skip_download\?$/,
  ),
  getWith(
    'skip_download as a string',
    () => ({ version: merged, params: { skip_download: 'yes' } }),
    /^params\.skip_download: must be a boolean/,
  ),
  {
    name: 'no destination argument',
    step: 'in',
    request: async () => ({
      raw: { source: source(mergedRepo), version: merged },
      args: [],
      repo: mergedRepo,
    }),
    message: /^in needs the destination directory as its argument/,
  },
  getWith(
    'another release name',
    () => ({ source: source(mergedRepo, { release_name: 'other' }), version: merged }),
    /^version 3 is not available: PR #1 delivered no release of other \(its merge added no version to releases\/other\/index\.yml\)/,
  ),

  // out: params
  {
    name: 'no params',
    step: 'out',
    request: async () => ({ raw: { source: source(mergedRepo) }, args: ['/tmp'] }),
    message: /^params\.repository: required/,
  },
  {
    name: 'params without repository',
    step: 'out',
    request: async () => ({ raw: { source: source(mergedRepo), params: {} }, args: ['/tmp'] }),
    message: /^params\.repository: required \(the name of the artifact/,
  },
  {
    name: 'an absolute repository path',
    step: 'out',
    request: async () => ({
      raw: { source: source(mergedRepo), params: { repository: '/etc' } },
      args: ['/tmp'],
    }),
    message: /^params\.repository: "\/etc" must be the artifact's name relative/,
  },
  {
    name: 'a repository path leaving the build',
    step: 'out',
    request: async () => ({
      raw: { source: source(mergedRepo), params: { repository: '../x' } },
      args: ['/tmp'],
    }),
    message: /^params\.repository: "\.\.\/x" must be the artifact's name relative/,
  },
  putWith(
    'an unknown placeholder in the title',
    nothing,
    /^params\.title: unknown placeholder \{\{ver\}\}/,
    { title: 'v{{ver}}' },
  ),
  putWith('body and body_file', nothing, /^params: set body or body_file, not both$/, {
    body: 'x',
    body_file: 'y',
  }),
  putWith(
    'a body_file that is missing',
    nothing,
    /^params\.body_file: notes\.md cannot be read in the build$/,
    { body_file: 'notes.md' },
  ),
  putWith(
    'a wait_timeout in words',
    nothing,
    /^params\.wait_timeout: "5 minutes" is not a duration/,
    { wait_timeout: '5 minutes' },
  ),
  putWith(
    'a wait_interval below a second',
    nothing,
    /^params\.wait_interval: must be at least 1s \(each poll asks GitHub again\), got "100ms"$/,
    { wait_interval: '100ms' },
  ),
  putWith(
    'an unknown on_closed_pr',
    nothing,
    /^params\.on_closed_pr: must be one of reclaim, fail, got "keep"$/,
    { on_closed_pr: 'keep' },
  ),
  putWith(
    'a negative stale_lock_after',
    nothing,
    /^params\.stale_lock_after: "-1s" is not a duration/,
    { stale_lock_after: '-1s' },
  ),
  putWith('reviewers as a string', nothing, /^params\.reviewers: must be an array/, {
    reviewers: 'alice',
  }),
  putWith('draft as a string', nothing, /^params\.draft: must be a boolean/, { draft: 'true' }),
  putWith(
    'a version param that disagrees',
    nothing,
    /^params\.version says 4, but the checkout's new final release is 3/,
    { version: '4' },
  ),
  putWith(
    'a version file that disagrees',
    async (_checkout, build) => {
      await mkdir(join(build, 'version'));
      await writeFile(join(build, 'version/number'), '3.0.1\n');
    },
    /^params\.version says 3\.0\.1 \(from version\/number\)/,
    { version: 'version/number' },
  ),
  // out: the build directory
  putWith('a missing artifact', nothing, /^params\.repository: elsewhere is not in the build/, {
    repository: 'elsewhere',
  }),
  putWith(
    'an artifact that is a file',
    async (_c, build) => writeFile(join(build, 'file'), 'x'),
    /^params\.repository: file is not in the build/,
    { repository: 'file' },
  ),
  putWith(
    'an artifact that is not a git checkout',
    async (_c, build) => mkdir(join(build, 'plain')),
    /^params\.repository: plain is not the top of a git checkout/,
    { repository: 'plain' },
  ),
  putWith(
    'a subdirectory of the checkout',
    nothing,
    /^params\.repository: release-repo\/releases is not the top of a git checkout/,
    { repository: 'release-repo/releases' },
  ),
  // out: the release
  putWith(
    'a checkout where no release was cut',
    async (checkout) => {
      await git(checkout, ['checkout', '--', '.final_builds', 'releases']);
      await git(checkout, ['clean', '-fdq', 'releases', '.final_builds']);
    },
    /has no new final release: run bosh create-release --final before the put$/,
  ),
  putWith(
    'two new versions',
    edit(RELEASE_INDEX, (text) =>
      text.replace(
        'builds:\n',
        'builds:\n  00000000-0000-0000-0000-000000000000:\n    version: "4"\n',
      ),
    ),
    /lists 2 new versions \(.*\): a put delivers exactly one release/,
  ),
  putWith(
    'a manifest digest that disagrees with its index',
    edit(APP_INDEX, (text) =>
      text.replace(
        /sha1: sha256:([0-9a-f])/g,
        (_m, c: string) => `sha1: sha256:${c === '0' ? '1' : '0'}`,
      ),
    ),
    /the metadata is inconsistent|changes the existing build/,
  ),
  putWith(
    'a build missing from .final_builds',
    edit(APP_INDEX, (text) => text.split('\n').slice(0, 1).join('\n') + '\nformat-version: "2"\n'),
    /no longer has the existing build|has no entry for it/,
  ),
  putWith(
    'a truncated index',
    edit(RELEASE_INDEX, (text) => text.slice(0, Math.floor(text.length / 2))),
    /releases\/example\/index\.yml/,
  ),
  putWith(
    'an index that is not YAML',
    edit(RELEASE_INDEX, () => '{{{ not yaml\n'),
    /releases\/example\/index\.yml/,
  ),
  putWith(
    'a release cut from a dirty tree',
    edit(MANIFEST, (text) =>
      text.replace('uncommitted_changes: false', 'uncommitted_changes: true'),
    ),
    /says uncommitted_changes: true .*: commit the changes, then cut the release again; .*set params\.allow_uncommitted_changes: true$/,
  ),
  putWith(
    'a planted config/private.yml',
    plant('config/private.yml', 'blobstore: {}\n'),
    /config\/private\.yml \(blobstore credentials\), which must never be committed/,
  ),
  putWith(
    'a dev release',
    plant('dev_releases/example/example-3+dev.1.yml', 'name: example\n'),
    /dev releases and dev builds are never committed/,
  ),
  putWith(
    'a dev build',
    plant('.dev_builds/packages/app/index.yml', 'builds: {}\n'),
    /dev releases and dev builds are never committed/,
  ),
  putWith(
    'a release tarball',
    plant('releases/example/example-3.tgz', 'tarball'),
    /the tarball releases\/example\/example-3\.tgz, which must not be committed/,
  ),
  putWith(
    'a source change',
    edit('packages/app/spec', (text) => `${text}# changed\n`),
    /the checkout changes packages\/app\/spec, but a release PR carries only/,
  ),
  putWith(
    'an old manifest edited',
    edit('releases/example/example-2.yml', (text) => `${text}# edited\n`),
    /example-2\.yml, which a final release never does/,
  ),
  putWith(
    'a metadata file that is a symlink out of the checkout',
    async (checkout) => {
      await rm(join(checkout, APP_INDEX));
      await symlink('/etc/hostname', join(checkout, APP_INDEX));
    },
    /\.final_builds\/packages\/app\/index\.yml in .* is a symbolic link: release metadata must be regular files/,
  ),
  putWith(
    'a symlinked releases directory',
    async (checkout) => {
      await git(checkout, ['mv', 'releases', 'elsewhere']);
      await symlink('elsewhere', join(checkout, 'releases'));
    },
    /releases in .* is a symbolic link/,
  ),
  putWith(
    'another release name than the checkout cut',
    nothing,
    /^releases\/other\/ has no new final release: run bosh create-release --final before the put$/,
    {},
    { release_name: 'other' },
  ),
  putWith(
    'a base branch for the put that does not exist',
    nothing,
    /nope is not in .*: check the branch or version$/,
    {},
    { base_branch: 'nope' },
  ),
];

describe('bad input', () => {
  it(`has a corpus of at least 60 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const names = CASES.map((c) => c.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it.each(CASES.map((c) => [c.step, c.name, c] as const))(
    '%s: %s',
    async (_step, _name, testCase) => {
      const since = world.sandbox.log().length;
      const { raw, args = ['/tmp'], repo } = await testCase.request();
      const run = await world.runRaw(testCase.step, raw, args);
      expect(run.result).toBeUndefined();
      const line = describeError(run.error);
      expect(line).toMatch(testCase.message);
      expect(line).not.toContain('\n');
      expect(line).not.toContain(world.token);
      expect(line).not.toMatch(/unexpected failure/);
      expect(
        world.sandbox
          .log()
          .slice(since)
          .filter((entry) => entry.write),
      ).toEqual([]);
      if (repo !== undefined && testCase.step === 'in' && args[0] !== undefined) {
        expect(await readFile(join(args[0], 'version'), 'utf8').catch(() => 'absent')).toBe(
          'absent',
        );
      }
    },
  );

  it('a read-only token cannot take the lock: refused, one line, nothing written', async () => {
    const repo = await world.repository();
    const readOnly = world.sandbox.addToken({ readOnly: true });
    const build = await world.buildDir('cut-a');
    const since = world.sandbox.log().length;
    const run = (await world.runRaw(
      'out',
      { source: source(repo, { access_token: readOnly }), params: { repository: 'release-repo' } },
      [build],
    )) as { error?: Error; result?: GetPutResponse };
    expect(describeError(run.error)).toBe(
      "pushing refs/heads/bosh-release-pr/main/example was refused: the token needs write access to the repository's contents",
    );
    expect(
      world.sandbox
        .log()
        .slice(since)
        .filter((entry) => entry.write && entry.status < 400),
    ).toEqual([]);
  });
});

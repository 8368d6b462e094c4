// GitHub's limits against the sandbox, which enforces them as github.com does: a release with
// 1,000 new builds still opens its PR (the body fits 65,536 characters), a user text or title
// over the limits is refused before anything is pushed, and the content-creation limit's 422
// "was submitted too quickly" is waited out within the step's bounds, then reported in one line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SyntheticRelease } from '../../bench/synthetic-release.js';
import { git } from '../support/git.js';
import { OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const CREATE_PULL = 'POST /repos/{owner}/{repo}/pulls';

/**
 * A repository whose main has only config/final.yml, and a build directory whose checkout of it
 * holds release 1 of `release`, as `bosh create-release --final` leaves it.
 */
async function firstRelease(release: SyntheticRelease): Promise<{ repo: string; build: string }> {
  const source = await world.tempDir('brp-limits-src-');
  await git(source, ['init', '--quiet', '--initial-branch=main']);
  await mkdir(join(source, 'config'));
  await writeFile(join(source, 'config', 'final.yml'), release.finalConfig);
  await git(source, ['add', '.']);
  await git(source, ['commit', '--quiet', '-m', 'Initial commit']);
  const repo = `limits-${release.shape.name}`;
  await world.sandbox.createRepository({
    owner: OWNER,
    repo,
    directory: source,
    protectedBranches: ['main'],
  });
  const build = await world.tempDir('brp-limits-build-');
  const checkout = join(build, 'release-repo');
  await git(build, ['clone', '--quiet', source, checkout]);
  const head = (await git(checkout, ['rev-parse', 'HEAD'])).trim();
  for (const path of release.cut({ commitHash: head })) {
    await mkdir(dirname(join(checkout, path)), { recursive: true });
    await writeFile(join(checkout, path), release.file(path));
  }
  return { repo, build };
}

describe('a PR body within 65,536 characters', () => {
  it('opens the PR of a release with 1,000 new builds, the table saying how many it left out', async () => {
    const release = new SyntheticRelease({
      name: 'thousand',
      jobs: 1,
      packages: 998,
      buildsPerRelease: 1,
      namePrefix: 'golang-1.22-linux-', // a listing of all 1,000 takes ~80,000 characters
    });
    const { repo, build } = await firstRelease(release);
    const put = await world.put(repo, build);
    expect(put.error).toBeUndefined();
    const [pull] = world.sandbox.pulls(OWNER, repo);
    const body = pull?.body ?? '';
    expect(Array.from(body).length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('1 jobs, 998 packages, 1000 new builds.');
    const listed = body.match(/^\| (job|package|license) \| /gm)?.length ?? 0;
    expect(listed).toBeGreaterThan(500);
    expect(body).toContain(
      `| … | ${1000 - listed} more builds, not listed: a PR body holds at most 65,536 characters | | |`,
    );
    const creates = world.requests(repo).filter((entry) => entry.route === CREATE_PULL);
    expect(creates.map((entry) => entry.status)).toEqual([201]);
  });
});

describe('texts over GitHub’s limits', () => {
  it.each([
    [
      'a body',
      { body: 'n'.repeat(61_441) },
      "params.body is 61,441 characters long once rendered: a PR body holds at most 65,536 characters, and the resource's own text (the builds, the lock note, the machine-readable block) keeps 4,096 of them: shorten it to 61,440 characters or fewer",
    ],
    [
      'a title',
      { title: `{{release_name}} ${'t'.repeat(250)}` },
      'params.title is 258 characters long once rendered: GitHub allows at most 256 in a PR title: shorten it to 256 characters or fewer',
    ],
  ])('refuses %s before anything is pushed', async (_what, params, message) => {
    const repo = await world.repository();
    const since = world.sandbox.log().length;
    const put = await world.put(repo, await world.buildDir('cut-a'), params);
    expect(put.error?.message).toBe(message);
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
    expect(await world.branchSha(repo, 'bosh-release-pr/main/example')).toBeUndefined();
  });

  it('refuses a body_file over the limit too', async () => {
    const repo = await world.repository();
    const build = await world.buildDir('cut-a');
    await writeFile(join(build, 'notes.md'), '📦'.repeat(70_000));
    const put = await world.put(repo, build, { body_file: 'notes.md' });
    expect(put.error?.message).toMatch(
      /^params\.body_file is 70,000 characters long once rendered: a PR body holds at most 65,536 characters/,
    );
    expect(world.requests(repo, 0, { writes: true })).toEqual([]);
  });
});

describe('GitHub’s content-creation limit', () => {
  it('waits out a 422 "was submitted too quickly" and opens the PR', async () => {
    const repo = await world.repository();
    world.sandbox.injectFault({
      route: CREATE_PULL,
      kind: 'content-creation-limit',
      repository: `${OWNER}/${repo}`,
      times: 2,
    });
    const put = await world.put(repo, await world.buildDir('cut-a'));
    expect(put.error).toBeUndefined();
    expect(put.logs).toContain(
      'GitHub limited opening the release PR ("was submitted too quickly", its content-creation limit): trying again in 60s',
    );
    const creates = world.requests(repo).filter((entry) => entry.route === CREATE_PULL);
    expect(creates.map((entry) => [entry.status, entry.fault])).toEqual([
      [422, 'content-creation-limit'],
      [422, 'content-creation-limit'],
      [201, null],
    ]);
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
  });

  it('fails with one line when the limit outlasts the retries; a re-run adopts the lock branch', async () => {
    const repo = await world.repository();
    world.sandbox.injectFault({
      route: CREATE_PULL,
      kind: 'content-creation-limit',
      repository: `${OWNER}/${repo}`,
      times: 3,
    });
    const build = await world.buildDir('cut-a');
    const put = await world.put(repo, build);
    expect(put.error?.message).toBe(
      `GitHub refused opening the release PR 3 times as "was submitted too quickly": the account the resource acts as has reached GitHub's limit on creating content (80 a minute, 500 an hour), which a build does not wait out: re-run the build later, and give the resource a token or GitHub App of its own if other automation shares this one`,
    );
    expect(world.requests(repo).filter((entry) => entry.route === CREATE_PULL)).toHaveLength(3);
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(0);
    const rerun = await world.put(repo, build);
    expect(rerun.error).toBeUndefined();
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
  });
});

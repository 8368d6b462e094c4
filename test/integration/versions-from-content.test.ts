// A merged PR's version comes from the repository (docs/versions.md): check and get take it
// from what its merge brought to the base, whatever people did to the PR's text or branch, and
// an idle poll stays one request even when a merged PR's body carries no block.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GetPutResponse, ResourceVersion } from '../../src/concourse/contract.js';
import { LOCK, OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

function result<T>(run: StepRun<T>): T {
  if (run.error !== undefined) throw run.error;
  if (run.result === undefined) throw new Error('no result');
  return run.result;
}

function prOf(response: GetPutResponse): number {
  return Number(response.metadata.find((field) => field.name === 'pr')?.value);
}

/** Puts cut-a (release 3) and returns its open PR's number. */
async function openRelease3(repo: string): Promise<number> {
  return prOf(result(await world.put(repo, await world.buildDir('cut-a'))));
}

const named = { source: { release_name: 'example', base_branch: 'main' } };

describe('check reports what the merge brought, not what the body says', () => {
  it.each([
    [
      'the block’s version edited from 3 to 2',
      (body: string) => body.replace('"version":"3"', '"version":"2"'),
    ],
    [
      'a second block appended (the last block used to win)',
      (body: string) =>
        `${body}\n<!-- bosh-release-pr: {"format":1,"release":"example","version":"2","key":"k","source":"${'a'.repeat(40)}","track":"both"} -->\n`,
    ],
    [
      'the block’s release renamed',
      (body: string) => body.replace('"release":"example"', '"release":"other"'),
    ],
  ])('%s: reports 3 and warns naming the PR', async (_what, edit) => {
    const repo = await world.repository();
    const number = await openRelease3(repo);
    const body = world.sandbox.pull(OWNER, repo, number).body ?? '';
    await world.sandbox.editPull(OWNER, repo, number, { body: edit(body), by: 'alice' });
    const ref = await world.sandbox.mergePull(OWNER, repo, number);

    const run = await world.check(repo, undefined, named);
    expect(result(run)).toEqual([{ version: '3', pr: String(number), ref }]);
    expect(run.logs).toMatch(
      new RegExp(
        `PR #${number} \\(.*/pull/${number}\\) says \\w+ 2? ?.*but its merge brought example 3 to main: reporting 3`,
      ),
    );
    // get agrees with check, and refuses what the body claimed.
    const dest = await world.tempDir('brp-dest-');
    expect(
      result(await world.get(repo, { version: '3', pr: String(number), ref }, dest)).version,
    ).toEqual({
      version: '3',
      pr: String(number),
      ref,
    });
  });

  it('a body replaced by prose and an unrelated file pushed to the branch: still 3', async () => {
    const repo = await world.repository();
    const number = await openRelease3(repo);
    await world.sandbox.editPull(OWNER, repo, number, { body: 'Looks good, shipping it.' });
    await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
      files: { 'NOTES.md': 'release notes\n' },
      message: 'Add release notes',
      by: 'alice',
    });
    const ref = await world.sandbox.mergePull(OWNER, repo, number);
    const run = await world.check(repo, undefined, named);
    expect(result(run)).toEqual([{ version: '3', pr: String(number), ref }]);
    expect(run.logs).not.toMatch(/WARN/);
  });

  it.each(['rebase', 'squash'] as const)(
    'a %s merge of the release commit under a reviewer’s fix-up: still 3',
    async (method) => {
      const repo = await world.repository();
      const number = await openRelease3(repo);
      await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
        files: { 'NOTES.md': 'fix-up\n' },
        message: 'A reviewer’s fix-up',
        by: 'alice',
      });
      const ref = await world.sandbox.mergePull(OWNER, repo, number, { method });
      const version = { version: '3', pr: String(number), ref };
      expect(result(await world.check(repo, undefined, named))).toEqual([version]);
      // Found in the release index (not only in the trailers): get writes the whole release.
      const dest = await world.tempDir('brp-dest-');
      const got = result(await world.get(repo, version, dest));
      expect(got.metadata).toContainEqual({ name: 'commit_hash', value: expect.any(String) });
      expect(await readFile(join(dest, 'manifest_path'), 'utf8')).toBe(
        'releases/example/example-3.yml',
      );
    },
  );

  it('a merged PR from the lock branch that delivered no release is skipped, with a warning naming it', async () => {
    const repo = await world.repository();
    const main = await world.branchSha(repo, 'main');
    await world.sandbox.commitToBranch(OWNER, repo, LOCK, {
      parent: main,
      files: { 'NOTES.md': 'not a release\n' },
      message: 'Notes',
    });
    const number = await world.sandbox.createPull(OWNER, repo, {
      head: LOCK,
      base: 'main',
      title: 'Final release 3',
      body: `<!-- bosh-release-pr: {"format":1,"release":"example","version":"3","key":"k","source":"${'a'.repeat(40)}","track":"both"} -->`,
    });
    const ref = await world.sandbox.mergePull(OWNER, repo, number);
    const run = await world.check(repo, undefined, named);
    expect(result(run)).toEqual([expect.objectContaining({ version: '2', pr: '' })]);
    expect(run.logs).toMatch(
      new RegExp(
        `PR #${number} \\(.*\\) merged from ${LOCK} but delivered no release of example: its merge added no version to releases/example/index\\.yml`,
      ),
    );
    const dest = await world.tempDir('brp-dest-');
    const get = await world.get(repo, { version: '3', pr: String(number), ref }, dest);
    expect(get.error?.message).toMatch(
      new RegExp(`^version 3 is not available: PR #${number} delivered no release of example`),
    );
  });
});

describe('get verifies the version against what the PR merged', () => {
  it('refuses {"version":"2","pr":"1","ref":<the merge that delivered 3>} with one line', async () => {
    const repo = await world.repository();
    const number = await openRelease3(repo);
    const ref = await world.sandbox.mergePull(OWNER, repo, number);
    const dest = await world.tempDir('brp-dest-');
    const run = await world.get(repo, { version: '2', pr: String(number), ref }, dest);
    expect(run.error?.name).toBe('UserError');
    expect(run.error?.message).toBe(
      `version 2 is not what PR #${number} merged: its merge ${ref.slice(0, 7)} brought example 3 to main, so get {"version":"3","pr":"${number}","ref":"${ref}"} (as check reports it)`,
    );
  });
});

describe('the cost of a poll', () => {
  it('stays one conditional request with a body-less merged PR among the merged ones', async () => {
    const repo = await world.repository();
    const first = await openRelease3(repo);
    await world.sandbox.editPull(OWNER, repo, first, { body: null });
    const firstRef = await world.sandbox.mergePull(OWNER, repo, first, { method: 'squash' });
    const second = prOf(result(await world.put(repo, await world.buildDir('cut-c', 'moved'))));
    const secondRef = await world.sandbox.mergePull(OWNER, repo, second);
    const made: ResourceVersion[] = [
      { version: '3', pr: String(first), ref: firstRef },
      { version: '3.1.0', pr: String(second), ref: secondRef },
    ];
    expect(result(await world.check(repo, made[0], named))).toEqual(made);

    const since = world.sandbox.log().length;
    expect(result(await world.check(repo, made[0], named))).toEqual(made);
    const requests = world.requests(repo, since);
    expect(requests.map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /repos/{owner}/{repo}/pulls', 304],
    ]);
  });
});

describe('track: final_builds', () => {
  it('takes the version from the release commit’s trailers, not from an edited block', async () => {
    const repo = await world.repository();
    const source = { track: 'final_builds', release_name: 'example', base_branch: 'main' };
    const put = result(await world.put(repo, await world.buildDir('cut-a'), {}, { source }));
    const number = prOf(put);
    const body = world.sandbox.pull(OWNER, repo, number).body ?? '';
    await world.sandbox.editPull(OWNER, repo, number, {
      body: body.replace('"version":"3"', '"version":"9"'),
    });
    const ref = await world.sandbox.mergePull(OWNER, repo, number);
    expect(result(await world.check(repo, undefined, { source }))).toEqual([
      { version: '3', pr: String(number), ref },
    ]);
    // The duplicate guard rests on the same facts: a second cut of 3 is refused, naming the PR.
    const again = await world.put(repo, await world.buildDir('cut-b'), {}, { source });
    expect(again.error?.message).toMatch(
      new RegExp(`^version 3 is already on main \\(PR #${number} `),
    );
  });
});

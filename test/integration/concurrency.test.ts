// Ten puts racing for one version: exactly one PR, nine clear refusals naming it; and with
// on_open_pr: wait the puts queue behind each other, the duplicates refused once the first
// merged, a different version accepted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import { git } from '../support/git.js';
import { OWNER, World, type StepRun } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const INDEX = 'releases/example/index.yml';

/**
 * Another independent cut of version 3: cut-b's checkout with the random release index ID the
 * CLI would have picked for it, which is what makes two cuts two.
 */
async function anotherCut(): Promise<string> {
  const build = await world.buildDir('cut-b');
  const checkout = join(build, 'release-repo');
  const known = new Set((await git(checkout, ['show', `HEAD:${INDEX}`])).match(/^ {2}\S+:$/gm));
  const index = await readFile(join(checkout, INDEX), 'utf8');
  await writeFile(
    join(checkout, INDEX),
    index.replace(/^ {2}\S+:$/gm, (line) => (known.has(line) ? line : `  ${randomUUID()}:`)),
  );
  return build;
}

function outcome(run: StepRun<GetPutResponse>): string {
  if (run.result !== undefined)
    return `ok:${run.result.metadata.find((m) => m.name === 'operation')?.value}`;
  return `error:${run.error?.name}:${run.error?.message}`;
}

describe('racing puts', () => {
  it('gives 10 concurrent cuts of version 3 exactly one PR and 9 refusals naming it', async () => {
    const repo = await world.repository();
    const builds = await Promise.all(Array.from({ length: 10 }, () => anotherCut()));
    const runs = await Promise.all(builds.map((build) => world.put(repo, build)));
    const created = runs.filter((run) => run.result !== undefined);
    const refused = runs.filter((run) => run.error !== undefined);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(9);
    expect(world.sandbox.pulls(OWNER, repo)).toHaveLength(1);
    for (const run of refused) {
      expect(outcome(run)).toMatch(
        /^error:UserError:release PR #1 \(example 3, opened \d+s ago by .*\) holds the lock on main: merge or close .*\/pull\/1 and re-run, or set params\.on_open_pr: wait$/,
      );
    }
  });

  it('serialises waiting puts: the duplicates refused after the first merged, another version accepted', async () => {
    const repo = await world.repository();
    const builds = [
      await anotherCut(),
      await anotherCut(),
      await anotherCut(),
      await world.buildDir('cut-c', 'moved'),
    ];
    const params = { on_open_pr: 'wait', wait_timeout: '2m' };
    let settled = false;
    const puts = Promise.all(builds.map((build) => world.put(repo, build, params))).finally(() => {
      settled = true;
    });
    // A human merging each release PR as soon as it is opened.
    const merged: string[] = [];
    while (!settled) {
      for (const pull of world.sandbox.pulls(OWNER, repo)) {
        if (pull.state === 'open') {
          await world.sandbox.mergePull(OWNER, repo, pull.number);
          merged.push(pull.title);
        }
      }
      await new Promise((done) => setTimeout(done, 20));
    }
    const runs = await puts;
    expect(merged.sort()).toEqual(['Final release 3', 'Final release 3.1.0']);
    const outcomes = runs.map(outcome);
    expect(outcomes.filter((o) => o === 'ok:created')).toHaveLength(2);
    const duplicates = outcomes.filter((o) => o.startsWith('error:'));
    expect(duplicates).toHaveLength(2);
    for (const message of duplicates) {
      expect(message).toMatch(
        /^error:UserError:version 3 is already on main \(PR #\d+ .*\): re-run bosh create-release --final on the current main$/,
      );
    }
  });
});

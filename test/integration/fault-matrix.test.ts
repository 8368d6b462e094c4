// The fault matrix (docs/testing.md): for every remote call out makes (each API route, each git
// fetch and push) and every fault kind the sandbox can inject, inject the fault at that call, then
// re-run the put as a Concourse `attempts:` retry would. Every cell must end with exactly one open
// release PR carrying cut-a's files, or a clear failure followed by a successful re-run: never a
// duplicate version, a lost release, a forced update, or a write to the base branch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FaultSpec } from '../../sandbox/index.js';
import { describeError } from '../../src/errors.js';
import { LOCK, OWNER, World } from '../support/world.js';

let world: World;
let cutA: Map<string, string>;

beforeAll(async () => {
  world = await World.start();
  cutA = await world.bundleDiff('main', 'cut-a');
});

afterAll(async () => {
  await world.stop();
});

type Kind = Omit<FaultSpec, 'route' | 'repository'>;

const KINDS: Record<string, Kind> = {
  '500': { kind: 'status', status: 500 },
  '502': { kind: 'status', status: 502 },
  '503': { kind: 'status', status: 503 },
  reset: { kind: 'reset' },
  lost: { kind: 'lost' },
  'secondary rate limit': { kind: 'secondary-rate-limit', retryAfter: 1 },
  delay: { kind: 'delay', delayMs: 300 },
};

// The calls of a first put (FREE) and of a re-run (OURS), as the sandbox's log names them.
// `skip` picks a later call of the same route: the third upload-pack is the lazy fetch of the
// metadata blobs during checkout.
const FIRST_PUT: Array<{ route: string; skip?: number }> = [
  { route: 'GET /repos/{owner}/{repo}' },
  { route: 'GET /repos/{owner}/{repo}/git/ref/{ref}' },
  { route: 'GET /{owner}/{repo}.git/info/refs' },
  { route: 'git-upload-pack' },
  { route: 'git-upload-pack', skip: 2 },
  { route: 'git-receive-pack' },
  { route: 'POST /repos/{owner}/{repo}/pulls' },
  { route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels' },
  { route: 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers' },
  { route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/assignees' },
  { route: 'GET /repos/{owner}/{repo}/pulls' },
  { route: 'GET /repos/{owner}/{repo}/contents/{path}' },
  { route: 'GET /repos/{owner}/{repo}/commits' },
];
const RE_RUN: Array<{ route: string; skip?: number }> = [
  { route: 'GET /repos/{owner}/{repo}/git/ref/{ref}' },
  { route: 'GET /repos/{owner}/{repo}/compare/{basehead}' },
  { route: 'GET /repos/{owner}/{repo}/pulls' },
  { route: 'GET /repos/{owner}/{repo}/pulls', skip: 1 },
];

const PARAMS = { labels: ['release'], reviewers: ['alice'], assignees: ['bob'] };
const CONCURRENCY = 3;

interface Cell {
  scenario: 'first put' | 're-run';
  route: string;
  skip: number;
  kind: string;
}

const cells: Cell[] = [
  ...FIRST_PUT.flatMap(({ route, skip }) =>
    Object.keys(KINDS).map((kind): Cell => ({
      scenario: 'first put',
      route,
      skip: skip ?? 0,
      kind,
    })),
  ),
  ...RE_RUN.flatMap(({ route, skip }) =>
    Object.keys(KINDS).map((kind): Cell => ({ scenario: 're-run', route, skip: skip ?? 0, kind })),
  ),
];

/** Runs one cell; returns what went wrong, or undefined when its invariants hold. */
async function runCell(cell: Cell): Promise<string | undefined> {
  const repo = await world.repository();
  const build = await world.buildDir('cut-a');
  const main = await world.branchSha(repo, 'main');
  if (cell.scenario === 're-run') {
    const first = await world.put(repo, build, PARAMS);
    if (first.error !== undefined) return `setup put failed: ${first.error.message}`;
  }
  const since = world.sandbox.log().length;
  const kind = KINDS[cell.kind];
  if (kind === undefined) return `no fault kind ${cell.kind}`;
  world.sandbox.injectFault({
    ...kind,
    route: cell.route,
    skip: cell.skip,
    repository: `${OWNER}/${repo}`,
  });
  const faulted = await world.put(repo, build, PARAMS);
  if (world.sandbox.pendingFaults().some((fault) => fault.repository === `${OWNER}/${repo}`)) {
    return 'the fault was never hit: the put does not make that call';
  }
  // What the user would read: the step's one line on stderr.
  const shown = faulted.error === undefined ? undefined : describeError(faulted.error);
  if (shown !== undefined && (shown.includes('\n') || shown.includes(world.token))) {
    return `the failure is not one clean line: ${JSON.stringify(shown)}`;
  }
  // Concourse's attempts: a plain re-run of the same put.
  const retried = await world.put(repo, build, PARAMS);
  if (retried.error !== undefined) return `the re-run failed: ${retried.error.message}`;

  const open = world.sandbox.pulls(OWNER, repo).filter((pull) => pull.state === 'open');
  if (open.length !== 1 || world.sandbox.pulls(OWNER, repo).length !== 1) {
    return `${world.sandbox.pulls(OWNER, repo).length} PRs (${open.length} open)`;
  }
  const files = await world.metadataDiff(repo, 'main', LOCK);
  if (JSON.stringify([...files]) !== JSON.stringify([...cutA]))
    return 'the PR does not carry cut-a';
  if ((await world.branchSha(repo, 'main')) !== main) return 'main moved';
  const updates = world.requests(repo, since).flatMap((entry) => entry.refUpdates);
  if (updates.some((update) => update.forced)) return 'a forced update';
  if (updates.some((update) => update.ref !== `refs/heads/${LOCK}`))
    return 'a write to another branch';
  return undefined;
}

describe('fault matrix', () => {
  it(`holds in every cell (${cells.length} cells)`, async () => {
    expect(cells.length).toBe((FIRST_PUT.length + RE_RUN.length) * Object.keys(KINDS).length);
    const failures: string[] = [];
    const queue = [...cells];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let cell = queue.shift(); cell !== undefined; cell = queue.shift()) {
          const problem = await runCell(cell).catch((error: unknown) => `threw: ${String(error)}`);
          if (problem !== undefined)
            failures.push(
              `${cell.scenario} / ${cell.route}${cell.skip ? ` (#${cell.skip + 1})` : ''} / ${cell.kind}: ${problem}`,
            );
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 900_000);
});

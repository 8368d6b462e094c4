// Benchmark 3: `out` delivering a release with 50 new builds into a base of ~10,000 `.final_builds`
// entries, on repositories from the smallest to the largest: wall time of the spawned bundle and
// the requests it made (the sandbox's request log). Each round puts into each, back to back;
// between puts the lock branch is deleted (closing the PR), so every put takes the lock from free.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import type { GetPutResponse } from '../src/concourse/contract.js';
import {
  expectSuccess,
  OWNER,
  removeDir,
  runStep,
  scratchDir,
  serveRepo,
  sourceFor,
  type BenchContext,
} from './context.js';
import { repositorySizeChart } from './fetch.js';
import { git } from './process.js';
import type { Section } from './report.js';
import { formatBytes, formatMs, formatRatio, median, pairedRatio } from './stats.js';
import {
  describeSpec,
  mainOnlyRepo,
  nextReleaseFiles,
  syntheticRepo,
  type RepoSpec,
  type SyntheticRepo,
} from './synthetic-repo.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** One put: its wall time and the requests it made. */
interface Put {
  ms: number;
  restReads: number;
  restWrites: number;
  gitRequests: number;
}

/** A repository served to `out`, the build directory it puts from, and its puts so far. */
export interface Target {
  repo: SyntheticRepo;
  name: string;
  build: string;
  newBuilds: number;
  puts: Put[];
}

/** Runs benchmark 3 and describes its results. */
export async function benchOut(context: BenchContext): Promise<Section> {
  const started = performance.now();
  const specs: RepoSpec[] = context.quick
    ? [
        { commits: 100, sourceBytes: 10 * MIB },
        { commits: 1000, sourceBytes: 100 * MIB },
      ]
    : [
        { commits: 100, sourceBytes: 10 * MIB },
        { commits: 1000, sourceBytes: 100 * MIB },
        { commits: 10_000, sourceBytes: GIB },
      ];
  const rounds = context.runs ?? (context.quick ? 3 : 7);
  const repos: SyntheticRepo[] = [];
  for (const spec of specs) repos.push(await syntheticRepo(context.cacheDir, spec, context.say));

  const sandbox = await startSandbox();
  const targets: Target[] = [];
  try {
    for (const repo of repos) {
      const name = `out-${repo.commits}-${repo.sourceBytes}`;
      targets.push(await prepareOut(context, sandbox, repo, name));
    }
    context.say(`out: ${targets.map((t) => describeSpec(t.repo)).join(' and ')}, ${rounds} rounds`);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const target = targets[(round + k) % targets.length];
        if (target !== undefined) target.puts.push(await putOnce(context, sandbox, target));
      }
    }
  } finally {
    await sandbox.stop();
    for (const target of targets) await removeDir(target.build);
  }
  return describe(context, targets, performance.now() - started);
}

/**
 * Serves `repo`'s main alone (mainOnlyRepo) as `name` and makes the build directory of a put:
 * `release-repo`, a checkout of main with the next release cut in it and left uncommitted, as
 * `bosh create-release --final` leaves it. The checkout borrows the cache's objects; its work
 * tree is main's.
 */
export async function prepareOut(
  context: BenchContext,
  sandbox: Sandbox,
  repo: SyntheticRepo,
  name: string,
): Promise<Target> {
  const main = await mainOnlyRepo(repo);
  await serveRepo(sandbox, { ...repo, path: main }, { name, withLockBranch: false });
  const build = await scratchDir(context, 'out-build');
  const checkout = join(build, 'release-repo');
  await git(build, ['clone', '--quiet', '--shared', '--branch', 'main', main, checkout]);
  const files = nextReleaseFiles(repo);
  for (const [path, content] of files) {
    await mkdir(dirname(join(checkout, path)), { recursive: true });
    await writeFile(join(checkout, path), content);
  }
  const newBuilds = [...files.keys()].filter((path) => path.startsWith('.final_builds/')).length;
  return { repo, name, build, newBuilds, puts: [] };
}

/**
 * One put of the target's release, from a free lock; gives the lock up again afterwards. `step`
 * sets the step's HOME and Node's arguments (see trace.ts).
 */
export async function putOnce(
  context: BenchContext,
  sandbox: Sandbox,
  target: Target,
  step: { home?: string; nodeArgs?: string[] } = {},
): Promise<Put> {
  const since = sandbox.log().length;
  const tmp = await scratchDir(context, 'out-tmp');
  try {
    const request = {
      source: sourceFor(sandbox, target.name),
      params: { repository: 'release-repo' },
    };
    const finished = expectSuccess(
      'out',
      await runStep(context, 'out', request, { args: [target.build], tmp, ...step }),
    );
    const response = JSON.parse(finished.stdout) as GetPutResponse;
    const operation = response.metadata.find((m) => m.name === 'operation')?.value;
    if (operation !== 'created')
      throw new Error(`out ${operation ?? 'did nothing'}, expected created`);
    const entries = sandbox
      .log()
      .slice(since)
      .filter((entry) => entry.repository === `${OWNER}/${target.name}`);
    const rest = entries.filter((entry) => entry.kind === 'rest');
    // Give the lock up for the next round: deleting the branch closes its PR.
    await sandbox.deleteBranch(OWNER, target.name, target.repo.lockBranch);
    return {
      ms: finished.ms,
      restReads: rest.filter((entry) => !entry.write).length,
      restWrites: rest.filter((entry) => entry.write).length,
      gitRequests: entries.filter((entry) => entry.kind === 'git').length,
    };
  } finally {
    await removeDir(tmp);
  }
}

function describe(context: BenchContext, targets: Target[], tookMs: number): Section {
  const smallest = targets[0];
  const largest = targets.at(-1);
  if (smallest === undefined || largest === undefined) throw new Error('no repository measured');
  const times = (target: Target) => target.puts.map((p) => p.ms);
  const rows = targets.map((target) => [
    target.repo.commits.toLocaleString('en-US'),
    formatBytes(target.repo.sourceBytes),
    formatBytes(target.repo.packBytes),
    formatMs(median(times(target))),
    target === smallest ? '1×' : formatRatio(pairedRatio(times(target), times(smallest))),
    String(median(target.puts.map((p) => p.restReads))),
    String(median(target.puts.map((p) => p.restWrites))),
    String(median(target.puts.map((p) => p.gitRequests))),
    String(target.puts.length),
  ]);
  const growth = pairedRatio(times(largest), times(smallest));
  const sameCalls =
    median(largest.puts.map((p) => p.restReads + p.restWrites)) ===
    median(smallest.puts.map((p) => p.restReads + p.restWrites));
  const flat = growth <= 1.25;
  return {
    title: '3. `out`: a release with 50 new builds into ~10,000 index entries',
    goal: 'flat in repository size',
    verdict: {
      met: largest.repo.sourceBytes >= GIB ? flat : undefined,
      text: `a put into the ${formatBytes(largest.repo.sourceBytes)} repository of ${largest.repo.commits.toLocaleString('en-US')} commits takes ${formatRatio(growth)} the time of a put into the ${formatBytes(smallest.repo.sourceBytes)} one (the bar is 1.25×), with ${sameCalls ? 'the same number of' : 'a different number of'} API calls`,
    },
    tables: [
      {
        headers: [
          'commits',
          'source',
          'pack',
          '`out` (bundle)',
          '÷ smallest',
          'REST reads',
          'REST writes',
          'git requests',
          'puts',
        ],
        rows,
      },
    ],
    notes: [
      `The base (main) holds ${smallest.repo.buildsOnMain.toLocaleString('en-US')} \`.final_builds\` entries in 61 indexes and 199 releases; the put brings release ${smallest.repo.lockVersion} with ${smallest.newBuilds} new builds, a manifest and the release index entry, cut from main's head and uncommitted in \`release-repo\`, a full checkout of main.`,
      `\`dist/out.mjs\` spawned with ${context.resourceNodeVersion} as Concourse runs it; every put finds the lock free, fetches main's metadata (shallow, blobless, sparse), rebases, pushes the lock branch and opens the PR. git requests count ref advertisements and pack exchanges; REST calls are those the request log attributes to the repository.`,
      'Medians; the ratio is the median of per-round ratios (the puts ran back to back in each round, in rotating order).',
    ],
    charts: [
      repositorySizeChart(
        targets.map((target) => ({ repo: target.repo, times: { out: times(target) } })),
        [{ key: 'out', label: 'out (bundle)' }],
      ),
    ],
    tookMs,
  };
}

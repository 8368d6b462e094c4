// Benchmark 1: `in` against `git clone` (what Concourse's git resource does by default) and
// `git clone --depth 1`, over the sandbox's smart HTTP, on synthetic release repositories of
// growing history and source size. Each round runs the three back to back, in rotating order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Chart, ChartSeries } from './chart.js';
import {
  expectSuccess,
  gitAuthEnv,
  removeDir,
  runStep,
  scratchDir,
  type BenchContext,
} from './context.js';
import { startFetchHost, type ServedRelease } from './fetch-host.js';
import { mustRun } from './process.js';
import type { Section, Table } from './report.js';
import { formatBytes, formatMs, formatRatio, median, pairedRatio } from './stats.js';
import { traceStep } from './trace.js';
import { syntheticRepo, type RepoSpec, type SyntheticRepo } from './synthetic-repo.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** The repositories of the grid: history length × source size. */
export function fetchGrid(quick: boolean): RepoSpec[] {
  const commits = quick ? [100, 1000] : [100, 1000, 10_000];
  const sizes = quick ? [10 * MIB, 100 * MIB] : [10 * MIB, 100 * MIB, GIB];
  return sizes.flatMap((sourceBytes) => commits.map((n) => ({ commits: n, sourceBytes })));
}

/** `in`, a full clone as concourse/git-resource's `in` makes it, or `git clone --depth 1`. */
type FetchKind = 'in' | 'clone' | 'shallow';
const KINDS: FetchKind[] = ['in', 'clone', 'shallow'];

/** How the charts and tables name each kind of measurement. */
export const FETCH_LABELS: Record<FetchKind, string> = {
  in: 'in (bundle)',
  clone: 'git clone (full)',
  shallow: 'git clone --depth 1',
};

interface RepoResult {
  repo: SyntheticRepo;
  times: Record<FetchKind, number[]>;
}

/** Runs benchmark 1 and describes its results. */
export async function benchFetch(context: BenchContext): Promise<Section> {
  const started = performance.now();
  const grid = fetchGrid(context.quick);
  // Generate (or find) every repository before the sandbox starts: generation is heavy.
  const repos: SyntheticRepo[] = [];
  for (const spec of grid) repos.push(await syntheticRepo(context.cacheDir, spec, context.say));

  const rounds = context.runs ?? (context.quick ? 3 : 5);
  const results: RepoResult[] = repos.map((repo) => ({
    repo,
    times: { in: [], clone: [], shallow: [] },
  }));
  // Rounds go over every repository in turn, rather than repository after repository: the
  // machine is a shared VM whose speed drifts over minutes, and this way a slow stretch weighs on
  // every repository alike, which the comparison across sizes needs.
  for (let round = 0; round < rounds; round++) {
    context.say(`in vs clone: round ${round + 1} of ${rounds} over ${repos.length} repositories`);
    for (const result of results) await measureRound(context, result, round);
  }
  const smallest = repos[0];
  const traced =
    context.trace && smallest !== undefined
      ? await traceIn(context, smallest, `fetch-${smallest.commits}-${smallest.sourceBytes}`)
      : [];
  const section = describe(context, results, performance.now() - started);
  return { ...section, tables: [...section.tables, ...traced] };
}

/** One more `in` of `repo`, traced (trace.ts), against a sandbox of its own; not measured. */
export async function traceIn(
  context: BenchContext,
  repo: SyntheticRepo,
  name: string,
): Promise<Table[]> {
  const host = await startFetchHost(repo, name);
  try {
    return await traceStep(context, 'in', ({ dir, home, nodeArgs }) => {
      const args = [join(dir, 'dest')];
      return runStep(context, 'in', host.served.request, { args, tmp: dir, home, nodeArgs }).then(
        (finished) => expectSuccess('in', finished),
      );
    });
  } finally {
    await host.stop();
  }
}

// One round on one repository: `in` and both clones back to back, in an order that rotates with
// the round.
async function measureRound(
  context: BenchContext,
  result: RepoResult,
  round: number,
): Promise<void> {
  const { repo, times } = result;
  const name = `fetch-${repo.commits}-${repo.sourceBytes}`;
  for (let k = 0; k < KINDS.length; k++) {
    const kind = KINDS[(round + k) % KINDS.length] ?? 'in';
    times[kind].push(await measureFetch(context, repo, name, kind));
  }
}

/**
 * The wall time of one `in` or clone of `repo` with its release PR merged, served as `name` by a
 * sandbox of its own, started fresh (see fetch-host.ts).
 */
export async function measureFetch(
  context: BenchContext,
  repo: SyntheticRepo,
  name: string,
  kind: FetchKind,
): Promise<number> {
  const host = await startFetchHost(repo, name);
  const dir = await scratchDir(context, kind);
  try {
    return await measureOnce(context, repo, host.served, kind, dir);
  } finally {
    await removeDir(dir);
    await host.stop();
  }
}

async function measureOnce(
  context: BenchContext,
  repo: SyntheticRepo,
  served: ServedRelease,
  kind: FetchKind,
  dir: string,
): Promise<number> {
  if (kind === 'in') {
    const dest = join(dir, 'dest');
    const finished = expectSuccess(
      'in',
      await runStep(context, 'in', served.request, { args: [dest], tmp: dir }),
    );
    const manifest = join(
      dest,
      'releases',
      repo.releaseName,
      `${repo.releaseName}-${repo.lockVersion}.yml`,
    );
    if (!existsSync(manifest)) throw new Error(`in wrote no ${manifest}`);
    return finished.ms;
  }
  const depth = kind === 'shallow' ? ['--depth', '1'] : [];
  const args = ['clone', '--quiet', '--single-branch', '--branch', 'main', ...depth];
  const clone = [...args, served.gitUrl, join(dir, 'clone')];
  return (await mustRun('git', clone, { env: gitAuthEnv(served.token, dir) })).ms;
}

function describe(context: BenchContext, results: RepoResult[], tookMs: number): Section {
  const rows = results.map(({ repo, times }) => [
    repo.commits.toLocaleString('en-US'),
    formatBytes(repo.sourceBytes),
    formatBytes(repo.packBytes),
    formatMs(median(times.in)),
    formatMs(median(times.clone)),
    formatMs(median(times.shallow)),
    formatRatio(pairedRatio(times.clone, times.in)),
    formatRatio(pairedRatio(times.shallow, times.in)),
    String(times.in.length),
  ]);
  const smallest = results[0];
  const largest = results.at(-1);
  if (smallest === undefined || largest === undefined) throw new Error('no repository measured');
  // Paired by round: both ran in the same round, minutes apart at most.
  const growth = pairedRatio(largest.times.in, smallest.times.in);
  const biggestSize = Math.max(...results.map((r) => r.repo.sourceBytes));
  const atBiggest = results.filter((r) => r.repo.sourceBytes === biggestSize);
  const speedups = atBiggest.map((r) => pairedRatio(r.times.clone, r.times.in));
  const slowest = Math.min(...speedups);
  const flat = growth <= 1.25;
  const fast = slowest >= 20;
  // A shallow clone is the least git itself fetches for one commit: `in` should not be slower.
  const againstShallow = results.map((r) => pairedRatio(r.times.shallow, r.times.in));
  const beatsShallow = againstShallow.filter((ratio) => ratio >= 1).length;
  const sizeName = formatBytes(biggestSize);
  const generation = results.reduce((sum, r) => sum + r.repo.generatedMs, 0);
  const onDisk = results.reduce((sum, r) => sum + r.repo.packBytes, 0);
  return {
    title: '1. `in` against `git clone`, by repository size',
    goal: 'flat in repository size; ≥ 20× faster than a full clone at 1 GiB of source; at least as fast as `git clone --depth 1` on every repository',
    verdict: {
      met: biggestSize >= GIB ? flat && fast && beatsShallow === results.length : undefined,
      text: [
        `\`in\` on the largest repository takes ${formatRatio(growth)} its time on the smallest, round by round (${flat ? 'flat' : 'not flat'}: the bar is 1.25×)`,
        `at ${sizeName} it is ${speedups.map(formatRatio).join(' / ')} faster than a full clone (${fast ? 'at least' : 'below'} 20×)`,
        `it is at least as fast as a shallow clone on ${beatsShallow} of ${results.length} repositories (depth 1 ÷ in: ${formatRatio(Math.min(...againstShallow))} to ${formatRatio(Math.max(...againstShallow))})`,
        ...(biggestSize < GIB
          ? ['the quick grid stops below 1 GiB: run the full grid for the verdict']
          : []),
      ].join('; '),
    },
    tables: [
      {
        headers: [
          'commits',
          'source',
          'pack',
          '`in` (bundle)',
          '`git clone`',
          '`git clone --depth 1`',
          'clone ÷ in',
          'depth 1 ÷ in',
          'rounds',
        ],
        rows,
      },
    ],
    notes: [
      `Medians; ratios are medians of per-round ratios (the three ran back to back in each round, in rotating order; each round went over every repository in turn, so that the size comparison is per round too). \`in\` is \`dist/in.mjs\` spawned with ${context.resourceNodeVersion} as Concourse runs it, Node start-up included; the clones check out \`main\` as the git resource does.`,
      `Every repository holds the same metadata at the fetched commit (${results[0]?.repo.metadataFiles ?? 0} files, ${formatBytes(results[0]?.repo.metadataBytes ?? 0)}: ${results[0]?.repo.buildsOnMain.toLocaleString('en-US') ?? 0} \`.final_builds\` entries in 61 indexes, 200 manifests of 40 packages and 20 jobs), the merge commit of a real release PR.`,
      'Every measurement had a sandbox of its own, in its own process, started fresh: no measurement pays for an earlier one.',
      `Generating these repositories took ${formatMs(generation)} the first time (git fast-import, then one repack with a bitmap); they are cached in \`.cache/bench/repos\` (${formatBytes(onDisk)}) and served through git alternates, without copies.`,
    ],
    charts: [repositorySizeChart(results)],
    tookMs,
  };
}

/**
 * The repository-size chart, which benchmark 3 adds `out` to: a marker for each repository, the
 * line through the median of each source size (the histories of one size share its pack size
 * nearly, and a line through each of them would run up and down on the spot).
 */
export function repositorySizeChart(
  results: readonly { repo: SyntheticRepo; times: Partial<Record<string, number[]>> }[],
  kinds: readonly { key: string; label: string }[] = KINDS.map((kind) => ({
    key: kind,
    label: FETCH_LABELS[kind],
  })),
): Chart {
  const sizes = [...new Set(results.map((r) => r.repo.sourceBytes))];
  const series: ChartSeries[] = kinds.map(({ key, label }) => {
    const point = (r: (typeof results)[number]) => ({
      x: r.repo.packBytes,
      y: median(r.times[key] ?? []),
    });
    const line = sizes.map((size) => {
      const group = results.filter((r) => r.repo.sourceBytes === size).map(point);
      return { x: median(group.map((p) => p.x)), y: median(group.map((p) => p.y)) };
    });
    return { key, label, points: results.map(point), line };
  });
  return {
    file: 'repository-size.svg',
    title: 'Time against repository size (log–log)',
    note: 'a marker per repository (100 to 10,000 commits); lines through the median of each source size',
    x: { label: 'repository size (pack)', unit: 'bytes' },
    y: { label: 'wall time (median)', unit: 'ms' },
    series,
  };
}

// Benchmark 6: `in`, `out`, a full clone and a shallow clone by the size of the metadata itself —
// release repositories whose 61 `.final_builds` indexes hold 3,050, 30,500 or 305,000 entries,
// history and source small and equal. Each round goes over every repository and runs the four
// back to back on it, in an order that rotates with the round.
//
// Its variant 6b (`metadata-spread`) measures the same way the same entries spread over 61, 610 or
// 6,100 indexes of 50, of which the release references its own 61: metadata that grows by retired
// jobs and packages, which `in` and `out` need not read.
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import type { Chart } from './chart.js';
import { removeDir, type BenchContext } from './context.js';
import { FETCH_LABELS, measureFetch, traceIn } from './fetch.js';
import { prepareOut, putOnce, type Target } from './out.js';
import type { Section, Table } from './report.js';
import { formatBytes, formatMs, formatRatio, median, pairedRatio } from './stats.js';
import { traceStep } from './trace.js';
import {
  metadataGrid,
  releasesOf,
  spreadGrid,
  syntheticRepo,
  type RepoSpec,
  type SyntheticRepo,
} from './synthetic-repo.js';

type Kind = 'in' | 'out' | 'clone' | 'shallow';
const KINDS: Kind[] = ['in', 'out', 'clone', 'shallow'];
const LABELS: Record<Kind, string> = { ...FETCH_LABELS, out: 'out (bundle)' };

/** The growth from the smallest metadata to the largest that `in` and `out` may show. */
const GROWTH_BAR = 1.5;
const LARGEST_ENTRIES = 305_000;
/** The indexes the release references on both grids: 40 packages, 20 jobs, the license. */
const RELEASE_INDEXES = 61;

interface SizeResult {
  repo: SyntheticRepo;
  target: Target;
  times: Record<Kind, number[]>;
}

/** What sets benchmark 6 and its variant 6b apart: the grid, names, and what the report says. */
interface Variant {
  /** Names the sandbox's repositories and the progress lines. */
  key: string;
  grid: (quick: boolean) => RepoSpec[];
  describe: (context: BenchContext, results: SizeResult[], tookMs: number) => Section;
}

const SIZE: Variant = { key: 'metadata', grid: metadataGrid, describe };
const SPREAD: Variant = { key: 'spread', grid: spreadGrid, describe: describeSpread };

/** Runs benchmark 6 and describes its results. */
export function benchMetadata(context: BenchContext): Promise<Section> {
  return benchVariant(context, SIZE);
}

/** Runs benchmark 6b, the same entries spread over retired indexes, and describes its results. */
export function benchMetadataSpread(context: BenchContext): Promise<Section> {
  return benchVariant(context, SPREAD);
}

async function benchVariant(context: BenchContext, variant: Variant): Promise<Section> {
  const started = performance.now();
  const repos: SyntheticRepo[] = [];
  for (const spec of variant.grid(context.quick))
    repos.push(await syntheticRepo(context.cacheDir, spec, context.say));

  const rounds = context.runs ?? (context.quick ? 3 : 5);
  // `out` puts into this process's sandbox (see out.ts), `in` and the clones each get a fresh one.
  const sandbox = await startSandbox();
  const results: SizeResult[] = [];
  let traced: Table[] = [];
  try {
    for (const repo of repos) {
      const target = await prepareOut(context, sandbox, repo, `${nameOf(variant, repo)}-out`);
      results.push({ repo, target, times: { in: [], out: [], clone: [], shallow: [] } });
    }
    for (let round = 0; round < rounds; round++) {
      context.say(
        `${variant.key}: round ${round + 1} of ${rounds} over ${repos.length} repositories`,
      );
      for (const result of results) {
        for (let k = 0; k < KINDS.length; k++) {
          const kind = KINDS[(round + k) % KINDS.length] ?? 'in';
          if (kind === 'out') {
            const put = await putOnce(context, sandbox, result.target);
            result.target.puts.push(put);
            result.times.out.push(put.ms);
          } else {
            result.times[kind].push(
              await measureFetch(context, result.repo, nameOf(variant, result.repo), kind),
            );
          }
        }
      }
    }
    const largest = results.at(-1);
    if (context.trace && largest !== undefined)
      traced = await traceLargest(context, variant, sandbox, largest);
  } finally {
    await sandbox.stop();
    for (const result of results) await removeDir(result.target.build);
  }
  const section = variant.describe(context, results, performance.now() - started);
  return { ...section, tables: [...section.tables, ...traced] };
}

// One more `in` and `out` at the largest size, traced (trace.ts); not among the measurements.
async function traceLargest(
  context: BenchContext,
  variant: Variant,
  sandbox: Sandbox,
  result: SizeResult,
): Promise<Table[]> {
  context.say(`${variant.key}: tracing in and out at ${result.repo.buildsOnMain} entries`);
  return [
    ...(await traceIn(context, result.repo, nameOf(variant, result.repo))),
    ...(await traceStep(context, 'out', ({ home, nodeArgs }) =>
      putOnce(context, sandbox, result.target, { home, nodeArgs }),
    )),
  ];
}

function nameOf(variant: Variant, repo: SyntheticRepo): string {
  return `${variant.key}-${repo.buildsOnMain}`;
}

/** What both variants report: growth, shallow-clone ratios, requests per put, generation. */
function measures(results: SizeResult[]) {
  const smallest = results[0];
  const largest = results.at(-1);
  if (smallest === undefined || largest === undefined) throw new Error('no repository measured');
  const growth = (kind: Kind) => pairedRatio(largest.times[kind], smallest.times[kind]);
  const againstShallow = results.map((r) => pairedRatio(r.times.shallow, r.times.in));
  const beatsShallow = againstShallow.filter((ratio) => ratio >= 1).length;
  const full = largest.repo.buildsOnMain >= LARGEST_ENTRIES;
  const entries = (r: SizeResult) => r.repo.buildsOnMain.toLocaleString('en-US');
  const requests = (r: SizeResult) => {
    const rest = median(r.target.puts.map((p) => p.restReads + p.restWrites));
    return `${rest} REST and ${median(r.target.puts.map((p) => p.gitRequests))} git`;
  };
  return {
    smallest,
    largest,
    growth,
    againstShallow,
    beatsShallow,
    full,
    met: full
      ? growth('in') <= GROWTH_BAR && growth('out') <= GROWTH_BAR && beatsShallow === results.length
      : undefined,
    entries,
    verdictText: (span: string) =>
      [
        `${span}, \`in\` grows ${formatRatio(growth('in'))} and \`out\` ${formatRatio(growth('out'))}, round by round (the bar is ${formatRatio(GROWTH_BAR)}; a full clone grows ${formatRatio(growth('clone'))}, a shallow one ${formatRatio(growth('shallow'))})`,
        `\`in\` is at least as fast as a shallow clone at ${beatsShallow} of ${results.length} sizes (depth 1 ÷ in: ${againstShallow.map(formatRatio).join(' / ')})`,
        ...(full
          ? []
          : ['the quick grid stops below 305,000 entries: run the full grid for the verdict']),
      ].join('; '),
    timeCells: (r: SizeResult) => [
      formatMs(median(r.times.in)),
      formatMs(median(r.times.out)),
      formatMs(median(r.times.clone)),
      formatMs(median(r.times.shallow)),
      formatRatio(pairedRatio(r.times.shallow, r.times.in)),
      formatRatio(pairedRatio(r.times.clone, r.times.in)),
      String(r.times.in.length),
    ],
    growthTable: (span: string): Table => ({
      caption: `Growth ${span} (largest ÷ smallest, the median of per-round ratios):`,
      headers: KINDS.map((kind) => LABELS[kind]),
      rows: [KINDS.map((kind) => formatRatio(growth(kind)))],
    }),
    requests: results.map(requests).join(', '),
    generation: results.reduce((sum, r) => sum + r.repo.generatedMs, 0),
    onDisk: results.reduce((sum, r) => sum + r.repo.packBytes, 0),
  };
}

const TIME_HEADERS = [
  '`in` (bundle)',
  '`out` (bundle)',
  '`git clone`',
  '`git clone --depth 1`',
  'depth 1 ÷ in',
  'clone ÷ in',
  'rounds',
];

function describe(context: BenchContext, results: SizeResult[], tookMs: number): Section {
  const m = measures(results);
  const { smallest, largest, entries } = m;
  const span = `from ${entries(smallest)} to ${entries(largest)} entries`;
  const { imported, overHistory } = releasesOf(smallest.repo);
  return {
    title: '6. `in` and `out` by metadata size',
    goal: `\`in\` and \`out\` grow at most ${formatRatio(GROWTH_BAR)} from 3,050 to 305,000 index entries; \`in\` at least as fast as \`git clone --depth 1\` at every size`,
    verdict: { met: m.met, text: m.verdictText(span) },
    tables: [
      {
        headers: ['index entries', 'metadata', 'pack', ...TIME_HEADERS],
        rows: results.map((r) => [
          entries(r),
          formatBytes(r.repo.metadataBytes),
          formatBytes(r.repo.packBytes),
          ...m.timeCells(r),
        ]),
      },
      m.growthTable(span),
    ],
    notes: [
      `Every repository has ${smallest.repo.commits} commits and ${formatBytes(smallest.repo.sourceBytes)} of source; main holds ${imported + overHistory} releases (${imported} imported in the first commit, ${overHistory} over the history) of 40 packages and 20 jobs, and each of the 61 \`.final_builds\` indexes is filled to ${results.map((r) => (r.repo.buildsOnMain / 61).toLocaleString('en-US')).join(', ')} entries with older builds that no kept manifest references. Release ${smallest.repo.lockVersion}, with ${smallest.target.newBuilds} new builds, waits on the lock branch.`,
      fetchedNote(context, smallest, m.requests),
      MEDIANS_NOTE,
      generationNote(m.generation, m.onDisk),
    ],
    charts: [
      timeChart(results, {
        file: 'metadata-size.svg',
        title: 'Time against metadata size (log–log)',
        note: '61 .final_builds indexes, 100 commits, 10 MiB of source; out brings 50 new builds',
        xLabel: '.final_builds entries on the base',
      }),
    ],
    tookMs,
  };
}

function describeSpread(context: BenchContext, results: SizeResult[], tookMs: number): Section {
  const m = measures(results);
  const { smallest, largest, entries } = m;
  const indexes = (r: SizeResult) => RELEASE_INDEXES + (r.repo.retiredIndexes ?? 0);
  const count = (n: number) => n.toLocaleString('en-US');
  const span = `from ${count(indexes(smallest))} to ${count(indexes(largest))} indexes (${entries(smallest)} to ${entries(largest)} entries)`;
  const { imported, overHistory } = releasesOf(smallest.repo);
  return {
    title: '6b. `in` and `out` by metadata spread over retired indexes',
    goal: `\`in\` and \`out\` grow at most ${formatRatio(GROWTH_BAR)} from 3,050 to 305,000 index entries when the release references the same 61 indexes of them; \`in\` at least as fast as \`git clone --depth 1\` at every size`,
    verdict: { met: m.met, text: m.verdictText(span) },
    tables: [
      {
        headers: ['indexes (referenced)', 'index entries', 'metadata', 'pack', ...TIME_HEADERS],
        rows: results.map((r) => [
          `${count(indexes(r))} (${RELEASE_INDEXES})`,
          entries(r),
          formatBytes(r.repo.metadataBytes),
          formatBytes(r.repo.packBytes),
          ...m.timeCells(r),
        ]),
      },
      m.growthTable(span),
    ],
    notes: [
      `The metadata grows as in benchmark 6, by the release's past, but here by retired jobs and packages: every repository has ${smallest.repo.commits} commits and ${formatBytes(smallest.repo.sourceBytes)} of source and main holds ${imported + overHistory} releases (${imported} imported in the first commit, ${overHistory} over the history) of 40 packages and 20 jobs, whose 61 indexes hold ${smallest.repo.entriesPerIndex ?? 0} builds each (as in benchmark 6's smallest repository, which is this grid's smallest); beside them ${results.map((r) => count(r.repo.retiredIndexes ?? 0)).join(', ')} indexes of retired jobs and packages (two packages to a job), ${smallest.repo.entriesPerIndex ?? 0} builds each, that no kept manifest references — bosh keeps a job's or package's index when the job or package goes. At every size the release's manifest references the same 61 indexes, which with config/final.yml, the release index and the manifest are less than the smallest repository's whole metadata (${formatBytes(smallest.repo.metadataBytes)}). Release ${smallest.repo.lockVersion}, with ${smallest.target.newBuilds} new builds (all in the 61), waits on the lock branch.`,
      fetchedNote(context, smallest, m.requests),
      MEDIANS_NOTE,
      generationNote(m.generation, m.onDisk),
    ],
    charts: [
      timeChart(results, {
        file: 'metadata-spread.svg',
        title: 'Time against metadata spread over retired indexes (log–log)',
        note: `the release references 61 of ${results.map((r) => count(indexes(r))).join(' / ')} indexes of 50 entries; out brings 50 new builds`,
        xLabel: '.final_builds entries on the base (50 per index)',
      }),
    ],
    tookMs,
  };
}

function fetchedNote(context: BenchContext, smallest: SizeResult, requests: string): string {
  const version = smallest.repo.lockVersion;
  return `\`in\` and the clones fetch the merge commit of release ${version}'s PR, each from a sandbox of its own started fresh (as in benchmark 1); \`out\` puts release ${version} from a checkout of main into a free lock (as in benchmark 3; ${requests} requests per put by size). Steps are the bundles spawned with ${context.resourceNodeVersion} as Concourse runs them.`;
}

const MEDIANS_NOTE =
  'Medians; ratios are medians of per-round ratios (the four ran back to back on each repository in each round, in rotating order, and each round went over every repository in turn).';

function generationNote(generation: number, onDisk: number): string {
  return `Generating these repositories took ${formatMs(generation)} the first time; they are cached in \`.cache/bench/repos\` (${formatBytes(onDisk)}).`;
}

function timeChart(
  results: readonly SizeResult[],
  chart: { file: string; title: string; note: string; xLabel: string },
): Chart {
  return {
    file: chart.file,
    title: chart.title,
    note: chart.note,
    x: { label: chart.xLabel, unit: 'count' },
    y: { label: 'wall time (median)', unit: 'ms' },
    series: KINDS.map((kind) => ({
      key: kind,
      label: LABELS[kind],
      points: results.map((r) => ({ x: r.repo.buildsOnMain, y: median(r.times[kind]) })),
    })),
  };
}

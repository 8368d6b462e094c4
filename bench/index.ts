// `npm run bench`: the benchmarks of BENCHMARKS.md, against the built bundles. Not tests: they
// measure, print a Markdown report, and with --write put it into BENCHMARKS.md.
//
//   npm run bench                       # the full grid (see BENCHMARKS.md for what it costs)
//   npm run bench -- --quick            # a small grid, fewer rounds
//   npm run bench -- --only check,out   # some of: fetch, check, out, cold-start, rebase, metadata,
//                                       # metadata-spread
//   npm run bench -- --runs 3           # rounds per measurement
//   npm run bench -- --only metadata --trace   # also trace in and out at the largest size (and
//                                              # one in on fetch's smallest repository)
//   npm run bench -- --write            # also replace the generated part of BENCHMARKS.md and
//                                       # write its charts into bench/charts/
//   npm run bench -- --clean            # remove the cached repositories and exit
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeCharts, renderChart } from './chart.js';
import { benchCheck } from './check.js';
import { benchColdStart, node24 } from './cold-start.js';
import { newScratch, PROJECT_ROOT, type BenchContext } from './context.js';
import { benchFetch } from './fetch.js';
import { FETCH_HOST_FLAG, runFetchHost } from './fetch-host.js';
import { describeMachine } from './machine.js';
import { benchMetadata, benchMetadataSpread } from './metadata.js';
import { benchOut } from './out.js';
import { run } from './process.js';
import { benchRebase } from './rebase.js';
import { CHARTS_DIR, renderReport, replaceGenerated, type Report, type Section } from './report.js';

const BENCHMARKS: Record<string, (context: BenchContext) => Promise<Section>> = {
  fetch: benchFetch,
  check: benchCheck,
  out: benchOut,
  'cold-start': benchColdStart,
  rebase: benchRebase,
  metadata: benchMetadata,
  'metadata-spread': benchMetadataSpread,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      write: { type: 'boolean', default: false },
      clean: { type: 'boolean', default: false },
    },
  });
  const cacheDir = join(PROJECT_ROOT, '.cache', 'bench', 'repos');
  if (values.clean) {
    await rm(cacheDir, { recursive: true, force: true });
    console.log(`removed ${cacheDir}`);
    return;
  }
  const only = values.only?.split(',').map((name) => name.trim()) ?? Object.keys(BENCHMARKS);
  const unknown = only.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}: choose among ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  }
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'in.mjs')))
    throw new Error('dist/ is missing: npm run build');

  const started = performance.now();
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const resourceNode = (await node24()) ?? process.execPath;
  const scratch = await newScratch();
  await mkdir(cacheDir, { recursive: true });
  const machine = await describeMachine({ dir: cacheDir, nodes: [process.execPath, resourceNode] });
  const context: BenchContext = {
    quick: values.quick,
    trace: values.trace,
    runs: values.runs === undefined ? undefined : Number(values.runs),
    cacheDir,
    scratch,
    resourceNode,
    resourceNodeVersion: `Node ${(await run(resourceNode, ['--version'])).stdout.trim()}`,
    say: (line) => console.error(line),
  };
  const sections: Section[] = [];
  try {
    for (const name of only) {
      context.say(`== ${name}`);
      const benchmark = BENCHMARKS[name];
      if (benchmark !== undefined) sections.push(await benchmark(context));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  machine.loadAtEnd = (await import('node:os')).loadavg();
  const argv = process.argv.slice(2).join(' ');
  const report: Report = {
    startedAt,
    mode: values.quick ? 'quick' : 'full',
    command: `npm run bench${argv === '' ? '' : ` -- ${argv}`}`,
    machine,
    sections,
    totalMs: performance.now() - started,
  };
  const markdown = renderReport(report);
  const resultsDir = join(PROJECT_ROOT, '.cache', 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const stamp = startedAt.replace(/[:]/g, '');
  await writeFile(join(resultsDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(resultsDir, `${stamp}.md`), markdown);
  const load = (loads: number[]) => loads[0]?.toFixed(1) ?? '?';
  const footer = `npm run bench, ${startedAt}, load average ${load(machine.loadAtStart)} at start, ${load(machine.loadAtEnd)} at end`;
  const charts = mergeCharts(sections.flatMap((section) => section.charts ?? []));
  for (const chart of charts) {
    const svg = renderChart({ ...chart, footer });
    await writeFile(join(resultsDir, `${stamp}-${chart.file}`), svg);
    if (values.write) {
      await mkdir(join(PROJECT_ROOT, CHARTS_DIR), { recursive: true });
      await writeFile(join(PROJECT_ROOT, CHARTS_DIR, chart.file), svg);
    }
  }
  console.log(markdown);
  if (charts.length > 0)
    console.error(`charts: ${charts.map((c) => join(resultsDir, `${stamp}-${c.file}`)).join(' ')}`);
  if (values.write) {
    const file = join(PROJECT_ROOT, 'BENCHMARKS.md');
    const current = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks\n';
    await writeFile(file, replaceGenerated(current, markdown));
    console.error(`wrote ${file}`);
  }
}

if (process.argv.includes(FETCH_HOST_FLAG)) runFetchHost();
else
  main().catch((error: unknown) => {
    console.error(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  });

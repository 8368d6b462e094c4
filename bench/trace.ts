// Where a step's time goes (`--trace`): one run of the bundle with git's trace2 events (every git
// process, its children included — index-pack, remote-https — with start and duration) and Node's
// CPU profile (self time by function, and how long the process sat idle waiting on git or the
// network). git reads trace2 settings only from its system and global configuration
// (https://git-scm.com/docs/api-trace2), so the step's HOME gets a .gitconfig naming the target.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDir, scratchDir, type BenchContext } from './context.js';
import type { Table } from './report.js';
import { formatMs } from './stats.js';

/** A git process of the trace: when it started (ms after the step), how long, its command. */
interface GitSpan {
  startMs: number;
  ms: number;
  /** How many git processes started it (0: the step started it). */
  depth: number;
  command: string;
}

/** Self time of one function of the step's own JavaScript. */
interface ProfileEntry {
  name: string;
  ms: number;
}

/** What one traced run found. */
interface Trace {
  wallMs: number;
  git: GitSpan[];
  profile: ProfileEntry[];
}

/** Prepares `home` so that git writes trace2 events into `eventsDir`; returns Node's arguments. */
async function prepareTrace(
  home: string,
  eventsDir: string,
  profileDir: string,
): Promise<string[]> {
  await mkdir(home, { recursive: true });
  await mkdir(eventsDir, { recursive: true });
  await mkdir(profileDir, { recursive: true });
  await writeFile(join(home, '.gitconfig'), `[trace2]\n\teventTarget = ${eventsDir}\n`);
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
}

interface Trace2Event {
  event: string;
  sid: string;
  time?: string;
  t_abs?: number;
  argv?: string[];
}

/** The git processes in trace2 event files (a directory target: one file per process). */
export function gitSpans(eventFiles: readonly string[], stepStartedAt: number): GitSpan[] {
  const bySid = new Map<string, { start?: number; ms?: number; argv?: string[] }>();
  for (const text of eventFiles) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as Trace2Event;
      const span = bySid.get(event.sid) ?? {};
      if (event.event === 'start' && event.time !== undefined) {
        span.start = Date.parse(event.time);
        span.argv = event.argv;
      } else if (event.event === 'exit' || event.event === 'atexit') {
        span.ms = Math.max(span.ms ?? 0, (event.t_abs ?? 0) * 1000);
      }
      bySid.set(event.sid, span);
    }
  }
  const spans: GitSpan[] = [];
  for (const [sid, span] of bySid) {
    if (span.start === undefined || span.argv === undefined) continue;
    spans.push({
      startMs: span.start - stepStartedAt,
      ms: span.ms ?? Number.NaN,
      depth: sid.split('/').length - 1,
      command: describeCommand(span.argv),
    });
  }
  return spans.sort((a, b) => a.startMs - b.startMs || a.depth - b.depth);
}

// `git fetch --depth=1 --filter=blob:none origin 1a2b3c4…`: the program and its arguments on one
// line, -c settings, URLs and a commit message's lines left out, long words shortened.
function describeCommand(argv: readonly string[]): string {
  const program = argv[0]?.split('/').at(-1) ?? 'git';
  const words: string[] = [program];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '-c' || word === '-m') {
      if (word === '-m') words.push('-m …');
      i++;
      continue;
    }
    if (/^[a-z]+:\/\//.test(word)) words.push('<url>');
    else if (/^[0-9a-f]{40}$/.test(word)) words.push(`${word.slice(0, 7)}…`);
    else words.push(word.replace(/\s+/g, ' ').slice(0, 60));
  }
  return words.join(' ');
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function in a V8 CPU profile, largest first; `(idle)` is time spent waiting. */
export function profileSelfTimes(profile: CpuProfile): ProfileEntry[] {
  const names = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').at(-1) ?? '';
    names.set(
      node.id,
      file === ''
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})`,
    );
  }
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i: it belongs to the sample before.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const name = names.get(id) ?? '(unknown)';
    self.set(name, (self.get(name) ?? 0) + delta / 1000);
  });
  return [...self].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

/** Reads what a traced run left in its directories. */
async function readTrace(options: {
  eventsDir: string;
  profileDir: string;
  stepStartedAt: number;
  wallMs: number;
}): Promise<Trace> {
  const eventFiles = await Promise.all(
    (await readdir(options.eventsDir)).map((file) =>
      readFile(join(options.eventsDir, file), 'utf8'),
    ),
  );
  const profiles = (await readdir(options.profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  const profile =
    profiles[0] === undefined
      ? []
      : profileSelfTimes(
          JSON.parse(await readFile(join(options.profileDir, profiles[0]), 'utf8')) as CpuProfile,
        );
  return {
    wallMs: options.wallMs,
    git: gitSpans(eventFiles, options.stepStartedAt),
    profile,
  };
}

/** A trace as two tables: the git processes that took at least `minMs`, and the top functions. */
export function traceTables(step: string, trace: Trace, minMs = 20): Table[] {
  const shown = trace.git.filter((span) => span.depth === 0 || span.ms >= minMs);
  const busy = trace.profile.filter((entry) => entry.name !== '(idle)');
  const idle = trace.profile.find((entry) => entry.name === '(idle)');
  return [
    {
      caption: `\`${step}\`, traced once (${formatMs(trace.wallMs)} with tracing on): git processes, those it starts indented, children under ${minMs} ms left out`,
      headers: ['starts at', 'takes', 'git'],
      rows: shown.map((span) => [
        `+${Math.round(span.startMs)} ms`,
        formatMs(span.ms),
        `${'↳ '.repeat(span.depth)}\`${span.command}\``,
      ]),
    },
    {
      caption: `\`${step}\`'s own JavaScript: self time by function (V8 CPU profile${idle === undefined ? '' : `; idle, waiting on git or the network: ${formatMs(idle.ms)}`})`,
      headers: ['function', 'self time'],
      rows: busy.slice(0, 12).map((entry) => [`\`${entry.name}\``, formatMs(entry.ms)]),
    },
  ];
}

/**
 * Runs `step` once, traced, in a scratch directory of its own: `once` runs it with the HOME and
 * Node arguments given and returns when it finished; the trace counts from the call of `once`.
 */
export async function traceStep(
  context: BenchContext,
  step: string,
  once: (options: { dir: string; home: string; nodeArgs: string[] }) => Promise<{ ms: number }>,
): Promise<Table[]> {
  const dir = await scratchDir(context, `trace-${step}`);
  try {
    const home = join(dir, 'home');
    const traceDirs = { eventsDir: join(dir, 'git-events'), profileDir: join(dir, 'profile') };
    const nodeArgs = await prepareTrace(home, traceDirs.eventsDir, traceDirs.profileDir);
    const stepStartedAt = Date.now();
    const { ms: wallMs } = await once({ dir, home, nodeArgs });
    return traceTables(step, await readTrace({ ...traceDirs, stepStartedAt, wallMs }));
  } finally {
    await removeDir(dir);
  }
}

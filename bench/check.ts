// Benchmark 2: what one `check` poll costs — REST requests (from the sandbox's request log) and
// wall time of the spawned bundle — at 0, 100 and 1,000 merged release PRs, with the ETag cache
// in /tmp cold, warm, and warm but due for its 5-minute revalidation of the repository settings.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import type { ResourceVersion } from '../src/concourse/contract.js';
import {
  expectSuccess,
  OWNER,
  PROJECT_ROOT,
  removeDir,
  runStep,
  scratchDir,
  sourceFor,
  type BenchContext,
} from './context.js';
import { git } from './process.js';
import { mergeReleasePull } from './release-pulls.js';
import type { Section } from './report.js';
import { formatMs, formatRatio, median, pairedRatio } from './stats.js';

const REPO = 'check-bench';
const RELEASE = 'example';
const LOCK = `bosh-release-pr/main/${RELEASE}`;
const EXAMPLE_BUNDLE = join(PROJECT_ROOT, 'test/fixtures/example-release/example-release.bundle');

type Cache = 'cold' | 'warm' | 'revalidating';
const CACHES: Cache[] = ['cold', 'warm', 'revalidating'];
const CACHE_LABEL: Record<Cache, string> = {
  cold: 'cold (empty /tmp)',
  warm: 'warm (polled just before)',
  revalidating: 'warm, remembered for over 5 min',
};

interface Poll {
  ms: number;
  statuses: number[];
}

interface TierResult {
  merged: number;
  polls: Record<Cache, Poll[]>;
}

/** Runs benchmark 2 and describes its results. */
export async function benchCheck(context: BenchContext): Promise<Section> {
  const started = performance.now();
  const tiers = context.quick ? [0, 100] : [0, 100, 1000];
  const rounds = context.runs ?? (context.quick ? 5 : 9);
  const sandbox = await startSandbox();
  const results: TierResult[] = [];
  let creatingMs = 0;
  try {
    await sandbox.createRepository({
      owner: OWNER,
      repo: REPO,
      bundle: EXAMPLE_BUNDLE,
      branches: ['main'],
      protectedBranches: ['main'],
      deleteBranchOnMerge: true,
    });
    let merged = 0;
    for (const tier of tiers) {
      const creating = performance.now();
      if (tier > merged) context.say(`check: merging release PRs ${merged + 1}…${tier}`);
      for (; merged < tier; merged++) await addMergedRelease(sandbox, merged + 1);
      creatingMs += performance.now() - creating;
      context.say(`check: ${tier} merged release PRs, ${rounds} rounds`);
      results.push({ merged: tier, polls: await measureTier(context, sandbox, rounds) });
    }
  } finally {
    await sandbox.stop();
  }
  return describe(results, creatingMs, performance.now() - started);
}

// Release PR n carries version 2 + n (the example repository's main is at release 2). Merges are
// a minute apart, as in life: check pages by update time and stops at the cursor's.
async function addMergedRelease(sandbox: Sandbox, n: number): Promise<void> {
  const main = (
    await git(sandbox.bareRepoPath(OWNER, REPO), ['rev-parse', 'refs/heads/main'])
  ).trim();
  const version = String(2 + n);
  // check reports what a merge adds to the release index: each PR adds one entry.
  const index = await git(sandbox.bareRepoPath(OWNER, REPO), [
    'show',
    'refs/heads/main:releases/example/index.yml',
  ]);
  const id = createHash('sha1').update(`bench ${version}`).digest('hex').slice(0, 32);
  await sandbox.commitToBranch(OWNER, REPO, LOCK, {
    files: {
      'releases/example/index.yml': index.replace(
        'builds:\n',
        `builds:\n  ${id}:\n    version: "${version}"\n`,
      ),
    },
    message: `Final release ${version}`,
    parent: main,
  });
  await mergeReleasePull(sandbox, {
    repo: REPO,
    head: LOCK,
    releaseName: RELEASE,
    version,
    source: main,
  });
  sandbox.clock.advance(60_000);
}

async function measureTier(
  context: BenchContext,
  sandbox: Sandbox,
  rounds: number,
): Promise<Record<Cache, Poll[]>> {
  const source = sourceFor(sandbox, REPO);
  // The cursor of an idle pipeline: the newest version, which check reports again and alone.
  const first = await scratchDir(context, 'check-first');
  const newest = JSON.parse(
    expectSuccess('check', await runStep(context, 'check', { source }, { tmp: first })).stdout,
  ) as ResourceVersion[];
  await removeDir(first);
  const cursor = newest.at(-1);
  if (cursor === undefined) throw new Error('check reported no version');
  const request = { source, version: cursor };

  const warm = await scratchDir(context, 'check-warm');
  const polls: Record<Cache, Poll[]> = { cold: [], warm: [], revalidating: [] };
  try {
    await poll(context, sandbox, request, warm, cursor); // fills the cache
    for (let round = 0; round < rounds; round++) {
      for (const cache of CACHES) {
        if (cache === 'cold') {
          const cold = await scratchDir(context, 'check-cold');
          polls.cold.push(await poll(context, sandbox, request, cold, cursor));
          await removeDir(cold);
        } else {
          if (cache === 'revalidating') await ageCache(warm);
          polls[cache].push(await poll(context, sandbox, request, warm, cursor));
        }
      }
    }
  } finally {
    await removeDir(warm);
  }
  return polls;
}

async function poll(
  context: BenchContext,
  sandbox: Sandbox,
  request: { source: Record<string, unknown>; version: ResourceVersion },
  tmp: string,
  cursor: ResourceVersion,
): Promise<Poll> {
  const since = sandbox.log().length;
  const finished = expectSuccess('check', await runStep(context, 'check', request, { tmp }));
  const versions = JSON.parse(finished.stdout) as ResourceVersion[];
  if (versions.length !== 1 || versions[0]?.ref !== cursor.ref) {
    throw new Error(`an idle check reported ${finished.stdout.trim()}, not just the cursor`);
  }
  const statuses = sandbox
    .log()
    .slice(since)
    .filter((entry) => entry.kind === 'rest' && entry.repository === `${OWNER}/${REPO}`)
    .map((entry) => entry.status);
  return { ms: finished.ms, statuses };
}

// What five minutes do to the cache: the remembered default branch, release name and (before the
// first release PR) starting version are due for revalidation (REVALIDATE_AFTER_MS in
// src/etag-cache.ts); the ETags stay valid.
async function ageCache(tmp: string): Promise<void> {
  const dir = join(tmp, 'bosh-release-pr-cache');
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.json')) continue;
    const entry = JSON.parse(await readFile(join(dir, file), 'utf8')) as { checkedAt: number };
    entry.checkedAt = 0;
    await writeFile(join(dir, file), JSON.stringify(entry));
  }
}

function describeStatuses(polls: Poll[]): string {
  const counts = new Map<string, number>();
  for (const p of polls) {
    const key = p.statuses.length === 0 ? 'none' : p.statuses.join(' + ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => (counts.size === 1 ? key : `${key} (${n}×)`)).join(', ');
}

function describe(results: TierResult[], creatingMs: number, tookMs: number): Section {
  const rows: string[][] = [];
  for (const tier of results) {
    for (const cache of CACHES) {
      const polls = tier.polls[cache];
      rows.push([
        tier.merged.toLocaleString('en-US'),
        CACHE_LABEL[cache],
        String(median(polls.map((p) => p.statuses.length))),
        describeStatuses(polls),
        formatMs(median(polls.map((p) => p.ms))),
        cache === 'cold'
          ? '1×'
          : formatRatio(
              pairedRatio(
                polls.map((p) => p.ms),
                tier.polls.cold.map((p) => p.ms),
              ),
            ),
        String(polls.length),
      ]);
    }
  }
  const idle = results.map((tier) => ({
    merged: tier.merged,
    statuses: tier.polls.warm.flatMap((p) => [p.statuses]),
  }));
  const misses = idle.filter((tier) => tier.statuses.some((s) => s.length !== 1 || s[0] !== 304));
  const met = misses.length === 0;
  const verdictText = met
    ? 'every idle poll with a warm cache made exactly one request, answered 304'
    : misses
        .map((tier) => {
          const worst = Math.max(...tier.statuses.map((s) => s.length));
          return `at ${tier.merged} merged release PRs an idle warm poll made ${worst} requests (${tier.statuses[0]?.join(' + ') ?? ''}), ${worst - 1} more than the goal`;
        })
        .join('; ');
  const largest = results.at(-1);
  return {
    title: '2. `check`: requests and wall time per poll',
    goal: 'one request per idle poll, answered 304 when nothing changed',
    verdict: { met, text: verdictText },
    tables: [
      {
        headers: [
          'merged release PRs',
          'ETag cache',
          'requests',
          'statuses',
          'wall time',
          '÷ cold',
          'polls',
        ],
        rows,
      },
    ],
    notes: [
      'Each poll is `dist/check.mjs` spawned with `{source, version: <newest>}` — an idle pipeline: nothing new to report. The source is the minimal one (`repository`, `access_token`, `github_api_url`), so check also learns the default branch and the release name, remembered for 5 minutes, as is the starting version at 0 merged release PRs. Requests are REST requests to the repository in the sandbox’s request log; a 304 costs no rate limit.',
      'Wall time includes Node’s start-up (see benchmark 4) and the sandbox answering on this machine; medians, ratios are medians of per-round ratios (the three cache states ran back to back each round).',
      `Merging ${largest?.merged.toLocaleString('en-US') ?? 0} release PRs through the sandbox's in-process API took ${formatMs(creatingMs)} (${formatMs(creatingMs / Math.max(1, largest?.merged ?? 1))} per PR).`,
    ],
    tookMs,
  };
}

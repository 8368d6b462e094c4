// Benchmark 5 (not a test): the semantic rebase of one release into a base branch whose
// `.final_builds` hold 100,000 entries, either in one huge index or spread over 1,000 indexes of
// 100 (real repositories: up to a few hundred per index). Pure: no git, no network.
import { createHash } from 'node:crypto';
import {
  detectRelease,
  rebaseRelease,
  writeBuildIndex,
  writeReleaseIndex,
  writeReleaseManifest,
  type BuildEntry,
  type Release,
} from '../src/bosh/index.js';
import type { BenchContext } from './context.js';
import type { Section } from './report.js';
import { formatMs, median } from './stats.js';

interface RebaseResult {
  label: string;
  times: number[];
}

const ENTRIES = 100_000;
const NAME = 'bench';

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

function entry(seed: string): [string, BuildEntry] {
  const fingerprint = hex(`fp-${seed}`);
  const blob = hex(`blob-${seed}`);
  const blobstoreId = `${blob.slice(0, 8)}-${blob.slice(8, 12)}-4${blob.slice(13, 16)}-${blob.slice(16, 20)}-${blob.slice(20, 32)}`;
  return [fingerprint, { version: fingerprint, blobstoreId, sha1: `sha256:${hex(`sha-${seed}`)}` }];
}

/** A base whose package indexes hold ENTRIES builds in `indexes` files, plus 1,000 releases. */
function syntheticBase(indexes: number): Map<string, string> {
  const files = new Map<string, string>([['config/final.yml', `name: ${NAME}\n`]]);
  const perIndex = ENTRIES / indexes;
  for (let i = 0; i < indexes; i++) {
    const builds = new Map<string, BuildEntry>();
    for (let j = 0; j < perIndex; j++) {
      const [fingerprint, build] = entry(`${i}-${j}`);
      builds.set(fingerprint, build);
    }
    files.set(`.final_builds/packages/pkg-${i}/index.yml`, writeBuildIndex({ builds }));
  }
  const versions = new Map<string, string>();
  for (let v = 1; v <= 1000; v++) versions.set(hex(`release-${v}`).slice(0, 36), `${v}.0.0`);
  files.set(`releases/${NAME}/index.yml`, writeReleaseIndex({ builds: versions }));
  return files;
}

/** A release cut from the base that builds new versions of up to three packages. */
function cutRelease(base: Map<string, string>, indexes: number): Release {
  const touched = [0, Math.floor(indexes / 2), indexes - 1].filter(
    (i, k, all) => all.indexOf(i) === k,
  );
  const checkout = new Map(base);
  const packages = touched.map((i) => {
    const path = `.final_builds/packages/pkg-${i}/index.yml`;
    const [fingerprint, build] = entry(`new-${i}`);
    // Appending keeps the text valid for detection; the rebase rewrites it sorted anyway.
    const text = base.get(path) ?? '';
    const block = `  ${fingerprint}:\n    version: ${fingerprint}\n    blobstore_id: ${build.blobstoreId}\n    sha1: ${build.sha1}\n`;
    checkout.set(path, text.replace(/format-version: "2"\n$/, `${block}format-version: "2"\n`));
    return {
      name: `pkg-${i}`,
      version: fingerprint,
      fingerprint,
      sha1: build.sha1,
      dependencies: [],
    };
  });
  const version = '1001';
  const manifestPath = `releases/${NAME}/${NAME}-${version}.yml`;
  checkout.set(
    manifestPath,
    writeReleaseManifest({
      name: NAME,
      version,
      commitHash: 'abcdef1',
      uncommittedChanges: false,
      jobs: [],
      packages,
      compiledPackages: [],
    }),
  );
  const indexPath = `releases/${NAME}/index.yml`;
  checkout.set(
    indexPath,
    (base.get(indexPath) ?? '').replace(
      /^builds:\n/,
      `builds:\n  00000000-0000-4000-8000-000000000000:\n    version: "${version}"\n`,
    ),
  );
  const changedPaths = [...checkout.keys()].filter((path) => checkout.get(path) !== base.get(path));
  return detectRelease({
    base,
    checkout,
    releaseName: NAME,
    changedPaths,
    allowUncommitted: false,
  });
}

function measure(label: string, runs: number, indexes: number): RebaseResult {
  const base = syntheticBase(indexes);
  const release = cutRelease(base, indexes);
  const times: number[] = [];
  let written = 0;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const rebased = rebaseRelease(release, base);
    times.push(performance.now() - start);
    written = rebased.files.size;
  }
  // Two files besides the indexes: the release index and the manifest.
  if (written !== release.newBuilds.length + 2) throw new Error(`${label}: wrote ${written} files`);
  return { label, times };
}

const GOAL_MS = 1000;

/** Runs benchmark 5 and describes its results. */
export async function benchRebase(context: BenchContext): Promise<Section> {
  await Promise.resolve();
  const started = performance.now();
  const results = [
    measure('one index of 100,000 entries, 1 new build', context.runs ?? 7, 1),
    measure('1,000 indexes of 100 entries, 3 new builds', context.runs ?? 21, 1000),
  ];
  const worst = Math.max(...results.map((r) => median(r.times)));
  return {
    title: '5. Semantic rebase into 100,000 `.final_builds` entries',
    goal: `< ${formatMs(GOAL_MS)}`,
    verdict: {
      met: worst < GOAL_MS,
      text: `the slower layout takes ${formatMs(worst)} (${worst < GOAL_MS ? `${formatMs(GOAL_MS - worst)} to spare` : `${formatMs(worst - GOAL_MS)} over`})`,
    },
    tables: [
      {
        headers: ['base', 'rebase (median)', 'fastest', 'slowest', 'runs'],
        rows: results.map((r) => [
          r.label,
          formatMs(median(r.times)),
          formatMs(Math.min(...r.times)),
          formatMs(Math.max(...r.times)),
          String(r.times.length),
        ]),
      },
    ],
    notes: [
      '`rebaseRelease` in this process (Node ' +
        process.version +
        '), from parsed release to the files of the PR commit: parsing the base indexes, checking every entry the release brings against them, and writing the touched indexes in canonical form. The base also lists 1,000 releases.',
    ],
    tookMs: performance.now() - started,
  };
}

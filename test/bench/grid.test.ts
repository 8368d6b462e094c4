// The benchmark grids' numbers: what the synthetic repositories of the metadata-size and
// metadata-spread grids hold, and that the repository-size grid's release is what it was.
import { describe, expect, it } from '@jest/globals';
import { fetchGrid } from '../../bench/fetch.js';
import { renderReport, type Section } from '../../bench/report.js';
import {
  cacheName,
  describeSpec,
  metadataGrid,
  releasesOf,
  spreadGrid,
  startingRelease,
  type RepoSpec,
} from '../../bench/synthetic-repo.js';
import {
  manifestIndexPaths,
  parseBuildIndex,
  releaseManifestPath,
  verifyRelease,
} from '../../src/bosh/index.js';

const MIB = 2 ** 20;

// The release on main, as the generator leaves it, and the indexes' sizes.
function releaseOnMain(spec: RepoSpec) {
  const release = startingRelease(spec);
  const { imported, overHistory } = releasesOf(spec);
  for (let i = 0; i < imported + overHistory; i++) release.cut({ commitHash: `c${i}` });
  const sizes = release.indexPaths.map(
    (path) => parseBuildIndex(release.file(path), path).builds.size,
  );
  return { release, sizes };
}

describe('the metadata-size grid', () => {
  it('holds 3,050, 30,500 and 305,000 entries in 61 indexes, history and source equal', () => {
    const grid = metadataGrid(false);
    expect(grid.map((spec) => spec.entriesPerIndex)).toEqual([50, 500, 5000]);
    expect(grid.map(describeSpec)).toEqual([
      '3,050 index entries, 100 commits, 10 MiB',
      '30,500 index entries, 100 commits, 10 MiB',
      '305,000 index entries, 100 commits, 10 MiB',
    ]);
    expect(new Set(grid.map((spec) => `${spec.commits} ${spec.sourceBytes}`)).size).toBe(1);
    expect(metadataGrid(true)).toEqual(grid.slice(0, 2));
  });

  it('fills every index to exactly its size, old builds and the releases’ own together', () => {
    for (const spec of metadataGrid(true)) {
      const { release, sizes } = releaseOnMain(spec);
      expect(sizes).toHaveLength(61);
      expect(new Set(sizes)).toEqual(new Set([spec.entriesPerIndex]));
      expect(release.buildCount).toBe(61 * (spec.entriesPerIndex ?? 0));
    }
  });

  it('keeps the releases valid, and the next one brings 50 new builds', () => {
    const spec = { commits: 100, sourceBytes: 10 * MIB, entriesPerIndex: 50 };
    const { release } = releaseOnMain(spec);
    expect(release.releaseCount).toBe(19);
    const described = verifyRelease(release.allFiles(), {
      releaseName: 'synthetic',
      version: '19',
    });
    expect(described.packages).toBe(40);
    const changed = release.cut({ commitHash: 'abcdef12' });
    expect(changed.filter((path) => path.startsWith('.final_builds/'))).toHaveLength(50);
    expect(release.buildCount).toBe(3050 + 50);
  });

  it('refuses a size the releases alone exceed', () => {
    expect(() => startingRelease({ commits: 100, sourceBytes: MIB, entriesPerIndex: 10 })).toThrow(
      'over 10',
    );
  });
});

describe('the metadata-spread grid', () => {
  // Every index on main, by path, with its number of builds.
  const indexSizes = (files: Map<string, string>) =>
    new Map(
      [...files]
        .filter(([path]) => path.startsWith('.final_builds/'))
        .map(([path, text]) => [path, parseBuildIndex(text, path).builds.size]),
    );

  it('spreads 3,050, 30,500 and 305,000 entries over 61, 610 and 6,100 indexes of 50', () => {
    const grid = spreadGrid(false);
    expect(grid.map((spec) => spec.retiredIndexes)).toEqual([0, 549, 6039]);
    expect(new Set(grid.map((spec) => spec.entriesPerIndex))).toEqual(new Set([50]));
    expect(grid.map(describeSpec)).toEqual([
      '3,050 index entries, 100 commits, 10 MiB',
      '30,500 index entries in 610 indexes, 100 commits, 10 MiB',
      '305,000 index entries in 6,100 indexes, 100 commits, 10 MiB',
    ]);
    // The same history and source as the metadata-size grid.
    const history = (spec: RepoSpec) => `${spec.commits} ${spec.sourceBytes}`;
    expect(new Set([...grid, ...metadataGrid(false)].map(history)).size).toBe(1);
    expect(spreadGrid(true)).toEqual(grid.slice(0, 2));
  });

  it('holds the entries in indexes of 50 each, the release’s 61 and the retired ones', () => {
    for (const spec of spreadGrid(true)) {
      const { release } = releaseOnMain(spec);
      const sizes = indexSizes(release.allFiles());
      const retired = [...sizes.keys()].filter((path) => !release.indexPaths.includes(path));
      expect(sizes.size).toBe(61 + (spec.retiredIndexes ?? 0));
      expect(new Set(sizes.values())).toEqual(new Set([50]));
      expect(release.buildCount).toBe(50 * sizes.size);
      expect(release.indexPaths.every((path) => sizes.has(path))).toBe(true);
      expect(retired).toHaveLength(spec.retiredIndexes ?? 0);
      // Two retired packages to a job, as the release has 40 packages to 20 jobs.
      const retiredJobs = retired.filter((path) => path.startsWith('.final_builds/jobs/'));
      expect(retiredJobs).toHaveLength((spec.retiredIndexes ?? 0) / 3);
    }
    // The largest, counted without writing its 83 MiB out.
    const largest = releaseOnMain(spreadGrid(false)[2] ?? { commits: 0, sourceBytes: 0 });
    expect(largest.sizes).toEqual(Array.from({ length: 61 }, () => 50));
    expect(largest.release.buildCount).toBe(305_000);
  });

  it('keeps the releases referencing their own 61 indexes, and none retired', () => {
    const spec = spreadGrid(false)[1] ?? { commits: 0, sourceBytes: 0 };
    const { release } = releaseOnMain(spec);
    const files = release.allFiles();
    const own = [...release.indexPaths].sort();
    for (let version = 1; version <= release.releaseCount; version++) {
      const path = releaseManifestPath('synthetic', String(version));
      expect(manifestIndexPaths(files.get(path) ?? '', path).sort()).toEqual(own);
    }
    const described = verifyRelease(files, { releaseName: 'synthetic', version: '19' });
    expect(described.packages).toBe(40);
    const changed = release.cut({ commitHash: 'abcdef12' });
    const touched = changed.filter((path) => path.startsWith('.final_builds/'));
    expect(touched).toHaveLength(50);
    expect(touched.every((path) => own.includes(path))).toBe(true);
  });

  it('shares the metadata-size grid’s smallest repository, and no other', () => {
    const [smallest, ...spread] = spreadGrid(false);
    const [sizeSmallest, ...sizes] = metadataGrid(false);
    if (smallest === undefined || sizeSmallest === undefined) throw new Error('an empty grid');
    expect(cacheName(smallest)).toBe(cacheName(sizeSmallest));
    expect(releaseOnMain(smallest).release.allFiles()).toEqual(
      releaseOnMain(sizeSmallest).release.allFiles(),
    );
    const others = new Set([...sizes, ...fetchGrid(false)].map(cacheName));
    expect(spread.map(cacheName).filter((name) => others.has(name))).toEqual([]);
    expect(new Set(spread.map(cacheName)).size).toBe(spread.length);
  });
});

describe('the repository-size grid', () => {
  it('keeps its 199 releases and no old builds (the cached repositories stay valid)', () => {
    const spec = { commits: 100, sourceBytes: 10 * MIB };
    expect(releasesOf(spec)).toEqual({ imported: 150, overHistory: 49 });
    expect(startingRelease(spec).buildCount).toBe(0);
    expect(describeSpec(spec)).toBe('100 commits, 10 MiB');
    // What benchmark 1's report states for these repositories.
    expect(releaseOnMain(spec).release.buildCount).toBe(9961);
  });
});

describe('the report', () => {
  it('links each chart once, in the first section that draws on it', () => {
    const section = (title: string): Section => ({
      title,
      goal: 'g',
      verdict: { met: true, text: 't' },
      tables: [],
      notes: [],
      charts: [
        {
          file: 'repository-size.svg',
          title: 'Time against repository size',
          x: { label: 'x', unit: 'bytes' },
          y: { label: 'y', unit: 'ms' },
          series: [],
        },
      ],
      tookMs: 1000,
    });
    const markdown = renderReport({
      startedAt: '2026-12-02T14:00:00Z',
      mode: 'full',
      command: 'npm run bench',
      machine: {
        cpuModel: 'cpu',
        cpuCount: 2,
        memoryBytes: 2 ** 30,
        disk: { filesystem: '/dev/vda', totalBytes: 2 ** 40, freeBytes: 2 ** 39 },
        os: 'Linux',
        nodeVersions: ['v20'],
        gitVersion: '2.39.5',
        loadAtStart: [1, 1, 1],
        loadAtEnd: [2, 2, 2],
      },
      sections: [section('1. fetch'), section('3. out')],
      totalMs: 2000,
    });
    const link = '![Time against repository size](bench/charts/repository-size.svg)';
    expect(markdown.split(link)).toHaveLength(2);
    expect(markdown.indexOf(link)).toBeGreaterThan(markdown.indexOf('### 1. fetch'));
    expect(markdown.indexOf(link)).toBeLessThan(markdown.indexOf('### 3. out'));
  });
});

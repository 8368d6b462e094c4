// The benchmark grids' numbers: what the synthetic repositories of the metadata-size grid hold,
// and that the repository-size grid's release is what it was.
import { describe, expect, it } from '@jest/globals';
import { renderReport, type Section } from '../../bench/report.js';
import {
  describeSpec,
  metadataGrid,
  releasesOf,
  startingRelease,
  type RepoSpec,
} from '../../bench/synthetic-repo.js';
import { parseBuildIndex, verifyRelease } from '../../src/bosh/index.js';

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

// The benchmark harness's pure helpers (the benchmarks themselves are not tests: npm run bench).
import { describe, expect, it } from '@jest/globals';
import { BEGIN_MARKER, END_MARKER, replaceGenerated } from '../../bench/report.js';
import {
  formatBytes,
  formatDelta,
  formatMs,
  formatRatio,
  markdownTable,
  median,
  pairedRatio,
} from '../../bench/stats.js';
import { SyntheticRelease } from '../../bench/synthetic-release.js';
import { verifyRelease } from '../../src/bosh/index.js';

describe('bench statistics', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('has no median of nothing', () => {
    expect(median([])).toBeNaN();
  });

  it('takes the median of per-round ratios, not the ratio of medians', () => {
    expect(pairedRatio([10, 40, 90], [1, 2, 3])).toBe(20);
    expect(() => pairedRatio([1], [1, 2])).toThrow('differ in length');
  });

  it.each([
    [formatMs(4.25), '4.3 ms'],
    [formatMs(85.4), '85 ms'],
    [formatMs(1240), '1.24 s'],
    [formatMs(125_000), '2 min 05 s'],
    [formatBytes(10 * 2 ** 20), '10 MiB'],
    [formatBytes(1.5 * 2 ** 30), '1.5 GiB'],
    [formatRatio(23.4), '23×'],
    [formatRatio(0.981), '0.98×'],
    [formatDelta(-3.2), '−3 ms'],
    [formatDelta(42), '+42 ms'],
  ])('formats %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('writes Markdown tables with escaped cells', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe(
      '| a | b |\n| --- | --- |\n| 1 | x\\|y |',
    );
  });

  it('replaces only the generated part of BENCHMARKS.md', () => {
    const first = replaceGenerated('# Benchmarks\n\nprose\n', 'old');
    expect(first).toBe(`# Benchmarks\n\nprose\n\n${BEGIN_MARKER}\n\nold\n\n${END_MARKER}\n`);
    const second = replaceGenerated(`${first}\nafter\n`, 'new');
    expect(second).toBe(
      `# Benchmarks\n\nprose\n\n${BEGIN_MARKER}\n\nnew\n\n${END_MARKER}\n\nafter\n`,
    );
  });
});

describe('the synthetic release', () => {
  it('grows as bosh create-release --final grows a release, and verifies', () => {
    const release = new SyntheticRelease({
      name: 'tiny',
      packages: 3,
      jobs: 2,
      buildsPerRelease: 4,
    });
    const first = release.cut({ commitHash: 'abcdef12' });
    expect(first).toHaveLength(6 + 2); // every job, package and the license; index and manifest
    const second = release.cut({ commitHash: 'abcdef13' });
    expect(second).toHaveLength(4 + 2);
    expect(release.buildCount).toBe(10);
    const files = release.allFiles();
    expect(verifyRelease(files, { releaseName: 'tiny', version: '2' }).packages).toBe(3);
    expect(files.get('releases/tiny/tiny-2.yml')).toContain('commit_hash: abcdef13');
  });
});

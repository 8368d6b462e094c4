// The SVG chart writer of the benchmark report: scales, ticks, paths and the document.
import { describe, expect, it } from '@jest/globals';
import {
  escapeXml,
  linePath,
  logScale,
  logTicks,
  mergeCharts,
  renderChart,
  tickLabel,
  type Chart,
} from '../../bench/chart.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function chart(series: Chart['series']): Chart {
  return {
    file: 'metadata-size.svg',
    title: 'Time against metadata size',
    x: { label: '.final_builds entries', unit: 'count' },
    y: { label: 'wall time', unit: 'ms' },
    series,
  };
}

// The coordinates of every path's points, per path, in the document's order.
function pathPoints(svg: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(/<path d="([^"]*)" fill="none"/g)].map(([, d = '']) =>
    [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map(([, x, y]) => [Number(x), Number(y)]),
  );
}

describe('log scales', () => {
  it('maps the ends of the domain onto the ends of the range, and decades evenly', () => {
    const x = logScale([1000, 1_000_000], [100, 400]);
    expect(x(1000)).toBeCloseTo(100);
    expect(x(1_000_000)).toBeCloseTo(400);
    expect(x(10_000)).toBeCloseTo(200);
    expect(x(100_000)).toBeCloseTo(300);
  });

  it('runs either way, as a y axis runs upwards', () => {
    const y = logScale([100, 10_000], [350, 50]);
    expect(y(100)).toBeCloseTo(350);
    expect(y(1000)).toBeCloseTo(200);
    expect(y(10_000)).toBeCloseTo(50);
  });

  it('refuses an empty domain', () => {
    expect(() => logScale([5, 5], [0, 1])).toThrow('empty or reversed domain');
  });
});

describe('log ticks', () => {
  it('cover the metadata grid with 1-2-5 ticks, the decades major', () => {
    const ticks = logTicks(3050, 305_000, 'count');
    expect(ticks.map((t) => t.value)).toEqual([
      2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
    ]);
    expect(ticks.filter((t) => t.major).map((t) => t.value)).toEqual([10_000, 100_000]);
  });

  it('step bytes in binary units', () => {
    const ticks = logTicks(12 * MIB, 900 * MIB, 'bytes');
    expect(ticks.map((t) => tickLabel(t.value, 'bytes'))).toEqual([
      '10 MiB',
      '20 MiB',
      '50 MiB',
      '100 MiB',
      '200 MiB',
      '500 MiB',
      '1 GiB',
    ]);
    expect(ticks.at(-1)?.value).toBe(GIB);
  });

  it('widen a domain of one tick to its neighbours', () => {
    expect(logTicks(1000, 1000, 'ms').map((t) => t.value)).toEqual([500, 1000, 2000]);
  });

  it('start exactly on a tick at the smallest value', () => {
    expect(logTicks(0.3, 0.3, 'ms').map((t) => t.value)).toEqual([0.2, 0.5]);
    expect(logTicks(200, 1500, 'ms').map((t) => t.value)).toEqual([200, 500, 1000, 2000]);
  });

  it.each([
    [2000, 'count', '2k'],
    [500_000, 'count', '500k'],
    [1_000_000, 'count', '1M'],
    [50, 'count', '50'],
    [10 * MIB, 'bytes', '10 MiB'],
    [GIB, 'bytes', '1 GiB'],
    [200, 'ms', '200 ms'],
    [2000, 'ms', '2 s'],
    [120_000, 'ms', '2 min'],
  ] as const)('label %d %s as %s', (value, unit, label) => {
    expect(tickLabel(value, unit)).toBe(label);
  });
});

describe('SVG paths and text', () => {
  it('draws a path through the points in order, to a tenth of a pixel', () => {
    expect(
      linePath([
        [1, 2],
        [3.14159, 40.06],
      ]),
    ).toBe('M1,2 L3.1,40.1');
  });

  it('escapes text for elements and attributes', () => {
    expect(escapeXml('a < b & "c" > d')).toBe('a &lt; b &amp; &quot;c&quot; &gt; d');
  });
});

describe('the chart', () => {
  const shallow = {
    key: 'shallow',
    label: 'git clone --depth 1',
    points: [
      { x: 3050, y: 400 },
      { x: 305_000, y: 2500 },
    ],
  };
  const inSeries = {
    key: 'in',
    label: 'in <bundle>',
    // Given out of order: the line still runs left to right.
    points: [
      { x: 305_000, y: 500 },
      { x: 3050, y: 500 },
      { x: 30_500, y: 500 },
    ],
  };
  const out = {
    key: 'out',
    label: 'out',
    points: [
      { x: 3050, y: 800 },
      { x: 30_500, y: Number.NaN },
      { x: 305_000, y: 9500 },
    ],
  };
  const series: Chart['series'] = [shallow, inSeries, out];
  const svg = renderChart({ ...chart(series), note: 'medians', footer: 'run 1' });

  it('is one standalone document with its own white background', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>\n')).toBe(true);
    expect(svg.match(/<svg /g)).toHaveLength(1);
    expect(svg).toContain('fill="#ffffff"');
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('labels its axes, title, note and footer, with text escaped', () => {
    for (const text of [
      'Time against metadata size',
      '.final_builds entries',
      'wall time',
      'medians',
      'run 1',
      'in &lt;bundle&gt;',
    ])
      expect(svg).toContain(`>${text}</text>`);
    for (const tick of ['2k', '10k', '100k', '500k', '200 ms', '1 s', '10 s'])
      expect(svg).toContain(`>${tick}</text>`);
  });

  it('lists the series in the legend as in, out, then the clones, whatever their order', () => {
    const order = ['in &lt;bundle&gt;', 'out', 'git clone --depth 1'].map((label) =>
      svg.indexOf(`dy="0.32em">${label}</text>`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('draws each series left to right, a flat one level, slower higher, skipping what was not measured', () => {
    // The series' lines in legend order, then the legend's samples.
    const [inLine, outLine, shallowLine] = pathPoints(svg);
    expect(inLine).toHaveLength(3);
    const xs = (inLine ?? []).map(([x]) => x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set((inLine ?? []).map(([, y]) => y)).size).toBe(1);
    expect(outLine).toHaveLength(2);
    const [outSmall, outLarge] = outLine ?? [];
    expect(outLarge?.[1]).toBeLessThan(outSmall?.[1] ?? 0);
    expect(shallowLine).toHaveLength(2);
  });

  it('runs a line through its own points when it has them, markers staying on the data', () => {
    const grouped = renderChart(
      chart([
        {
          key: 'clone',
          label: 'git clone (full)',
          points: [
            { x: 100, y: 1000 },
            { x: 110, y: 3000 },
            { x: 1000, y: 2000 },
          ],
          line: [
            { x: 105, y: 2000 },
            { x: 1000, y: 2000 },
          ],
        },
      ]),
    );
    const [line] = pathPoints(grouped);
    expect(line).toHaveLength(2);
    expect(line?.[0]?.[1]).toBe(line?.[1]?.[1]);
    // Triangles: one per point, and one in the legend.
    expect(grouped.match(/Z" fill="#555555"/g)).toHaveLength(4);
  });

  it('needs a point to draw', () => {
    expect(() => renderChart(chart([{ key: 'in', label: 'in', points: [] }]))).toThrow(
      'no point to draw',
    );
  });

  it('puts the series of charts of the same file together', () => {
    const fetch = { ...chart([inSeries]), file: 'repository-size.svg' };
    const put = { ...chart([out]), file: 'repository-size.svg' };
    const merged = mergeCharts([fetch, chart([]), put]);
    expect(merged.map((c) => c.file)).toEqual(['repository-size.svg', 'metadata-size.svg']);
    expect(merged[0]?.series.map((s) => s.key)).toEqual(['in', 'out']);
    expect(fetch.series).toHaveLength(1);
  });
});

// Charts of time against size as standalone SVG, written by hand (no dependency), for BENCHMARKS.md:
// GitHub shows an SVG linked from Markdown as an image, so the file carries its own background,
// fonts and legend, and draws every series with its own colour, dash and marker, to read in grey
// too. Log scales on both axes: a flat series is a horizontal line, and equal ratios look equal at
// every size. Pure.
import { formatBytes } from './stats.js';

/** What an axis counts: a count (entries), bytes, or milliseconds. */
type AxisUnit = 'count' | 'bytes' | 'ms';

interface ChartPoint {
  x: number;
  y: number;
}

/** One line of a chart; `key` picks its style (in, out, clone, shallow) and its legend order. */
export interface ChartSeries {
  key: string;
  label: string;
  /** A marker each. */
  points: ChartPoint[];
  /** Where the line runs, when not through the markers (e.g. through a group's median). */
  line?: ChartPoint[];
}

/** A chart of one grid; charts with the same `file` are one chart, their series put together. */
export interface Chart {
  /** The file name under bench/charts/, e.g. `metadata-size.svg`. */
  file: string;
  title: string;
  /** A line under the title: what was measured. */
  note?: string;
  /** A small line at the bottom: which run. */
  footer?: string;
  x: { label: string; unit: AxisUnit };
  y: { label: string; unit: AxisUnit };
  series: ChartSeries[];
}

interface SeriesStyle {
  color: string;
  /** stroke-dasharray; empty for a solid line. */
  dash: string;
  marker: 'circle' | 'square' | 'triangle' | 'diamond';
}

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies): the product's
// steps solid, the git commands it is compared with dashed.
const STYLES: Record<string, SeriesStyle> = {
  in: { color: '#0072B2', dash: '', marker: 'circle' },
  out: { color: '#D55E00', dash: '', marker: 'square' },
  clone: { color: '#555555', dash: '7 4', marker: 'triangle' },
  shallow: { color: '#009E73', dash: '2 3', marker: 'diamond' },
};
const ORDER = ['in', 'out', 'clone', 'shallow'];
const FALLBACK: SeriesStyle[] = [
  { color: '#CC79A7', dash: '', marker: 'circle' },
  { color: '#E69F00', dash: '7 4', marker: 'square' },
];

const WIDTH = 780;
const HEIGHT = 430;
const PLOT = { left: 78, top: 64, width: 470, height: 290 };
const LEGEND_X = PLOT.left + PLOT.width + 32;
const FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const MAX_LABELLED_TICKS = 10;

/** The charts with series of the same file put together, in order of first appearance. */
export function mergeCharts(charts: readonly Chart[]): Chart[] {
  const byFile = new Map<string, Chart>();
  for (const chart of charts) {
    const seen = byFile.get(chart.file);
    if (seen === undefined) byFile.set(chart.file, { ...chart, series: [...chart.series] });
    else seen.series.push(...chart.series);
  }
  return [...byFile.values()];
}

/** A function from `domain` (positive, log-scaled) onto `range` (pixels, either direction). */
export function logScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain.map(Math.log10) as [number, number];
  const [r0, r1] = range;
  if (!(d1 > d0)) throw new Error(`an empty or reversed domain: ${domain.join('…')}`);
  return (value) => r0 + ((Math.log10(value) - d0) / (d1 - d0)) * (r1 - r0);
}

/** A tick of a log axis; major ticks are the decades (for bytes: 1, 10, 100 of a unit). */
interface Tick {
  value: number;
  major: boolean;
}

/**
 * The ticks of a log axis covering [min, max]: 1, 2 and 5 times the powers of ten (for bytes,
 * 1, 2, 5, 10, 20, 50, 100, 200, 500 KiB, MiB, GiB...), from the largest tick at or below `min`
 * to the smallest at or above `max`, at least two.
 */
export function logTicks(min: number, max: number, unit: AxisUnit): Tick[] {
  if (!(min > 0) || !(max >= min)) throw new Error(`no log axis for ${min}…${max}`);
  const candidates = tickCandidates(min, max, unit);
  let first = candidates.findLastIndex((tick) => tick.value <= min);
  let last = candidates.findIndex((tick) => tick.value >= max);
  if (first === last) {
    first -= 1;
    last += 1;
  }
  return candidates.slice(first, last + 1);
}

function tickCandidates(min: number, max: number, unit: AxisUnit): Tick[] {
  const ticks: Tick[] = [];
  if (unit === 'bytes') {
    const lowest = Math.max(0, Math.floor(Math.log(min) / Math.log(1024)) - 1);
    const highest = Math.ceil(Math.log(max) / Math.log(1024)) + 1;
    for (let power = lowest; power <= highest; power++) {
      for (const factor of [1, 2, 5, 10, 20, 50, 100, 200, 500]) {
        ticks.push({ value: factor * 1024 ** power, major: [1, 10, 100].includes(factor) });
      }
    }
    return ticks;
  }
  const lowest = Math.floor(Math.log10(min)) - 1;
  const highest = Math.ceil(Math.log10(max)) + 1;
  for (let power = lowest; power <= highest; power++) {
    for (const factor of [1, 2, 5]) {
      // Built from the decimal text, so that 3 × 0.1 is 0.3 exactly as labels print it.
      ticks.push({ value: Number(`${factor}e${power}`), major: factor === 1 });
    }
  }
  return ticks;
}

/** A tick's label: `5k`, `300k`, `10 MiB`, `1 GiB`, `200 ms`, `2 s`. */
export function tickLabel(value: number, unit: AxisUnit): string {
  switch (unit) {
    case 'count':
      if (value >= 1e6) return `${trim(value / 1e6)}M`;
      if (value >= 1e3) return `${trim(value / 1e3)}k`;
      return trim(value);
    case 'bytes':
      // Ticks are whole numbers of a unit: `10 MiB`, `1 GiB`.
      return formatBytes(value);
    case 'ms':
      if (value >= 60_000) return `${trim(value / 60_000)} min`;
      if (value >= 1000) return `${trim(value / 1000)} s`;
      return `${trim(value)} ms`;
  }
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** An SVG path through the points, in order: `M x,y L x,y …`, to a tenth of a pixel. */
export function linePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${round(x)},${round(y)}`).join(' ');
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The chart as a standalone SVG document. */
export function renderChart(chart: Chart): string {
  const series = orderedSeries(chart.series);
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) throw new Error(`${chart.file}: no point to draw`);
  const xTicks = logTicks(
    Math.min(...points.map((p) => p.x)),
    Math.max(...points.map((p) => p.x)),
    chart.x.unit,
  );
  const yTicks = logTicks(
    Math.min(...points.map((p) => p.y)),
    Math.max(...points.map((p) => p.y)),
    chart.y.unit,
  );
  const x = logScale(ends(xTicks), [PLOT.left, PLOT.left + PLOT.width]);
  const y = logScale(ends(yTicks), [PLOT.top + PLOT.height, PLOT.top]);
  const bottom = PLOT.top + PLOT.height;
  const right = PLOT.left + PLOT.width;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}" font-size="12" fill="#24292f">`,
    `<title>${escapeXml(chart.title)}</title>`,
    // GitHub's dark theme would show a transparent image on black: the chart brings its white.
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="26" font-size="16" font-weight="600">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.note !== undefined) {
    parts.push(
      `<text x="${PLOT.left}" y="46" font-size="12" fill="#57606a">${escapeXml(chart.note)}</text>`,
    );
  }
  const labelled = (ticks: Tick[]) =>
    ticks.length <= MAX_LABELLED_TICKS ? ticks : ticks.filter((tick) => tick.major);
  for (const tick of xTicks) {
    const px = round(x(tick.value));
    parts.push(gridLine(px, String(PLOT.top), px, String(bottom), tick.major));
  }
  for (const tick of yTicks) {
    const py = round(y(tick.value));
    parts.push(gridLine(String(PLOT.left), py, String(right), py, tick.major));
  }
  for (const tick of labelled(xTicks)) {
    parts.push(
      `<text x="${round(x(tick.value))}" y="${bottom + 18}" text-anchor="middle">${escapeXml(tickLabel(tick.value, chart.x.unit))}</text>`,
    );
  }
  for (const tick of labelled(yTicks)) {
    parts.push(
      `<text x="${PLOT.left - 8}" y="${round(y(tick.value))}" dy="0.32em" text-anchor="end">${escapeXml(tickLabel(tick.value, chart.y.unit))}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#8c959f"/>`,
    `<text x="${PLOT.left + PLOT.width / 2}" y="${bottom + 44}" text-anchor="middle" font-size="13">${escapeXml(chart.x.label)}</text>`,
    `<text transform="translate(20 ${PLOT.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(chart.y.label)}</text>`,
  );

  const pixelsOf = (list: readonly ChartPoint[]) =>
    [...list].sort((a, b) => a.x - b.x).map((p): [number, number] => [x(p.x), y(p.y)]);
  series.forEach((s, i) => {
    const style = styleOf(s.key, i);
    parts.push(`<g aria-label="${escapeXml(s.label)}">`);
    parts.push(
      `<path d="${linePath(pixelsOf(s.line ?? s.points))}" fill="none" stroke="${style.color}" stroke-width="2"${dashAttribute(style)} stroke-linejoin="round"/>`,
    );
    for (const [px, py] of pixelsOf(s.points)) parts.push(marker(style, px, py));
    parts.push('</g>');
  });

  const legendTop = PLOT.top + 8;
  series.forEach((s, i) => {
    const style = styleOf(s.key, i);
    const ly = legendTop + i * 24;
    parts.push(
      `<path d="${linePath([
        [LEGEND_X, ly],
        [LEGEND_X + 36, ly],
      ])}" fill="none" stroke="${style.color}" stroke-width="2"${dashAttribute(style)}/>`,
      marker(style, LEGEND_X + 18, ly),
      `<text x="${LEGEND_X + 46}" y="${ly}" dy="0.32em">${escapeXml(s.label)}</text>`,
    );
  });
  if (chart.footer !== undefined) {
    parts.push(
      `<text x="${WIDTH - 12}" y="${HEIGHT - 10}" text-anchor="end" font-size="10" fill="#57606a">${escapeXml(chart.footer)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function orderedSeries(series: readonly ChartSeries[]): ChartSeries[] {
  const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
  const drawable = (points: readonly ChartPoint[]) => points.filter((p) => p.x > 0 && p.y > 0);
  return series
    .map((s) => ({
      ...s,
      points: drawable(s.points),
      ...(s.line === undefined ? {} : { line: drawable(s.line) }),
    }))
    .filter((s) => s.points.length > 0)
    .sort((a, b) => rank(a.key) - rank(b.key));
}

function styleOf(key: string, index: number): SeriesStyle {
  return (
    STYLES[key] ??
    FALLBACK[index % FALLBACK.length] ?? { color: '#000', dash: '', marker: 'circle' }
  );
}

function ends(ticks: readonly Tick[]): [number, number] {
  return [ticks[0]?.value ?? 1, ticks.at(-1)?.value ?? 10];
}

function gridLine(x1: string, y1: string, x2: string, y2: string, major: boolean): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${major ? '#d0d7de' : '#eaeef2'}"/>`;
}

function dashAttribute(style: SeriesStyle): string {
  return style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
}

function marker(style: SeriesStyle, x: number, y: number): string {
  const fill = `fill="${style.color}" stroke="#ffffff" stroke-width="1"`;
  switch (style.marker) {
    case 'circle':
      return `<circle cx="${round(x)}" cy="${round(y)}" r="4.5" ${fill}/>`;
    case 'square':
      return `<rect x="${round(x - 4)}" y="${round(y - 4)}" width="8" height="8" ${fill}/>`;
    case 'triangle':
      return `<path d="${linePath([
        [x, y - 5.5],
        [x + 5, y + 3.5],
        [x - 5, y + 3.5],
      ])} Z" ${fill}/>`;
    case 'diamond':
      return `<path d="${linePath([
        [x, y - 5.5],
        [x + 5, y],
        [x, y + 5.5],
        [x - 5, y],
      ])} Z" ${fill}/>`;
  }
}

/** Text made safe for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

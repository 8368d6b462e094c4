// The harness's arithmetic and formatting: medians of repeated runs, ratios of runs measured side
// by side, and the Markdown tables of BENCHMARKS.md. Pure.

/** The median of the samples (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * The median of per-round ratios `numerator[i] / denominator[i]`: each round ran both sides back
 * to back, so a slow moment of the machine weighs on both sides of one ratio alike.
 */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): number {
  if (numerator.length !== denominator.length) {
    throw new Error(
      `paired samples differ in length: ${numerator.length} and ${denominator.length}`,
    );
  }
  return median(numerator.map((value, i) => value / (denominator[i] ?? Number.NaN)));
}

/** Milliseconds for humans: `85 ms`, `1.24 s`, `2 min 05 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Bytes in binary units: `10 MiB`, `1.0 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A ratio for humans: `23×`, `1.4×`, `0.98×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 10) return `${Math.round(ratio)}×`;
  return `${ratio.toFixed(ratio >= 1 ? 1 : 2)}×`;
}

/** A signed difference in milliseconds: `+42 ms`, `−3 ms`. */
export function formatDelta(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const rounded = Math.round(ms);
  return rounded < 0 ? `−${-rounded} ms` : `+${rounded} ms`;
}

/** A Markdown table; cells are escaped for `|`. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

import { UserError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** Parses a Go-style duration as Concourse users write them (`90s`, `15m`, `1h30m`) into ms. */
export function parseDuration(text: string, field: string): number {
  if (!DURATION.test(text)) {
    throw new UserError(`${field}: "${text}" is not a duration: write it like 90s, 15m or 1h30m`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 1000);
  }
  return Math.round(total);
}

/** Formats milliseconds as a short human duration (`2h 5m`, `40s`) for messages. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, !d && !h && s && `${s}s`].filter(
    (part): part is string => typeof part === 'string',
  );
  return parts.length > 0 ? parts.slice(0, 2).join(' ') : '0s';
}

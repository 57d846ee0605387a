/** Go-style durations for flags: `500ms`, `30s`, `5m`, `1h30m`. */
import { UsageError } from '../errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `text`; a UsageError naming `flag` when it is not a positive duration. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${flag} must be a duration such as 30s, 5m or 1h30m, not "${text}"`);
  }
  const ms = parts.reduce((sum, [, value, unit]) => sum + Number(value) * (UNITS[unit ?? ''] ?? 0), 0);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than 0, not "${text}"`);
  return Math.round(ms);
}

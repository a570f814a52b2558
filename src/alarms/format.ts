/** How numbers and times appear in messages, reasons and event fields. */
import type { PointValue } from '../adapters/reading.ts';

/**
 * Short enough for a person: float32 registers carry noise past the 7th
 * significant digit (12.4 arrives as 12.399999618530273), so fractions are
 * rounded there; integers are shown whole.
 */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number.parseFloat(value.toPrecision(7)));
}

export function formatValue(value: PointValue): string {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** RFC 3339 UTC with milliseconds. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The UTC calendar date (YYYY-MM-DD) of an RFC 3339 UTC time. */
export function utcDate(iso: string): string {
  return iso.slice(0, iso.indexOf('T'));
}

/** 90000 -> "1 min 30 s": how operators read a shelving time. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${unit}`);
  }
  return parts.length === 0 ? `${ms} ms` : parts.join(' ');
}

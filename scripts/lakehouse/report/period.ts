/**
 * The report's period: whole UTC days, cut into the 10-minute windows the
 * KPI job counts alarms in (144 a day).
 */

export const WINDOW_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
export const WINDOWS_PER_DAY = DAY_MS / WINDOW_MS;

export interface Period {
  /** First and last UTC day, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
}

export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(text);
}

export function dayStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function periodDays(period: Period): number {
  return Math.max(0, Math.round((dayStartMs(period.to) - dayStartMs(period.from)) / DAY_MS) + 1);
}

export function periodWindows(period: Period): number {
  return periodDays(period) * WINDOWS_PER_DAY;
}

/** Index of the window holding this instant, or -1 outside the period. */
export function windowIndex(period: Period, instant: string): number {
  const index = Math.floor((Date.parse(instant) - dayStartMs(period.from)) / WINDOW_MS);
  return index >= 0 && index < periodWindows(period) ? index : -1;
}

/**
 * The days given; where a bound is not given, the first or last day present
 * (or the other bound). No period without either.
 */
export function resolvePeriod(
  datesPresent: Iterable<string>,
  bounds: { from?: string; to?: string },
): Period | undefined {
  if (bounds.from && bounds.to && bounds.from > bounds.to) {
    throw new Error(`the period ends (${bounds.to}) before it starts (${bounds.from})`);
  }
  const present = [...datesPresent].filter(isDate).sort();
  const first = present[0];
  const last = present.at(-1);
  if (bounds.from && bounds.to) return { from: bounds.from, to: bounds.to };
  if (bounds.from) return { from: bounds.from, to: last && last > bounds.from ? last : bounds.from };
  if (bounds.to) return { from: first && first < bounds.to ? first : bounds.to, to: bounds.to };
  return first && last ? { from: first, to: last } : undefined;
}

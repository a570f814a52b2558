/** Durations as people type them on a command line: `30m`, `8h`, `1h30m`, `90s`, `500ms`. */
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const PART = /(\d+)(ms|h|m|s)/g;

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(ms|h|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** Summaries and number formatting shared by every benchmark. */

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile: always a value that was actually observed, never an interpolation. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] as number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Whole numbers with thousands separators: 12,345. */
export function int(value: number): string {
  return grouped.format(value);
}

export function dec1(value: number): string {
  return oneDecimal.format(value);
}

export function mib(bytes: number): string {
  return `${dec1(bytes / 1024 / 1024)} MiB`;
}

export function ms(value: number): string {
  return `${int(value)} ms`;
}

export function latencyLine(d: Distribution): string {
  return `p50 ${int(d.p50)} / p95 ${int(d.p95)} / p99 ${int(d.p99)} / max ${int(d.max)} ms (n=${d.count})`;
}

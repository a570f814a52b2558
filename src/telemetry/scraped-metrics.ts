/**
 * Prometheus metrics whose values are read when scraped rather than pushed by
 * the stages: a gauge set from a reading of the stages, and a counter that
 * follows a total a stage keeps itself (events delivered, failures by code).
 * The stages stay free of metric objects.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type Series = readonly (readonly [labels: Record<string, string>, value: number])[];

/** A gauge set on every scrape; series that vanished from the reading vanish from the output. */
export function scrapedGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => Series,
): Gauge {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** A counter raised on every scrape by what the stage's total grew since the last one. */
export function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => Series,
): Counter {
  const seen = new Map<string, number>();
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, total] of read()) {
        const key = JSON.stringify(labels);
        const grown = total - (seen.get(key) ?? 0);
        // A total that went down (a stage that started over) restarts the count from there.
        if (grown > 0) this.inc(labels, grown);
        seen.set(key, total);
      }
    },
  });
}

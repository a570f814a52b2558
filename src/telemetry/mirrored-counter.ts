/**
 * A Prometheus counter that follows a total a stage keeps itself (events
 * delivered, failures by code): on every scrape it is raised by what the
 * total grew since the last one. The stage stays free of metric objects.
 */
import { Counter, type Registry } from 'prom-client';

export type Totals = readonly (readonly [labels: Record<string, string>, total: number])[];

export function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => Totals,
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

/**
 * `lakehouse.ts report`: reads the KPI rows of the site(s) and period from
 * the warehouse (one launcher run) and writes the report page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDate, resolvePeriod } from './period.ts';
import { readKpis } from './read-kpis.ts';
import { renderReport } from './render.ts';

export const DEFAULT_REPORT = 'var/lakehouse/report.html';

export interface WriteReportOptions {
  warehouse: string;
  /** The query's scratch directory. */
  stateDir: string;
  site?: string;
  from?: string;
  to?: string;
  out?: string;
  now?: Date;
}

/** Writes the report; returns its absolute path. */
export async function writeReport(options: WriteReportOptions): Promise<string> {
  for (const [name, date] of [
    ['--from', options.from],
    ['--to', options.to],
  ] as const) {
    if (date !== undefined && !isDate(date))
      throw new Error(`${name} needs a day as YYYY-MM-DD, not ${date}`);
  }
  // Refuses a reversed period before the JVM starts.
  resolvePeriod([], { from: options.from, to: options.to });
  const filter = { site: options.site, from: options.from, to: options.to };
  const rows = await readKpis(filter, { warehouse: options.warehouse, stateDir: options.stateDir });
  const html = renderReport({
    rows,
    ...(options.site !== undefined ? { sites: [options.site] } : {}),
    from: options.from,
    to: options.to,
    generatedAt: options.now ?? new Date(),
    source: resolve(options.warehouse),
  });
  const file = resolve(options.out ?? DEFAULT_REPORT);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  return file;
}

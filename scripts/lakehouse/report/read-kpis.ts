/**
 * Loads the KPI rows of a site (or every site) and period from the lakehouse:
 * one launcher run, one SELECT per table, each row tagged with its table.
 */
import { queryLakehouse } from '../run.ts';
import { KPI_COLUMNS, KPI_TABLES, type KpiRows, type KpiTable, parseKpiRows } from './kpis.ts';
import { isDate } from './period.ts';

export interface KpiFilter {
  site?: string;
  /** First and last UTC day (YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
}

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** The SQL of one run: a SELECT per KPI table. Dates are checked, the site quoted. */
export function kpiQuery(filter: KpiFilter): string {
  for (const date of [filter.from, filter.to]) {
    if (date !== undefined && !isDate(date)) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  }
  const conditions = [
    ...(filter.site !== undefined ? [`site = ${literal(filter.site)}`] : []),
    ...(filter.from ? [`event_date >= ${literal(filter.from)}`] : []),
    ...(filter.to ? [`event_date <= ${literal(filter.to)}`] : []),
  ];
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return (Object.keys(KPI_TABLES) as KpiTable[])
    .map((table) => {
      const columns = KPI_COLUMNS[table].map((column) => `\`${column}\``).join(', ');
      return `SELECT '${table}' AS kpi, ${columns} FROM lake.iiot.${KPI_TABLES[table]}${where};`;
    })
    .join('\n');
}

export async function readKpis(
  filter: KpiFilter,
  options: { warehouse: string; stateDir: string },
): Promise<KpiRows> {
  return parseKpiRows(await queryLakehouse(`${kpiQuery(filter)}\n`, options));
}

/**
 * The rows of the four KPI tables (lakehouse/sql/catalog.sql) as the report
 * reads them: property names are the column names, so a row can be traced
 * back to the table without a mapping. Counts the KPI job left NULL count as 0.
 */

export interface WindowRow {
  site: string;
  area: string;
  /** ISO instant of the 10-minute window's start. */
  window_start: string;
  event_date: string;
  alarms: number;
  flood: boolean;
}

export interface DailyRow {
  site: string;
  area: string;
  event_date: string;
  alarms: number;
  avg_per_10min: number;
  peak_10min: number;
  flood_windows: number;
  flood_share: number;
  top10_share: number | null;
  chattering: number;
  standing: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  diagnostic: number;
  shelved: number;
  suppressed: number;
  out_of_service: number;
}

export interface TopRow {
  site: string;
  area: string;
  event_date: string;
  rank: number;
  condition_id: string;
  priority: string | null;
  alarms: number;
  share: number;
}

export interface AckRow {
  site: string;
  area: string;
  event_date: string;
  priority: string;
  acks: number;
  avg_ack_s: number | null;
  max_ack_s: number | null;
}

export interface KpiRows {
  windows: WindowRow[];
  daily: DailyRow[];
  top: TopRow[];
  ack: AckRow[];
}

export const KPI_TABLES = {
  windows: 'alarm_kpi_windows',
  daily: 'alarm_kpi_daily',
  top: 'alarm_kpi_top',
  ack: 'alarm_kpi_ack',
} as const;

export type KpiTable = keyof typeof KPI_TABLES;

/** Columns read from each table, in table order. */
export const KPI_COLUMNS: Record<KpiTable, readonly string[]> = {
  windows: ['site', 'area', 'window_start', 'event_date', 'alarms', 'flood'],
  daily: [
    'site',
    'area',
    'event_date',
    'alarms',
    'avg_per_10min',
    'peak_10min',
    'flood_windows',
    'flood_share',
    'top10_share',
    'chattering',
    'standing',
    'critical',
    'high',
    'medium',
    'low',
    'diagnostic',
    'shelved',
    'suppressed',
    'out_of_service',
  ],
  top: ['site', 'area', 'event_date', 'rank', 'condition_id', 'priority', 'alarms', 'share'],
  ack: ['site', 'area', 'event_date', 'priority', 'acks', 'avg_ack_s', 'max_ack_s'],
};

export function emptyKpiRows(): KpiRows {
  return { windows: [], daily: [], top: [], ack: [] };
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const maybe = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * Sorts query rows into the tables they came from, by the `kpi` column each
 * SELECT adds (the launcher prints the rows of all statements as one stream).
 */
export function parseKpiRows(rows: readonly Record<string, unknown>[]): KpiRows {
  const out = emptyKpiRows();
  for (const row of rows) {
    const where = { site: text(row.site), area: text(row.area), event_date: text(row.event_date) };
    switch (row.kpi) {
      case 'windows':
        out.windows.push({
          ...where,
          window_start: text(row.window_start),
          alarms: count(row.alarms),
          flood: row.flood === true,
        });
        break;
      case 'daily':
        out.daily.push({
          ...where,
          alarms: count(row.alarms),
          avg_per_10min: count(row.avg_per_10min),
          peak_10min: count(row.peak_10min),
          flood_windows: count(row.flood_windows),
          flood_share: count(row.flood_share),
          top10_share: maybe(row.top10_share),
          chattering: count(row.chattering),
          standing: count(row.standing),
          critical: count(row.critical),
          high: count(row.high),
          medium: count(row.medium),
          low: count(row.low),
          diagnostic: count(row.diagnostic),
          shelved: count(row.shelved),
          suppressed: count(row.suppressed),
          out_of_service: count(row.out_of_service),
        });
        break;
      case 'top':
        out.top.push({
          ...where,
          rank: count(row.rank),
          condition_id: text(row.condition_id),
          priority: row.priority === null || row.priority === undefined ? null : String(row.priority),
          alarms: count(row.alarms),
          share: count(row.share),
        });
        break;
      case 'ack':
        out.ack.push({
          ...where,
          priority: text(row.priority),
          acks: count(row.acks),
          avg_ack_s: maybe(row.avg_ack_s),
          max_ack_s: maybe(row.max_ack_s),
        });
        break;
    }
  }
  return out;
}

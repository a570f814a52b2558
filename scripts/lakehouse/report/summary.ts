/**
 * A site's alarm performance over the period, from the KPI rows: the daily
 * rows add up to the counts, the window rows (summed over areas, a window
 * without a row counting 0) give the site's rate, peak and floods, and the
 * daily top-10 rows add up per alarm to the period's most frequent alarms.
 */
import type { AckRow, DailyRow, KpiRows, TopRow } from './kpis.ts';
import { dayStartMs, type Period, periodDays, periodWindows, WINDOW_MS, windowIndex } from './period.ts';
import { GUIDELINE } from './targets.ts';

export const TOP_ALARMS = 10;
export const PRIORITY_ORDER = ['critical', 'high', 'medium', 'low', 'diagnostic'] as const;

export interface TopAlarm {
  conditionId: string;
  priority: string | null;
  alarms: number;
  /** Of all the site's annunciated alarms in the period; null without alarms. */
  share: number | null;
  cumulative: number | null;
}

export interface AckFigure {
  priority: string;
  acks: number;
  /** Weighted by acks over the period. */
  avgS: number | null;
  maxS: number | null;
}

export interface PriorityFigures {
  critical: number;
  high: number;
  medium: number;
  low: number;
  diagnostic: number;
  /** Shares of critical and high together, medium and low; diagnostic alarms are not in the split. */
  shares: { high: number; medium: number; low: number } | null;
}

export interface AreaSummary {
  area: string;
  alarms: number;
  avgPer10min: number;
  peak10min: number;
  floodWindows: number;
  floodShare: number;
  top10Share: number | null;
  chattering: number;
  standing: number;
  shelved: number;
  suppressed: number;
  outOfService: number;
}

export interface SiteSummary {
  site: string;
  period: Period;
  days: number;
  windows: number;
  alarms: number;
  avgPer10min: number;
  peak10min: number;
  /** Start of the (first) busiest window; null without alarms. */
  peakWindowStart: string | null;
  floodWindows: number;
  floodShare: number;
  top10Share: number | null;
  chattering: number;
  /** Standing alarms on the worst day (the table counts them per day). */
  standing: number;
  shelved: number;
  suppressed: number;
  outOfService: number;
  priorities: PriorityFigures;
  /** Annunciated alarms of each 10-minute window of the period, in order. */
  rate: number[];
  top: TopAlarm[];
  ack: AckFigure[];
  areas: AreaSummary[];
}

const sum = <T>(rows: readonly T[], pick: (row: T) => number): number =>
  rows.reduce((total, row) => total + pick(row), 0);

const maxOf = (values: Iterable<number>): number => {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
};

const inPeriod = (period: Period) => (row: { event_date: string }) =>
  row.event_date >= period.from && row.event_date <= period.to;

/** Every site in the rows, sorted. */
export function sitesOf(rows: KpiRows): string[] {
  const sites = new Set<string>();
  for (const table of [rows.windows, rows.daily, rows.top, rows.ack])
    for (const row of table) sites.add(row.site);
  return [...sites].sort();
}

/** Every event_date in the rows. */
export function datesOf(rows: KpiRows): Set<string> {
  const dates = new Set<string>();
  for (const table of [rows.windows, rows.daily, rows.top, rows.ack])
    for (const row of table) dates.add(row.event_date);
  return dates;
}

/** The worst day's total over areas. */
function worstDay(rows: readonly DailyRow[], pick: (row: DailyRow) => number): number {
  const byDay = new Map<string, number>();
  for (const row of rows) byDay.set(row.event_date, (byDay.get(row.event_date) ?? 0) + pick(row));
  return maxOf(byDay.values());
}

/** The daily top-10 rows added up per alarm, most frequent first. */
function topAlarms(rows: readonly TopRow[], total: number): TopAlarm[] {
  const byAlarm = new Map<string, { alarms: number; priority: string | null; latest: string }>();
  for (const row of rows) {
    const seen = byAlarm.get(row.condition_id) ?? { alarms: 0, priority: null, latest: '' };
    seen.alarms += row.alarms;
    // An alarm's priority can change; the report shows its latest.
    if (row.priority !== null && row.event_date >= seen.latest) {
      seen.priority = row.priority;
      seen.latest = row.event_date;
    }
    byAlarm.set(row.condition_id, seen);
  }
  let cumulative = 0;
  return [...byAlarm]
    .sort(([a, x], [b, y]) => y.alarms - x.alarms || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_ALARMS)
    .map(([conditionId, { alarms, priority }]) => {
      cumulative += alarms;
      return {
        conditionId,
        priority,
        alarms,
        share: total > 0 ? alarms / total : null,
        cumulative: total > 0 ? cumulative / total : null,
      };
    });
}

function top10Share(rows: readonly TopRow[], total: number): number | null {
  return total > 0 ? sum(topAlarms(rows, total), (alarm) => alarm.alarms) / total : null;
}

export function priorityRank(priority: string): number {
  const rank = (PRIORITY_ORDER as readonly string[]).indexOf(priority);
  return rank < 0 ? PRIORITY_ORDER.length : rank;
}

function ackFigures(rows: readonly AckRow[]): AckFigure[] {
  const byPriority = new Map<
    string,
    { acks: number; weighted: number; weight: number; max: number | null }
  >();
  for (const row of rows) {
    const seen = byPriority.get(row.priority) ?? { acks: 0, weighted: 0, weight: 0, max: null };
    seen.acks += row.acks;
    if (row.avg_ack_s !== null && row.acks > 0) {
      seen.weighted += row.avg_ack_s * row.acks;
      seen.weight += row.acks;
    }
    if (row.max_ack_s !== null) seen.max = Math.max(seen.max ?? row.max_ack_s, row.max_ack_s);
    byPriority.set(row.priority, seen);
  }
  return [...byPriority]
    .sort(([a], [b]) => priorityRank(a) - priorityRank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([priority, seen]) => ({
      priority,
      acks: seen.acks,
      avgS: seen.weight > 0 ? seen.weighted / seen.weight : null,
      maxS: seen.max,
    }));
}

function priorities(rows: readonly DailyRow[]): PriorityFigures {
  const figures = {
    critical: sum(rows, (row) => row.critical),
    high: sum(rows, (row) => row.high),
    medium: sum(rows, (row) => row.medium),
    low: sum(rows, (row) => row.low),
    diagnostic: sum(rows, (row) => row.diagnostic),
  };
  const high = figures.critical + figures.high;
  const split = high + figures.medium + figures.low;
  return {
    ...figures,
    shares:
      split > 0 ? { high: high / split, medium: figures.medium / split, low: figures.low / split } : null,
  };
}

function areaSummary(
  area: string,
  daily: readonly DailyRow[],
  top: readonly TopRow[],
  windows: number,
): AreaSummary {
  const alarms = sum(daily, (row) => row.alarms);
  const floodWindows = sum(daily, (row) => row.flood_windows);
  return {
    area,
    alarms,
    avgPer10min: windows > 0 ? alarms / windows : 0,
    peak10min: maxOf(daily.map((row) => row.peak_10min)),
    floodWindows,
    floodShare: windows > 0 ? floodWindows / windows : 0,
    top10Share: top10Share(top, alarms),
    chattering: sum(daily, (row) => row.chattering),
    standing: worstDay(daily, (row) => row.standing),
    shelved: sum(daily, (row) => row.shelved),
    suppressed: sum(daily, (row) => row.suppressed),
    outOfService: sum(daily, (row) => row.out_of_service),
  };
}

export function summarizeSite(rows: KpiRows, site: string, period: Period): SiteSummary {
  const of = <T extends { site: string; event_date: string }>(table: readonly T[]) =>
    table.filter((row) => row.site === site && inPeriod(period)(row));
  const daily = of(rows.daily);
  const top = of(rows.top);
  const windows = periodWindows(period);

  const rate = new Array<number>(windows).fill(0);
  for (const row of rows.windows) {
    if (row.site !== site) continue;
    const index = windowIndex(period, row.window_start);
    if (index >= 0) rate[index] = (rate[index] ?? 0) + row.alarms;
  }
  const peak10min = maxOf(rate);
  const peakIndex = peak10min > 0 ? rate.indexOf(peak10min) : -1;
  const floodWindows = rate.filter((alarms) => alarms > GUIDELINE.floodAbove).length;
  const alarms = sum(daily, (row) => row.alarms);

  const areas = [...new Set(daily.map((row) => row.area))].sort().map((area) =>
    areaSummary(
      area,
      daily.filter((row) => row.area === area),
      top.filter((row) => row.area === area),
      windows,
    ),
  );

  return {
    site,
    period,
    days: periodDays(period),
    windows,
    alarms,
    avgPer10min: windows > 0 ? alarms / windows : 0,
    peak10min,
    peakWindowStart:
      peakIndex < 0 ? null : new Date(dayStartMs(period.from) + peakIndex * WINDOW_MS).toISOString(),
    floodWindows,
    floodShare: windows > 0 ? floodWindows / windows : 0,
    top10Share: top10Share(top, alarms),
    chattering: sum(daily, (row) => row.chattering),
    standing: worstDay(daily, (row) => row.standing),
    shelved: sum(daily, (row) => row.shelved),
    suppressed: sum(daily, (row) => row.suppressed),
    outOfService: sum(daily, (row) => row.out_of_service),
    priorities: priorities(daily),
    rate,
    top: topAlarms(top, alarms),
    ack: ackFigures(of(rows.ack)),
    areas,
  };
}

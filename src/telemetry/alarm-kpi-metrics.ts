/**
 * The alarm stage's ISA-18.2 key figures as Prometheus gauges: alarm rate per
 * area, time in flood, the most frequent alarms, standing, shelved,
 * suppressed and out-of-service alarms. One snapshot serves a whole scrape.
 */
import type { Registry } from 'prom-client';
import type { KpiSnapshot } from '../alarms/kpis.ts';
import { type Series, scrapedGauge } from './scraped-metrics.ts';

export function registerAlarmKpis(registry: Registry, kpis: () => KpiSnapshot): void {
  const gauge = (name: string, help: string, labelNames: string[], read: (kpi: KpiSnapshot) => Series) =>
    scrapedGauge(registry, name, help, labelNames, () => read(kpis()));
  const perArea = (values: Record<string, number>): Series =>
    Object.entries(values).map(([area, value]) => [{ area }, value]);
  gauge(
    'gateway_alarms_annunciated_10min',
    'Alarms annunciated in the last 10 minutes, per area (ISA-18.2 alarm rate).',
    ['area'],
    (k) => perArea(k.annunciatedPer10Min),
  );
  gauge(
    'gateway_alarm_flood_time_percent',
    'Percent of the time since start the area spent in alarm flood.',
    ['area'],
    (k) => perArea(k.floodPercent),
  );
  gauge('gateway_alarm_area_in_flood', 'Areas in alarm flood now (1).', ['area'], (k) =>
    k.inFlood.map((area) => [{ area }, 1]),
  );
  gauge(
    'gateway_alarm_top_annunciations',
    'The alarms annunciated most often since start, with their count.',
    ['condition_id'],
    (k) => k.topAlarms.map(({ condition_id, count }) => [{ condition_id }, count]),
  );
  const single = (name: string, help: string, read: (kpi: KpiSnapshot) => number) =>
    gauge(name, help, [], (k) => [[{}, read(k)]]);
  single('gateway_alarms_standing', 'Alarms active for more than 24 hours.', (k) => k.standing);
  single('gateway_alarms_shelved', 'Shelved alarms.', (k) => k.shelved);
  single('gateway_alarms_suppressed', 'Alarms suppressed (by design or flood).', (k) => k.suppressed);
  single('gateway_alarms_out_of_service', 'Alarms removed from service.', (k) => k.outOfService);
}

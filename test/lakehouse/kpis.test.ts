/**
 * The KPI job (lakehouse/sql/alarm_kpis.sql) against a golden history: a
 * scripted alarm sequence (fixtures/kpi-events.ts) goes through Kafka and the
 * events job into Iceberg, the kpis job computes the four KPI tables, and each
 * table must hold exactly the rows worked out by hand below. Then: a rerun
 * leaves the tables as they were, and a run with KPI_SINCE after more events
 * replaces only the days from KPI_SINCE on.
 *
 * Six Flink runs (about 10 s each): events, kpis, kpis again, events (the
 * added events), kpis from day 2, and one query that reads every table as it
 * was after each kpis run (Iceberg time travel, 'as-of-timestamp').
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { queryLakehouse, runLakehouse } from '../../scripts/lakehouse/run.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { createTopic, kafkaClient, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { C, DAY_1, DAY_2, kpiScenario } from './fixtures/kpi-events.ts';

type Row = Record<string, unknown>;

const KPI_TABLES = ['windows', 'daily', 'top', 'ack'] as const;
type KpiTable = (typeof KPI_TABLES)[number];
type Tables = Record<KpiTable, Row[]>;

const ORDER: Record<KpiTable, string> = {
  windows: 'site, area, window_start',
  daily: 'site, area, event_date',
  top: 'site, area, event_date, `rank`',
  ack: 'site, area, event_date, priority',
};

// --- The golden rows ----------------------------------------------------------

function window(site: string, area: string, start: string, alarms: number): Row {
  return { site, area, window_start: start, event_date: start.slice(0, 10), alarms, flood: alarms > 10 };
}

const ZERO_DAY = {
  alarms: 0,
  avg_per_10min: 0,
  peak_10min: 0,
  flood_windows: 0,
  flood_share: 0,
  top10_share: 0,
  chattering: 0,
  standing: 0,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  diagnostic: 0,
  shelved: 0,
  suppressed: 0,
  out_of_service: 0,
};

function day(site: string, area: string, date: string, values: Partial<typeof ZERO_DAY>): Row {
  return { site, area, event_date: date, ...ZERO_DAY, ...values };
}

function top(
  site: string,
  area: string,
  date: string,
  rank: number,
  conditionId: string,
  priority: string,
  alarms: number,
  share: number,
): Row {
  return { site, area, event_date: date, rank, condition_id: conditionId, priority, alarms, share };
}

function ack(
  site: string,
  area: string,
  date: string,
  priority: string,
  acks: number,
  avg: number,
  max: number,
) {
  return { site, area, event_date: date, priority, acks, avg_ack_s: avg, max_ack_s: max };
}

const GOLDEN: Tables = {
  windows: [
    window('north', 'boilers', '2026-03-01T08:00:00Z', 12), // the flood: A 3, B 2, 7 burners
    window('north', 'boilers', '2026-03-01T09:00:00Z', 4), // C chattering
    window('north', 'boilers', '2026-03-01T10:00:00Z', 3), // D
    window('north', 'boilers', '2026-03-01T11:00:00Z', 3), // E
    window('north', 'boilers', '2026-03-01T15:00:00Z', 1), // T
    window('north', 'boilers', '2026-03-01T23:50:00Z', 1), // F, produced last: still day 1
    window('north', 'boilers', '2026-03-02T06:00:00Z', 1), // A
    window('north', 'packing', '2026-03-01T14:00:00Z', 1), // S
    window('south', 'mixing', '2026-03-01T01:00:00Z', 1), // U
    window('south', 'mixing', '2026-03-01T13:00:00Z', 1), // M1
    window('south', 'mixing', '2026-03-02T20:00:00Z', 1), // U again
  ],
  daily: [
    // 24 alarms: A 3, B 2 (its resent raise once), burners 7, C 4, D 3, E 3, T 1, F 1.
    day('north', 'boilers', DAY_1, {
      alarms: 24,
      avg_per_10min: 24 / 144,
      peak_10min: 12,
      flood_windows: 1,
      flood_share: 1 / 144,
      top10_share: 20 / 24, // C 4 + A, D, E 3 each + B 2 + F, T, burner-1..3 1 each
      chattering: 2, // C (4 in 60 s) and D (3 in exactly 60 s); not E (60.001 s)
      critical: 2, // A's third raise, F
      high: 5, // A 2, B 2, T
      medium: 11, // burners 7, C 4
      low: 3, // D
      diagnostic: 3, // E
    }),
    day('north', 'boilers', DAY_2, {
      alarms: 1,
      avg_per_10min: 1 / 144,
      peak_10min: 1,
      top10_share: 1,
      critical: 1,
      shelved: 2, // B, D
      suppressed: 1, // C
      out_of_service: 1, // E
    }),
    day('north', 'packing', DAY_1, {
      alarms: 1,
      avg_per_10min: 1 / 144,
      peak_10min: 1,
      top10_share: 1,
      high: 1,
    }),
    // No event of packing on day 2: the row is there for S, standing (raised 34 h before the day's end).
    day('north', 'packing', DAY_2, { standing: 1 }),
    day('south', 'mixing', DAY_1, {
      alarms: 2,
      avg_per_10min: 2 / 144,
      peak_10min: 1,
      top10_share: 1,
      medium: 1,
      low: 1,
      shelved: 1,
      suppressed: 1,
      out_of_service: 1,
    }),
    // U is active at the end of day 2, but raised again 4 h before it: not standing.
    day('south', 'mixing', DAY_2, {
      alarms: 1,
      avg_per_10min: 1 / 144,
      peak_10min: 1,
      top10_share: 1,
      low: 1,
    }),
  ],
  top: [
    top('north', 'boilers', DAY_1, 1, C.C, 'medium', 4, 4 / 24),
    top('north', 'boilers', DAY_1, 2, C.A, 'critical', 3, 3 / 24), // its latest raise's priority
    top('north', 'boilers', DAY_1, 3, C.D, 'low', 3, 3 / 24),
    top('north', 'boilers', DAY_1, 4, C.E, 'diagnostic', 3, 3 / 24),
    top('north', 'boilers', DAY_1, 5, C.B, 'high', 2, 2 / 24),
    top('north', 'boilers', DAY_1, 6, C.F, 'critical', 1, 1 / 24),
    top('north', 'boilers', DAY_1, 7, C.T, 'high', 1, 1 / 24),
    top('north', 'boilers', DAY_1, 8, C.burner(1), 'medium', 1, 1 / 24),
    top('north', 'boilers', DAY_1, 9, C.burner(2), 'medium', 1, 1 / 24),
    top('north', 'boilers', DAY_1, 10, C.burner(3), 'medium', 1, 1 / 24), // burner-4..7: rank 11..14
    top('north', 'boilers', DAY_2, 1, C.A, 'critical', 1, 1),
    top('north', 'packing', DAY_1, 1, C.S, 'high', 1, 1),
    top('south', 'mixing', DAY_1, 1, C.M1, 'medium', 1, 0.5),
    top('south', 'mixing', DAY_1, 2, C.U, 'low', 1, 0.5),
    top('south', 'mixing', DAY_2, 1, C.U, 'low', 1, 1),
  ],
  ack: [
    ack('north', 'boilers', DAY_1, 'critical', 2, 105.25, 180.5), // A 30 s, F 180.5 s
    ack('north', 'boilers', DAY_1, 'high', 1, 60, 60), // B
    ack('north', 'boilers', DAY_1, 'low', 1, 0, 0), // D, acked in the millisecond of its raise
    ack('north', 'boilers', DAY_1, 'medium', 1, 45, 45), // C; G's ack has no raise
    ack('north', 'boilers', DAY_2, 'critical', 1, 90, 90), // A
    ack('north', 'packing', DAY_1, 'high', 1, 600, 600), // S
    ack('south', 'mixing', DAY_1, 'medium', 1, 120, 120), // M1
  ],
};

/**
 * After H (day 1) and V (day 2) were added and the job ran with KPI_SINCE =
 * day 2: day 1 is kept as it was (without H); day 2 is recomputed from the
 * whole history: H, raised on day 1 and never cleared, is standing at its
 * end, and south/mixing has V. The rows replaced are in the order the query
 * sorts them.
 */
const [northBoilers1, , northPacking1, northPacking2, southMixing1] = GOLDEN.daily as [
  Row,
  Row,
  Row,
  Row,
  Row,
];
const SINCE_DAY_2: Tables = {
  windows: [
    ...GOLDEN.windows.filter((row) => !(row.site === 'south' && row.event_date === DAY_2)),
    window('south', 'mixing', '2026-03-02T20:00:00Z', 2), // U, V
  ],
  daily: [
    northBoilers1,
    day('north', 'boilers', DAY_2, {
      alarms: 1,
      avg_per_10min: 1 / 144,
      peak_10min: 1,
      top10_share: 1,
      standing: 1, // H
      critical: 1,
      shelved: 2,
      suppressed: 1,
      out_of_service: 1,
    }),
    northPacking1,
    northPacking2,
    southMixing1,
    day('south', 'mixing', DAY_2, {
      alarms: 2,
      avg_per_10min: 2 / 144,
      peak_10min: 2,
      top10_share: 1,
      high: 1,
      low: 1,
    }),
  ],
  top: [
    ...GOLDEN.top.filter((row) => !(row.site === 'south' && row.event_date === DAY_2)),
    top('south', 'mixing', DAY_2, 1, C.V, 'high', 1, 0.5), // mixer-1 before mixer-2
    top('south', 'mixing', DAY_2, 2, C.U, 'low', 1, 0.5),
  ],
  ack: GOLDEN.ack,
};

// --- Plumbing -----------------------------------------------------------------

async function produce(brokers: string, topic: string, events: readonly AlarmEvent[]): Promise<void> {
  const producer = kafkaClient(brokers).producer({ idempotent: true });
  await producer.connect();
  try {
    // One send after another: the late events really are the last records.
    for (const event of events) {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: `${event.site}/${event.area}/${event.line}/${event.asset}`,
            value: JSON.stringify(event),
            headers: {
              schema: event.schema,
              'content-type': 'application/json',
              event_id: event.event_id,
              site: event.site,
              event_date: event.event_date,
              priority: event.priority,
            },
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * In one Flink run: every KPI table as it was at each of `times` (ms; 'now'
 * for the current snapshot), and the number of events landed.
 */
async function readKpis(
  options: { warehouse: string; stateDir: string },
  times: readonly (number | 'now')[],
): Promise<{ versions: Tables[]; landed: unknown }> {
  const sql = KPI_TABLES.map((table) => {
    const selects = times.map((time, version) => {
      const hint = time === 'now' ? '' : ` /*+ OPTIONS('as-of-timestamp'='${time}') */`;
      return `SELECT '${table}' AS kpi_table, ${version} AS kpi_version, * FROM lake.iiot.alarm_kpi_${table}${hint}`;
    });
    return `${selects.join('\nUNION ALL\n')}\nORDER BY kpi_version, ${ORDER[table]};\n`;
  });
  sql.push(`SELECT 'landed' AS kpi_table, COUNT(*) AS events FROM lake.iiot.alarm_events;\n`);
  const rows = await queryLakehouse(sql.join('\n'), options);
  const versions = times.map(
    (_, version) =>
      Object.fromEntries(
        KPI_TABLES.map((table) => [
          table,
          rows
            .filter((row) => row.kpi_table === table && row.kpi_version === version)
            .map(({ kpi_table, kpi_version, ...row }) => row),
        ]),
      ) as Tables,
  );
  return { versions, landed: rows.find((row) => row.kpi_table === 'landed')?.events };
}

test('the KPI tables of a scripted alarm history are the golden rows; a rerun keeps them; KPI_SINCE replaces only later days', {
  timeout: 300_000,
}, async () => {
  const brokers = await sharedBrokers();
  const topic = uniqueTopic('kpis');
  await createTopic(brokers, topic, 3);
  const dir = mkdtempSync(join(tmpdir(), 'kpis-test-'));
  try {
    const warehouse = join(dir, 'warehouse');
    const common = { mode: 'batch', brokers, eventTopics: [topic], warehouse, restartAttempts: 0 } as const;
    const events = { ...common, job: 'events', stateDir: join(dir, 'events') } as const;
    const kpis = { ...common, job: 'kpis', stateDir: join(dir, 'kpis') } as const;
    const scenario = kpiScenario();

    await produce(brokers, topic, scenario.produced);
    await runLakehouse(events);
    await runLakehouse(kpis);
    const afterFirst = Date.now();
    await runLakehouse(kpis);
    const afterRerun = Date.now();

    await produce(brokers, topic, scenario.added);
    await runLakehouse(events);
    await runLakehouse({ ...kpis, vars: { KPI_SINCE: DAY_2 } });

    const { versions, landed } = await readKpis({ warehouse, stateDir: join(dir, 'query') }, [
      afterFirst,
      afterRerun,
      'now',
    ]);
    const [first, rerun, since] = versions as [Tables, Tables, Tables];
    // Each event once: B's resent raise was dropped by the events job.
    assert.equal(landed, new Set([...scenario.produced, ...scenario.added].map((e) => e.event_id)).size);
    for (const table of KPI_TABLES) {
      assert.deepEqual(first[table], GOLDEN[table], `alarm_kpi_${table} after the first run`);
    }
    for (const table of KPI_TABLES) {
      assert.deepEqual(rerun[table], GOLDEN[table], `alarm_kpi_${table} after the rerun`);
    }
    for (const table of KPI_TABLES) {
      assert.deepEqual(since[table], SINCE_DAY_2[table], `alarm_kpi_${table} after KPI_SINCE=${DAY_2}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

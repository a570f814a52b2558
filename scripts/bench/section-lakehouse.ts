/**
 * Figure 12: the lakehouse jobs (lakehouse/sql/) landing gateway events from
 * Kafka in Iceberg with Flink. Throughput of the shipped strategy (append
 * table, keep-first-row dedupe in the job; its batch backfill with an
 * anti-join) against the rejected one (an Iceberg upsert table fed by a plain
 * INSERT, scripts/bench/lakehouse-sql/), each streaming (bounded) and batch,
 * with the JVM's CPU and peak RSS and the files each leaves per partition;
 * then the latency from a PLC register change to the row being readable, with
 * the events job streaming at two checkpoint intervals.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { ensureLakehouseClasspath } from '../lakehouse/classpath.ts';
import { ensureReaderPython } from '../lakehouse/python.ts';
import type { LakehouseRunOptions } from '../lakehouse/run.ts';
import { DAYS, type ProducedEvents, produceLakehouseEvents, SITES } from './lakehouse-events.ts';
import { type JvmRun, loadAverage, startMeasured } from './lakehouse-jvm.ts';
import { measureTableLatency, type TableLatencyRun, WATCH_INTERVAL_MS } from './lakehouse-latency.ts';
import { checkTable, type PartitionFiles, type TableCheck } from './lakehouse-table.ts';
import type { Report } from './report.ts';
import { dec1, distribution, int, mib } from './stats.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface LakehouseSectionPlan {
  brokers: string;
  dir: string;
  /** Records produced for the throughput runs, resends included. */
  events: number;
  /** Register changes timed per checkpoint interval in the latency runs. */
  changes: number;
  log: (line: string) => void;
  brokerCpuSeconds: () => number | undefined;
}

const ORDER = 12;
const PARTITIONS = 4;
const PARALLELISM = 2;
const CHECKPOINT_MS = 10_000;
const LATENCY_CHECKPOINTS_MS = [10_000, 2_000] as const;
/** scripts/lakehouse/run.ts's default; a run that runs out of it is repeated with RETRY_HEAP_MB. */
const DEFAULT_HEAP_MB = 768;
const RETRY_HEAP_MB = 1536;
const UPSERT_SQL = fileURLToPath(new URL('./lakehouse-sql/alarm_events_upsert.sql', import.meta.url));

interface Variant {
  name: string;
  label: string;
  table: string;
  options: Partial<LakehouseRunOptions>;
}

const VARIANTS: Variant[] = [
  {
    name: 'append streaming',
    label: `shipped: append + keep-first-row dedupe, streaming (bounded, ${CHECKPOINT_MS / 1000} s checkpoints)`,
    table: 'alarm_events',
    options: { job: 'events', bounded: true, checkpointMs: CHECKPOINT_MS },
  },
  {
    name: 'append batch',
    label: 'shipped: append, batch backfill (dedupe + anti-join)',
    table: 'alarm_events',
    options: { job: 'events', mode: 'batch' },
  },
  {
    name: 'upsert streaming',
    label: `rejected: upsert table, streaming (bounded, ${CHECKPOINT_MS / 1000} s checkpoints)`,
    table: 'alarm_events_upsert',
    options: { job: 'events', bounded: true, checkpointMs: CHECKPOINT_MS, files: [UPSERT_SQL] },
  },
  {
    name: 'upsert batch',
    label: 'rejected: upsert table, batch',
    table: 'alarm_events_upsert',
    options: { job: 'events', mode: 'batch', files: [UPSERT_SQL] },
  },
];

interface Outcome {
  variant: Variant;
  /** The run at the default heap that ran out of memory, when it did. */
  outOfMemory?: JvmRun;
  heapMb?: number;
  jvm?: JvmRun;
  brokerCpuSeconds?: number | undefined;
  table?: TableCheck;
  error?: string;
}

function secs(value: number | undefined): string {
  return value === undefined ? '?' : `${dec1(value)} s`;
}

function gib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function range(values: number[]): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? int(min) : `${int(min)}–${int(max)}`;
}

function totals(partitions: PartitionFiles[]): Omit<PartitionFiles, 'site' | 'eventDate'> {
  const sum = (pick: (p: PartitionFiles) => number) => partitions.reduce((n, p) => n + pick(p), 0);
  return {
    data: sum((p) => p.data),
    equalityDeletes: sum((p) => p.equalityDeletes),
    positionDeletes: sum((p) => p.positionDeletes),
    dataRecords: sum((p) => p.dataRecords),
    dataBytes: sum((p) => p.dataBytes),
    deleteBytes: sum((p) => p.deleteBytes),
  };
}

function latency(values: number[]): string {
  const d = distribution(values);
  return `p50 ${int(d.p50)} / p99 ${int(d.p99)} / max ${int(d.max)} ms (n=${d.count})`;
}

/** ExitOnOutOfMemoryError ends the JVM with 3. */
function outOfMemory(jvm: JvmRun): boolean {
  return jvm.outcome.code === 3 || /OutOfMemoryError/.test(jvm.outcome.stdout + jvm.outcome.stderr);
}

async function runVariant(
  variant: Variant,
  produced: ProducedEvents,
  plan: LakehouseSectionPlan,
  index: number,
): Promise<Outcome> {
  const outcome: Outcome = { variant };
  for (const heapMb of [DEFAULT_HEAP_MB, RETRY_HEAP_MB]) {
    const dir = join(plan.dir, `lakehouse-${index}-${heapMb}`);
    const warehouse = join(dir, 'warehouse');
    plan.log(`lakehouse: ${variant.name}, ${int(produced.records)} records, ${heapMb} MiB heap …`);
    const brokerBefore = plan.brokerCpuSeconds();
    try {
      const { run, measured } = await startMeasured({
        job: 'events',
        ...variant.options,
        brokers: plan.brokers,
        eventTopics: [produced.topic],
        warehouse,
        stateDir: join(dir, 'flink'),
        groupId: `bench-lakehouse-${randomUUID().slice(0, 8)}`,
        parallelism: PARALLELISM,
        heapMb,
        restartAttempts: 0,
        fresh: true,
      });
      const jvm = await measured;
      const brokerAfter = plan.brokerCpuSeconds();
      if (outOfMemory(jvm) && heapMb === DEFAULT_HEAP_MB) {
        plan.log(
          `lakehouse: ${variant.name} ran out of memory after ${dec1(jvm.wallSeconds)} s; again with more heap`,
        );
        outcome.outOfMemory = jvm;
        continue;
      }
      if (jvm.outcome.code !== 0) {
        throw new Error(
          `exited with ${jvm.outcome.code ?? jvm.outcome.signal}: ${jvm.outcome.stderr.trim()}\n-- ${run.logFile}:\n${run.logTail()}`,
        );
      }
      plan.log(`lakehouse: ${variant.name} took ${dec1(jvm.wallSeconds)} s; reading the table back …`);
      outcome.jvm = jvm;
      outcome.heapMb = heapMb;
      outcome.brokerCpuSeconds =
        brokerBefore === undefined || brokerAfter === undefined ? undefined : brokerAfter - brokerBefore;
      outcome.table = await checkTable(warehouse, join(dir, 'query'), variant.table);
      return outcome;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      plan.log(`lakehouse: ${variant.name} failed: ${message}`);
      outcome.error = message.split('\n')[0]?.slice(0, 300);
      return outcome;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return outcome;
}

export async function benchLakehouse(report: Report, plan: LakehouseSectionPlan): Promise<void> {
  report.section(ORDER, 'Lakehouse: Kafka → Flink → Iceberg');
  plan.log('lakehouse: preparing the Flink classpath and the pyiceberg reader (untimed) …');
  await ensureLakehouseClasspath();
  await ensureReaderPython();

  const topic = uniqueTopic('bench-lake');
  await createBenchTopic(plan.brokers, topic, PARTITIONS);
  const outcomes: Outcome[] = [];
  let produced: ProducedEvents;
  try {
    produced = await produceLakehouseEvents({
      brokers: plan.brokers,
      topic,
      records: plan.events,
      log: plan.log,
    });
    report.add(ORDER, {
      title: `Input: ${int(produced.records)} gateway-shaped events on a ${PARTITIONS}-partition topic`,
      method:
        `JSON alarm events as the gateway writes them (key = asset path, the gateway's headers), ${SITES.length} sites ` +
        `(one gateway each) × ${DAYS} UTC days × 240 alarms, in source_time order; one record in 100 is a ` +
        'byte-identical resend of one of the 2,000 before it; produced with kafkajs (batches of 2,000, 4 in flight, ' +
        'acks=1, no compression) before any timing',
      rows: [
        [
          'records / distinct event_ids / resends',
          `${int(produced.records)} / ${int(produced.distinct)} / ${int(produced.resends)}`,
        ],
        ['JSON value per record', `${int(produced.valueBytes / produced.records)} bytes`],
        ['site × day partitions', `${produced.partitions} (${produced.days.join(', ')})`],
        ['produce time (untimed for the figures)', `${dec1(produced.seconds)} s`],
      ],
    });
    for (const [index, variant] of VARIANTS.entries())
      outcomes.push(await runVariant(variant, produced, plan, index));
  } finally {
    await deleteBenchTopic(plan.brokers, topic);
  }

  const expected = produced.distinct;
  const throughputRows: [string, string][] = [];
  const cpuRows: [string, string][] = [];
  const tableRows: [string, string][] = [];
  for (const { variant, jvm, brokerCpuSeconds, table, error, outOfMemory, heapMb } of outcomes) {
    if (outOfMemory) {
      throughputRows.push([
        `${variant.label}, ${DEFAULT_HEAP_MB} MiB heap`,
        `out of heap memory after ${secs(outOfMemory.wallSeconds)} (JVM exit code ${outOfMemory.outcome.code}; ` +
          `peak RSS ${gib(outOfMemory.peakRssBytes)}, CPU ${secs(outOfMemory.cpuSeconds)}); repeated with ` +
          `${int(RETRY_HEAP_MB)} MiB`,
      ]);
    }
    const label =
      heapMb !== undefined && heapMb !== DEFAULT_HEAP_MB
        ? `${variant.label}, ${int(heapMb)} MiB heap`
        : variant.label;
    if (!jvm || !table) {
      throughputRows.push([label, `failed: ${error ?? 'unknown'}`]);
      continue;
    }
    const rows = table.distinct;
    const jobSeconds =
      jvm.submittedSeconds !== undefined && jvm.finishedSeconds !== undefined
        ? jvm.finishedSeconds - jvm.submittedSeconds
        : undefined;
    throughputRows.push([
      label,
      `${int(rows / jvm.wallSeconds)} rows/s: ${secs(jvm.wallSeconds)} JVM start → exit; job submitted at ` +
        `${secs(jvm.submittedSeconds)}, finished at ${secs(jvm.finishedSeconds)}` +
        (jobSeconds === undefined ? '' : ` (job alone ${int(rows / jobSeconds)} rows/s)`) +
        `; load ${dec1(jvm.loadAtStart)} → ${dec1(jvm.loadAtEnd)}`,
    ]);
    const jobCpu =
      jvm.cpuSeconds !== undefined && jvm.cpuAtSubmittedSeconds !== undefined
        ? jvm.cpuSeconds - jvm.cpuAtSubmittedSeconds
        : undefined;
    cpuRows.push([
      label,
      `JVM CPU ${secs(jvm.cpuSeconds)}` +
        (jvm.cpuSeconds ? ` (${int(rows / jvm.cpuSeconds)} rows per CPU-second)` : '') +
        (jobCpu
          ? `, of which ${secs(jobCpu)} after the job was submitted (${int(rows / jobCpu)} rows per CPU-second)`
          : '') +
        `; broker CPU ${secs(brokerCpuSeconds)}; JVM peak RSS ${gib(jvm.peakRssBytes)}`,
    ]);
    const sum = totals(table.partitions);
    const verdict =
      table.rows === expected && table.distinct === expected ? 'as produced' : `EXPECTED ${int(expected)}`;
    tableRows.push([
      label,
      `${int(table.rows)} rows, ${int(table.distinct)} distinct event_ids (${verdict}); ${table.partitions.length} ` +
        `partitions; files data / eq-delete / pos-delete ${int(sum.data)} / ${int(sum.equalityDeletes)} / ` +
        `${int(sum.positionDeletes)}, per partition ${range(table.partitions.map((p) => p.data))} / ` +
        `${range(table.partitions.map((p) => p.equalityDeletes))} / ${range(table.partitions.map((p) => p.positionDeletes))}; ` +
        `${mib(sum.dataBytes)} data (${int(sum.dataRecords)} records), ${mib(sum.deleteBytes)} deletes`,
    ]);
  }
  const quiet =
    `parallelism ${PARALLELISM}, the JVM of scripts/lakehouse/run.ts (local mini-cluster) with its default ` +
    `${DEFAULT_HEAP_MB} MiB heap; a run that runs out of it is repeated with ${int(RETRY_HEAP_MB)} MiB`;
  report.add(ORDER, {
    title: `Throughput into the table, ${int(expected)} distinct events`,
    method:
      `each run in a fresh warehouse and consumer group (LakehouseRun, ${quiet}); rows/s = distinct rows / wall ` +
      'time from just before the JVM is spawned to its exit (planning, Kafka reads, writing and the final commit ' +
      "included); submitted / finished: when the launcher's `job … submitted` / `finished` lines reached this " +
      'process; the load average (1 min) at the start and end of each run, on 2 cores shared with other work',
    rows: throughputRows,
  });
  if (cpuRows.length > 0) {
    report.add(ORDER, {
      title: 'CPU and memory of each run',
      method:
        'user + system time of the JVM from /proc/PID/stat and its VmHWM from /proc/PID/status, sampled every ' +
        "200 ms until it exits (the last 200 ms of CPU may be missed), and read again when the launcher's " +
        '`submitted` line arrived; broker CPU over the same run',
      rows: cpuRows,
    });
  }
  if (tableRows.length > 0) {
    report.add(ORDER, {
      title: 'What each run left in its table',
      method:
        'a Flink batch query after the run (queryLakehouse): COUNT(*) and COUNT(DISTINCT event_id), which applies ' +
        "an upsert table's deletes, and the live files of the current snapshot from Iceberg's $files metadata " +
        'table by content (data, equality deletes, position deletes) and partition (site, event_date)',
      rows: tableRows,
    });
    const named = outcomes.filter((o) => o.table !== undefined);
    const keys = [
      ...new Set(
        named.flatMap((o) => (o.table as TableCheck).partitions.map((p) => `${p.site} ${p.eventDate}`)),
      ),
    ].sort();
    report.add(ORDER, {
      title: `Files per partition, data / eq-delete / pos-delete, for: ${named.map((o) => o.variant.name).join(', ')}`,
      method: 'the same $files query, one row per site and event_date',
      rows: keys.map((key) => [
        key,
        named
          .map((o) => {
            const p = (o.table as TableCheck).partitions.find(
              (each) => `${each.site} ${each.eventDate}` === key,
            );
            return p ? `${p.data}/${p.equalityDeletes}/${p.positionDeletes}` : '–';
          })
          .join(', '),
      ]),
    });
  }

  const latencies: TableLatencyRun[] = [];
  for (const checkpointMs of LATENCY_CHECKPOINTS_MS) {
    plan.log(`lakehouse: latency with ${checkpointMs} ms checkpoints …`);
    try {
      latencies.push(
        await measureTableLatency({
          brokers: plan.brokers,
          dir: plan.dir,
          checkpointMs,
          changes: plan.changes,
          log: plan.log,
        }),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      plan.log(`lakehouse: latency at ${checkpointMs} ms failed: ${message}`);
      report.note(
        ORDER,
        `The latency run at ${checkpointMs} ms checkpoints failed: ${message.split('\n')[0]}`,
      );
    }
  }
  if (latencies.length > 0) {
    const rows: [string, string][] = [];
    for (const run of latencies) {
      const at = `${dec1(run.checkpointMs / 1000)} s checkpoints`;
      rows.push([`${at}: change → row readable (pyiceberg scan returned it)`, latency(run.toReadable)]);
      rows.push([`${at}: change → snapshot committed`, latency(run.toCommitted)]);
      rows.push([`${at}: change → processed by Flink (landed_at)`, latency(run.toLanded)]);
      rows.push([
        `${at}: the live job`,
        `first event readable ${dec1(run.firstReadableSeconds)} s after the JVM started; JVM CPU ` +
          `${run.jvmCpuShare === undefined ? '?' : `${Math.round(run.jvmCpuShare * 100)} %`} of one core while ` +
          `measuring, peak RSS ${gib(run.jvm.peakRssBytes)}; load ${dec1(run.jvm.loadAtStart)} → ` +
          `${dec1(run.jvm.loadAtEnd)}`,
      ]);
    }
    report.add(ORDER, {
      title: 'PLC register change → row readable in alarm_events',
      method:
        "one simulated PLC polled every 100 ms by the gateway in this process (limit alarms, figure 2's plant); " +
        `the events job streaming (unbounded, parallelism ${PARALLELISM}, fresh state) from the gateway's topic; ` +
        `${plan.changes} registers raised one after another, 0.3–1.5 s apart (random moments of the checkpoint ` +
        `cycle), after one warm-up change; a pyiceberg reader in its own process reads version-hint.text every ` +
        `${WATCH_INTERVAL_MS} ms and scans the table when it changed; times are this machine's clock: Date.now() ` +
        "before the register write, the scan's return, the snapshot's timestamp-ms and the row's landed_at; with fewer than 100 " +
        'samples the nearest-rank p99 is the largest',
      rows,
    });
    const strays = latencies.flatMap((run) => run.unexpected);
    if (strays.length > 0) {
      report.note(
        ORDER,
        `${strays.length} rows in the latency runs' tables came from no timed change (the gateway's own system events: the timed raises amount to an alarm flood): ${[...new Set(strays)].join(', ')}`,
      );
    }
  }
  report.note(ORDER, `load average (1 min) when the section ended: ${dec1(loadAverage())}`);
}

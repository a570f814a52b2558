/**
 * The chaos proof: a gateway process on a lively simulated plant, hit for N
 * rounds by random faults (kill -9 of the gateway, a broker restart, a PLC
 * gone), then left to settle. Afterwards every event the gateway committed
 * must be on the topic (acked ⊆ delivered), seq must have no gaps, the
 * buffer must drain to empty and fresh events must keep flowing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { GatewayProcess } from '../../test/harness/gateway-process.ts';
import { consumeAll, topicSize } from '../../test/harness/kafka.ts';
import { until } from '../../test/harness/wait.ts';
import { KafkaBroker } from '../kafka-broker.ts';
import { startChaosPlant } from './site.ts';

export type Fault = 'kill-gateway' | 'restart-broker' | 'plc-gone';

export interface ChaosOptions {
  rounds: number;
  /** Longest pause between faults; each pause is random up to this. */
  roundMs: number;
  devices: number;
  pointsPerDevice: number;
  dir: string;
  /** Seeded, so a failing run can be repeated exactly. */
  seed: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  rounds: number;
  faults: Record<Fault, number>;
  /** Highest seq the gateway committed. */
  committed: number;
  recordsOnTopic: number;
  distinctEvents: number;
  duplicates: number;
  /** Committed seqs not on the topic (events dropped by a buffer bound count here too, and in droppedByPolicy). */
  lost: number[];
  /** Dropped by the buffer's bounds (reported downstream); 0 unless a bound was hit. */
  droppedByPolicy: number;
  /** Keys whose events, first occurrences only, are not in seq order on their partition. */
  outOfOrderKeys: string[];
  bufferEmpty: boolean;
  /** Seqs that arrived with more than one event_id: a seq handed out twice. */
  seqsReused: number[];
  /** Events raised after the last fault healed. */
  freshAfterFaults: number;
}

/** mulberry32: small, seeded, good enough to pick faults and pauses. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bufferFigures(path: string): { waiting: number[]; lastSeq: number; dropped: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const waiting = (db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map(
      (row) => row.seq,
    );
    const meta = (key: string) =>
      Number(
        (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
          ?.value ?? 0,
      );
    return { waiting, lastSeq: meta('last_seq'), dropped: meta('dropped_total') + pendingDrops(db) };
  } finally {
    db.close();
  }
}

function pendingDrops(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'pending_drops'").get() as
    | { value: string }
    | undefined;
  return row ? (JSON.parse(row.value) as { count: number }).count : 0;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const next = random(options.seed);
  const topic = `chaos-${options.seed}-${Date.now()}`;
  const broker = await KafkaBroker.start({ dataDir: join(options.dir, 'kafka') });
  log(`chaos: broker on ${broker.brokers}`);
  const plant = await startChaosPlant({
    devices: options.devices,
    pointsPerDevice: options.pointsPerDevice,
    brokers: broker.brokers,
    topic,
    stateDir: join(options.dir, 'state'),
  });
  const siteFile = join(options.dir, 'site.yaml');
  writeFileSync(siteFile, stringify(plant.site));
  const bufferPath = join(options.dir, 'state', 'buffer.db');
  const env = { KAFKA_BROKERS: broker.brokers, LOG_LEVEL: 'warn' };
  let gateway = GatewayProcess.run(siteFile, env);
  const faults: Record<Fault, number> = { 'kill-gateway': 0, 'restart-broker': 0, 'plc-gone': 0 };
  try {
    await pause(1500);
    for (let round = 1; round <= options.rounds; round++) {
      await pause(200 + next() * options.roundMs);
      const fault =
        (['kill-gateway', 'restart-broker', 'plc-gone'] as const)[Math.floor(next() * 3)] ?? 'kill-gateway';
      faults[fault] += 1;
      log(`chaos: round ${round}/${options.rounds}: ${fault}`);
      if (fault === 'kill-gateway') {
        await gateway.kill();
        await pause(100 + next() * 500);
        gateway = GatewayProcess.run(siteFile, env);
      } else if (fault === 'restart-broker') {
        // Half of the restarts are clean, half a crash of the broker.
        if (next() < 0.5) await broker.stop();
        else await broker.kill();
        await pause(500 + next() * 2000);
        await broker.restart();
      } else {
        const plc = plant.devices[Math.floor(next() * plant.devices.length)];
        await plc?.stop();
        await pause(300 + next() * 1500);
        await plc?.restart();
      }
    }
    const healed = Date.now();
    log('chaos: faults over; the plant goes on for 3 s');
    await pause(3000);
    plant.freeze();
    await until(() => bufferFigures(bufferPath).waiting.length === 0, 'the buffer to drain', 120_000, 200);
    await gateway.stop();
    // Read after the stop: anything committed until the very end counts, and is either on the topic or still buffered.
    const figures = bufferFigures(bufferPath);
    const stillBuffered = new Set(figures.waiting);

    const recordsOnTopic = await topicSize(broker.brokers, topic);
    const records = await consumeAll(broker.brokers, topic, { expected: recordsOnTopic, timeoutMs: 60_000 });
    const events = records.map((record) => ({ record, event: JSON.parse(record.value) as AlarmEvent }));
    const seen = new Set<string>();
    const firstOccurrences = events.filter(
      ({ event }) => !seen.has(event.event_id) && seen.add(event.event_id),
    );
    const delivered = new Set(firstOccurrences.map(({ event }) => event.seq));
    const lost: number[] = [];
    for (let seq = 1; seq <= figures.lastSeq; seq++) {
      if (!delivered.has(seq) && !stillBuffered.has(seq)) lost.push(seq);
    }
    const idsBySeq = new Map<number, Set<string>>();
    for (const { event } of firstOccurrences) {
      idsBySeq.set(event.seq, (idsBySeq.get(event.seq) ?? new Set()).add(event.event_id));
    }
    const lastSeqByKey = new Map<string, number>();
    const outOfOrder = new Set<string>();
    for (const { record, event } of firstOccurrences) {
      const key = `${record.partition}/${record.key}`;
      if ((lastSeqByKey.get(key) ?? 0) > event.seq) outOfOrder.add(record.key ?? '');
      lastSeqByKey.set(key, event.seq);
    }
    return {
      rounds: options.rounds,
      faults,
      committed: figures.lastSeq,
      recordsOnTopic,
      distinctEvents: seen.size,
      duplicates: records.length - seen.size,
      lost,
      droppedByPolicy: figures.dropped,
      outOfOrderKeys: [...outOfOrder],
      bufferEmpty: true,
      seqsReused: [...idsBySeq].filter(([, ids]) => ids.size > 1).map(([seq]) => seq),
      freshAfterFaults: firstOccurrences.filter(({ event }) => Date.parse(event.gateway_time) > healed)
        .length,
    };
  } finally {
    await gateway.kill().catch(() => {});
    await plant.stop();
    await broker.stop();
  }
}

/** What a run must show; an empty list means the proof holds. */
export function violations(report: ChaosReport): string[] {
  const found: string[] = [];
  if (report.lost.length > report.droppedByPolicy) {
    found.push(
      `${report.lost.length} committed events never reached the broker: seq ${report.lost.slice(0, 20).join(', ')}`,
    );
  }
  if (report.outOfOrderKeys.length > 0)
    found.push(`out of order per key: ${report.outOfOrderKeys.join(', ')}`);
  if (!report.bufferEmpty) found.push('the buffer did not drain to empty');
  if (report.seqsReused.length > 0)
    found.push(`seq numbers handed out twice: ${report.seqsReused.slice(0, 20).join(', ')}`);
  if (report.freshAfterFaults === 0) found.push('no fresh events after the faults');
  if (report.committed === 0) found.push('nothing was committed at all');
  return found;
}

export function summaryTable(report: ChaosReport): string {
  const rows: [string, string][] = [
    ['rounds', String(report.rounds)],
    [
      'faults',
      Object.entries(report.faults)
        .map(([fault, count]) => `${fault} ${count}`)
        .join(', '),
    ],
    ['events committed (last seq)', String(report.committed)],
    ['records on the topic', String(report.recordsOnTopic)],
    ['distinct events delivered', String(report.distinctEvents)],
    ['duplicates (same event_id)', String(report.duplicates)],
    ['dropped by buffer policy', String(report.droppedByPolicy)],
    ['lost', String(report.lost.length - report.droppedByPolicy)],
    ['keys out of order', String(report.outOfOrderKeys.length)],
    ['seq numbers reused', String(report.seqsReused.length)],
    ['buffer drained to empty', report.bufferEmpty ? 'yes' : 'no'],
    ['fresh events after the faults', String(report.freshAfterFaults)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

/** Figure 1: events into the SQLite outbox, and out of it to the broker. */
import { join } from 'node:path';
import type { Synchronous } from '../../src/buffer/database.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { measureCommits } from './outbox-commit.ts';
import { measureDrain } from './outbox-drain.ts';
import type { Report } from './report.ts';
import { dec1, int, mib } from './stats.ts';

export interface BufferPlan {
  brokers: string;
  dir: string;
  /** Events per backlog (and most per commit setting). */
  events: number;
  /** Most time per commit setting: one fsync per commit makes small transactions slow. */
  commitSeconds: number;
  logger: Logger;
  log: (line: string) => void;
  brokerCpuSeconds: () => number | undefined;
}

const COMMITS: readonly [Synchronous, number][] = [
  ['full', 1],
  ['full', 100],
  ['normal', 1],
  ['normal', 100],
];

const DRAINS: readonly [events: number, bytes: number][] = [
  [DEFAULTS.batchMaxEvents, DEFAULTS.batchMaxBytes],
  [2000, DEFAULTS.batchMaxBytes],
  [2000, 4 * 1024 * 1024],
];

const WARM_UP_EVENTS = 20_000;

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)} %`;
}

export async function benchBuffer(report: Report, plan: BufferPlan): Promise<void> {
  report.section(1, 'Buffer → broker throughput');

  const commitRows: [string, string][] = [];
  for (const [synchronous, perTransaction] of COMMITS) {
    plan.log(`buffer: committing with synchronous=${synchronous}, ${perTransaction} per transaction`);
    const run = await measureCommits({
      path: join(plan.dir, 'commit.db'),
      synchronous,
      perTransaction,
      maxEvents: plan.events,
      maxSeconds: plan.commitSeconds,
    });
    commitRows.push([
      `synchronous=${synchronous.toUpperCase()}, ${perTransaction} event${perTransaction > 1 ? 's' : ''} per transaction`,
      `${int(run.events / run.seconds)} events/s, ${int(run.transactions / run.seconds)} commits/s ` +
        `(${int(run.events)} events in ${dec1(run.seconds)} s); RSS +${mib(Math.max(run.rssGrowth, 0))}`,
    ]);
  }
  report.add(1, {
    title: 'Commit into the outbox',
    method:
      'Outbox.commit() on a fresh WAL database, each event (≈ 0.8 KB of JSON) with the upsert of its alarm ' +
      'state as the evaluator commits them, one commit per event-loop turn; time inside commit() only; up to ' +
      `${int(plan.events)} events or ` +
      `${plan.commitSeconds} s of commits per setting`,
    rows: commitRows,
  });

  // The first drain after start-up runs on cold JITs (Node's and the broker's) at about half speed; it is not a figure.
  plan.log('buffer: warm-up drain');
  await measureDrain({
    brokers: plan.brokers,
    path: join(plan.dir, 'drain.db'),
    events: Math.min(WARM_UP_EVENTS, plan.events),
    batchMaxEvents: DEFAULTS.batchMaxEvents,
    batchMaxBytes: DEFAULTS.batchMaxBytes,
    logger: plan.logger,
    brokerCpuSeconds: plan.brokerCpuSeconds,
  });

  const drainRows: [string, string][] = [];
  let payloadPerEvent = 0;
  for (const [batchMaxEvents, batchMaxBytes] of DRAINS) {
    plan.log(
      `buffer: draining ${int(plan.events)} events, batches of ${batchMaxEvents} / ${mib(batchMaxBytes)}`,
    );
    const run = await measureDrain({
      brokers: plan.brokers,
      path: join(plan.dir, 'drain.db'),
      events: plan.events,
      batchMaxEvents,
      batchMaxBytes,
      logger: plan.logger,
      brokerCpuSeconds: plan.brokerCpuSeconds,
    });
    payloadPerEvent = run.payloadBytes / run.events;
    const busy = run.seconds * 1000;
    drainRows.push([
      `batch_max_events ${batchMaxEvents}, batch_max_bytes ${mib(batchMaxBytes)}`,
      `${int(run.events / run.seconds)} events/s, ${dec1(run.payloadBytes / 1e6 / run.seconds)} MB/s payload, ` +
        `${int(run.events / run.batches)} events per batch; time in peek ${percent(run.peekMs, busy)}, ` +
        `send ${percent(run.sendMs, busy)}, delete ${percent(run.removeMs, busy)}; CPU: gateway ` +
        `${percent(run.ownCpuSeconds, run.seconds)}${
          run.brokerCpuSeconds === undefined ? '' : `, broker ${percent(run.brokerCpuSeconds, run.seconds)}`
        } of one core`,
    ]);
    if (run.failures > 0 || run.leftInOutbox !== 0 || run.inTopic !== run.events) {
      report.note(
        1,
        `batches of ${batchMaxEvents}: ${run.failures} failed sends, ${run.leftInOutbox} events left in the ` +
          `outbox, ${run.inTopic} of ${run.events} records in the topic.`,
      );
    }
  }
  report.add(1, {
    title: `Drain a backlog of ${int(plan.events)} events to the broker`,
    method:
      'the real Forwarder with the kafkajs BrokerClient (acks=all, idempotent, one request in flight) drains a ' +
      `pre-filled outbox (synchronous=FULL) into a fresh ${DEFAULTS.partitions}-partition topic; timed from ` +
      'Forwarder.start() to the delete of the last acknowledged batch, connecting included, after one unreported ' +
      'warm-up drain; the count on the topic is checked afterwards; CPU is user + system time over wall time',
    rows: drainRows,
  });
  report.note(
    1,
    `Payload ≈ ${int(payloadPerEvent)} bytes per event (the JSON value; key and headers come on top); ` +
      `keys spread over 50 assets. MB = 10^6 bytes.`,
  );
}

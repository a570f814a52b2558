/**
 * After a long outage: a large backlog drains to the broker while fresh
 * critical alarms keep arriving. Measures the drain rate, how long a fresh
 * alarm takes to reach the broker (for an asset with nothing waiting, and for
 * one whose backlog it must queue behind), and what the backlog costs in disk
 * and memory.
 */
import { statSync } from 'node:fs';
import { Outbox } from '../../src/buffer/outbox.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { Forwarder } from '../../src/producer/forwarder.ts';
import { createBrokerClient } from '../../src/producer/kafka-client.ts';
import { forwardingTo } from '../../src/producer/output-plan.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { draft } from '../../test/harness/fixtures.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { type Arrival, ArrivalWatch } from './arrivals.ts';
import { fill } from './backlog.ts';
import { removeDatabase } from './outbox-commit.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface CatchUpPlan {
  brokers: string;
  path: string;
  events: number;
  /** A fresh critical alarm every this many ms while the backlog drains. */
  freshEveryMs: number;
  logger: Logger;
  log: (line: string) => void;
}

export interface CatchUpRun {
  events: number;
  drainSeconds: number;
  /** Database file and WAL after the fill, per buffered event. */
  diskBytesPerEvent: number;
  payloadBytesPerEvent: number;
  /** Growth of this process's RSS from before the fill to the end of the drain, and its peak during the drain. */
  rssGrowth: number;
  rssPeak: number;
  /** Commit → broker append of fresh critical alarms on an asset with no backlog (they go ahead of it). */
  freshAhead: number[];
  /** The same for an asset that has backlog waiting: per-key order makes it queue behind that backlog. */
  freshBehind: number[];
  liveAhead: number;
}

const fileSize = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

export async function measureCatchUp(plan: CatchUpPlan): Promise<CatchUpRun> {
  const topic = uniqueTopic('bench-catchup');
  await createBenchTopic(plan.brokers, topic, DEFAULTS.partitions, {
    'message.timestamp.type': 'LogAppendTime',
  });
  removeDatabase(plan.path);
  const rssBefore = process.memoryUsage().rss;
  plan.log(`catch-up: filling a backlog of ${plan.events.toLocaleString('en-US')} events`);
  const filling = new Outbox({ path: plan.path, synchronous: 'normal', shapeOf: recordShape });
  fill(filling, plan.events);
  const payloadBytes = filling.stats().bytes;
  filling.close();
  const diskBytes = fileSize(plan.path) + fileSize(`${plan.path}-wal`);

  const outbox = new Outbox({ path: plan.path, synchronous: 'full', shapeOf: recordShape });
  const watch = await ArrivalWatch.start(plan.brokers, topic);
  const forwarder = new Forwarder({
    outbox,
    client: createBrokerClient({
      brokers: plan.brokers.split(','),
      clientId: 'gateway-bench',
      idempotent: true,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      logger: plan.logger,
    }),
    ...forwardingTo(topic),
    batchMaxEvents: DEFAULTS.batchMaxEvents,
    batchMaxBytes: DEFAULTS.batchMaxBytes,
    logger: plan.logger,
  });

  const pending: Promise<void>[] = [];
  const freshAhead: number[] = [];
  const freshBehind: number[] = [];
  let rssPeak = 0;
  let n = 0;
  const commitFresh = () => {
    n += 1;
    // asset-0 has backlog waiting (backlog.ts spreads events over asset-0 … asset-49); fresh-asset has none.
    const behind = n % 2 === 0;
    const point = `fresh-${n}`;
    const arrival = watch.expect('bench', point, 'raise', 10 * 60_000);
    const committedAt = Date.now();
    outbox.commit(
      [],
      [draft({ device: 'bench', point, priority: 'critical', asset: behind ? 'asset-0' : 'fresh-asset' })],
    );
    pending.push(
      arrival.then((arrived: Arrival) => {
        (behind ? freshBehind : freshAhead).push(arrived.appendedAt - committedAt);
      }),
    );
  };

  const startedAt = performance.now();
  forwarder.start();
  let drainedAt = 0;
  const ticker = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const waiting = outbox.stats().events;
    if (waiting === 0 && drainedAt === 0) drainedAt = performance.now();
    if (drainedAt === 0) commitFresh();
  }, plan.freshEveryMs);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (drainedAt !== 0) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  clearInterval(ticker);
  await Promise.all(pending);
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  await forwarder.stop();
  await watch.stop();
  const liveAhead = forwarder.stats.liveAhead;
  outbox.close();
  removeDatabase(plan.path);
  await deleteBenchTopic(plan.brokers, topic);
  return {
    events: plan.events,
    drainSeconds: (drainedAt - startedAt) / 1000,
    diskBytesPerEvent: diskBytes / plan.events,
    payloadBytesPerEvent: payloadBytes / plan.events,
    rssGrowth,
    rssPeak,
    freshAhead,
    freshBehind,
    liveAhead,
  };
}

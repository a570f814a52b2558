/**
 * A broker outage while events go to several topics (routes and the state
 * topic): every event arrives on its topic once the broker is back, each key
 * in seq order, nothing lost.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { Forwarder } from '../../src/producer/forwarder.ts';
import { createBrokerClient } from '../../src/producer/kafka-client.ts';
import { outputPlan } from '../../src/producer/output-plan.ts';
import { Backoff } from '../../src/system/backoff.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { type ConsumedRecord, consumeAll, ownBroker } from '../harness/kafka.ts';
import { until } from '../harness/wait.ts';

const ASSETS = ['asset-1', 'asset-2', 'asset-3'];
const PRIORITIES = ['critical', 'high', 'low'] as const;

/** Seqs per key in offset order; duplicates (at least once) are kept, so order is checked as written. */
function seqsByKey(records: readonly ConsumedRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const record of records) {
    const seq = (JSON.parse(record.value) as AlarmEvent).seq;
    byKey.set(record.key ?? '', [...(byKey.get(record.key ?? '') ?? []), seq]);
  }
  return byKey;
}

test('events routed to several topics wait out an outage and all arrive, each key in order', async () => {
  const broker = await ownBroker();
  const temp = tempDir('routed-outage-');
  const plan = outputPlan({
    topic: 'alarms',
    routes: [{ when: { priority: ['critical'] }, topic: 'alarms-critical' }],
    state_topic: 'alarms-state',
  });
  const outbox = new Outbox({ path: join(temp.dir, 'buffer.db'), shapeOf: plan.shapeOf });
  const forwarder = new Forwarder({
    outbox,
    client: createBrokerClient({
      brokers: [broker.brokers],
      clientId: 'routed-outage',
      idempotent: true,
      requestTimeoutMs: 3000,
      logger: createLogger('silent'),
    }),
    topics: plan.topics,
    recordsOf: plan.recordsOf,
    batchMaxEvents: 5,
    batchMaxBytes: 1_048_576,
    logger: createLogger('silent'),
    backoff: new Backoff({ initialMs: 100, maxMs: 1000 }),
  });
  const wave = (count: number) =>
    Array.from({ length: count }, (_, index) =>
      draft({
        asset: ASSETS[index % ASSETS.length] as string,
        condition_id: `site-a/area-1/line-1/${ASSETS[index % ASSETS.length]}/temperature/temp`,
        priority: PRIORITIES[index % PRIORITIES.length] as (typeof PRIORITIES)[number],
      }),
    );
  try {
    forwarder.start();
    outbox.commit([], wave(6));
    await until(() => outbox.stats().events === 0, 'the first wave delivered', 30_000);

    await broker.stop();
    for (let round = 0; round < 4; round += 1) outbox.commit([], wave(6));
    await until(() => !forwarder.stats.brokerUp, 'the forwarder to notice the outage', 30_000);
    assert.equal(outbox.stats().events, 24, 'everything waits in the buffer');

    await broker.restart();
    await until(() => outbox.stats().events === 0, 'the backlog delivered', 60_000);
  } finally {
    await forwarder.stop();
    outbox.close();
  }

  const critical = await consumeAll(broker.brokers, 'alarms-critical', { expected: 10, settleMs: 1000 });
  const rest = await consumeAll(broker.brokers, 'alarms', { expected: 20, settleMs: 1000 });
  const states = await consumeAll(broker.brokers, 'alarms-state', { expected: 30, settleMs: 1000 });
  const seqs = (records: readonly ConsumedRecord[]) =>
    [...new Set(records.map((record) => (JSON.parse(record.value) as AlarmEvent).seq))].sort((a, b) => a - b);
  const all = Array.from({ length: 30 }, (_, index) => index + 1);
  assert.deepEqual(
    seqs(critical),
    all.filter((seq) => (seq - 1) % 3 === 0),
  );
  assert.deepEqual(
    seqs(rest),
    all.filter((seq) => (seq - 1) % 3 !== 0),
  );
  assert.deepEqual(seqs(states), all);
  for (const records of [critical, rest, states]) {
    for (const [key, list] of seqsByKey(records)) {
      // A resent batch repeats a run of seqs; within each run, and overall after dedupe, seq grows.
      const deduped = list.filter((seq, index) => list.indexOf(seq) === index);
      assert.deepEqual(
        deduped,
        [...deduped].sort((a, b) => a - b),
        `order of ${key}`,
      );
    }
  }
  await broker.stop();
  temp.remove();
});

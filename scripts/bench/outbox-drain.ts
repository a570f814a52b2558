/**
 * How fast a backlog leaves the buffer: the real Forwarder and kafkajs client
 * drain a pre-filled outbox into a fresh topic. Outbox and client are wrapped
 * (not changed) to time where the drain spends its time.
 */

import { Outbox } from '../../src/buffer/outbox.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { Forwarder } from '../../src/producer/forwarder.ts';
import { type BrokerClient, createBrokerClient } from '../../src/producer/kafka-client.ts';
import { forwardingTo } from '../../src/producer/output-plan.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { topicSize, uniqueTopic } from '../../test/harness/kafka.ts';
import { fill } from './backlog.ts';
import { ownCpuSeconds } from './cpu.ts';
import { removeDatabase } from './outbox-commit.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface DrainPlan {
  brokers: string;
  path: string;
  events: number;
  batchMaxEvents: number;
  batchMaxBytes: number;
  logger: Logger;
  /** CPU time of the broker so far, when it can be known. */
  brokerCpuSeconds: () => number | undefined;
}

export interface DrainRun {
  events: number;
  payloadBytes: number;
  /** From Forwarder.start() to the delete of the last acknowledged batch. */
  seconds: number;
  batches: number;
  failures: number;
  /** Left in the outbox and found in the topic afterwards: the drain must be complete and exact. */
  leftInOutbox: number;
  inTopic: number;
  peekMs: number;
  sendMs: number;
  removeMs: number;
  /** CPU time during the drain: this process (forwarder, kafkajs, SQLite) and the broker JVM. */
  ownCpuSeconds: number;
  brokerCpuSeconds: number | undefined;
}

/** Adds the time each call takes to a counter. */
function timed<A extends unknown[], R>(fn: (...args: A) => R, add: (ms: number) => void): (...args: A) => R {
  return (...args) => {
    const started = performance.now();
    try {
      return fn(...args);
    } finally {
      add(performance.now() - started);
    }
  };
}

export async function measureDrain(plan: DrainPlan): Promise<DrainRun> {
  const topic = uniqueTopic('bench-drain');
  // Created up front so the timing holds the drain, not topic creation and leader election.
  await createBenchTopic(plan.brokers, topic, DEFAULTS.partitions);

  removeDatabase(plan.path);
  const filling = new Outbox({ path: plan.path, synchronous: 'normal', shapeOf: recordShape });
  fill(filling, plan.events);
  filling.close();

  const outbox = new Outbox({ path: plan.path, synchronous: 'full', shapeOf: recordShape });
  const { events, bytes } = outbox.stats();
  const spent = { peek: 0, send: 0, remove: 0 };
  let removed = 0;
  let finishedAt = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });

  outbox.peek = timed(outbox.peek.bind(outbox), (ms) => {
    spent.peek += ms;
  });
  const remove = timed(outbox.remove.bind(outbox), (ms) => {
    spent.remove += ms;
  });
  outbox.remove = (batch) => {
    remove(batch);
    removed += batch.length;
    if (removed >= events && finishedAt === 0) {
      finishedAt = performance.now();
      finished();
    }
  };

  const real = createBrokerClient({
    brokers: plan.brokers.split(','),
    clientId: 'gateway-bench',
    idempotent: true,
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    logger: plan.logger,
  });
  const client: BrokerClient = {
    ensureTopic: (spec) => real.ensureTopic(spec),
    async send(records) {
      const started = performance.now();
      try {
        await real.send(records);
      } finally {
        spent.send += performance.now() - started;
      }
    },
    reset: () => real.reset(),
    close: () => real.close(),
  };

  const forwarder = new Forwarder({
    outbox,
    client,
    ...forwardingTo(topic),
    batchMaxEvents: plan.batchMaxEvents,
    batchMaxBytes: plan.batchMaxBytes,
    logger: plan.logger,
  });
  const cpuBefore = { own: ownCpuSeconds(), broker: plan.brokerCpuSeconds() };
  const startedAt = performance.now();
  forwarder.start();
  const limit = setTimeout(() => finished(), 10 * 60_000);
  await done;
  const cpuAfter = { own: ownCpuSeconds(), broker: plan.brokerCpuSeconds() };
  clearTimeout(limit);
  await forwarder.stop();
  const leftInOutbox = outbox.stats().events;
  outbox.close();
  removeDatabase(plan.path);
  const inTopic = await topicSize(plan.brokers, topic);
  await deleteBenchTopic(plan.brokers, topic);

  return {
    events,
    payloadBytes: bytes,
    seconds: ((finishedAt || performance.now()) - startedAt) / 1000,
    batches: forwarder.stats.batches,
    failures: forwarder.stats.failures,
    leftInOutbox,
    inTopic,
    peekMs: spent.peek,
    sendMs: spent.send,
    removeMs: spent.remove,
    ownCpuSeconds: cpuAfter.own - cpuBefore.own,
    brokerCpuSeconds:
      cpuAfter.broker === undefined || cpuBefore.broker === undefined
        ? undefined
        : cpuAfter.broker - cpuBefore.broker,
  };
}

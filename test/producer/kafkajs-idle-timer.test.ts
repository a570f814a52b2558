/**
 * An idle Kafka connection must not keep the event loop busy: kafkajs's
 * request queue arms a 1 ms re-check after every answer unless the gateway's
 * fix is in place.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import '../../src/producer/kafkajs-idle-timer.ts';
import { sharedBrokers } from '../harness/kafka.ts';

/** Timers armed by kafkajs's request queue while `idle` runs. */
async function requestQueueTimers(idle: () => Promise<void>): Promise<number> {
  const original = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    if (new Error().stack?.includes('requestQueue')) armed += 1;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await idle();
  } finally {
    globalThis.setTimeout = original;
  }
  return armed;
}

test('an idle connection arms no request-queue timers between requests', async () => {
  const admin = new Kafka({
    clientId: 'idle-timer-test',
    brokers: [await sharedBrokers()],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.describeCluster();
    const armed = await requestQueueTimers(() => new Promise((resolve) => setTimeout(resolve, 300)));
    assert.ok(armed <= 2, `${armed} timers armed in 300 ms of idleness (a busy loop arms about 300)`);
    assert.ok((await admin.describeCluster()).brokers.length > 0, 'requests still work');
  } finally {
    await admin.disconnect();
  }
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Outbox } from '../../src/buffer/outbox.ts';
import { RecordsRejectedError } from '../../src/producer/broker-errors.ts';
import { Forwarder, type ForwarderOptions } from '../../src/producer/forwarder.ts';
import type { BrokerClient, OutgoingRecord, TopicSpec } from '../../src/producer/kafka-client.ts';
import { forwardingTo } from '../../src/producer/output-plan.ts';
import { recordShape } from '../../src/producer/record.ts';
import { Backoff } from '../../src/system/backoff.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { until } from '../harness/wait.ts';

/** A broker stand-in driven by the test: it fails while `down` is set and records what it acknowledged. */
class ScriptedBroker implements BrokerClient {
  down = false;
  /** Records whose message contains this are refused for good, as a broker refuses an oversized record. */
  poison = 'POISON';
  topicFailures = 0;
  sendDelayMs = 0;
  readonly acknowledged: { topic: string; records: OutgoingRecord[] }[] = [];
  readonly attempts: number[][] = [];
  resets = 0;
  closed = false;

  async ensureTopic(_spec: TopicSpec): Promise<void> {
    if (this.topicFailures > 0) {
      this.topicFailures -= 1;
      throw new Error('metadata request timed out');
    }
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    this.attempts.push(records.map((record) => (JSON.parse(String(record.value)) as { seq: number }).seq));
    if (this.sendDelayMs) await new Promise((resolve) => setTimeout(resolve, this.sendDelayMs));
    if (this.down) throw new Error('connection refused');
    if (records.some((record) => String(record.value).includes(this.poison))) {
      throw new RecordsRejectedError(
        'too_large',
        'MESSAGE_TOO_LARGE',
        'The request included a message larger than the max message size the server will accept',
      );
    }
    this.acknowledged.push({ topic: records[0]?.topic ?? '', records: [...records] });
  }

  async reset(): Promise<void> {
    this.resets += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  seqs(): number[] {
    return this.acknowledged.flatMap((batch) =>
      batch.records.map((r) => (JSON.parse(String(r.value)) as { seq: number }).seq),
    );
  }
}

/** Batches of two, fast backoff, and an idle poll long enough that a test finishing in time proves the commit signal woke the forwarder. */
function forwarderOf(outbox: Outbox, options: Partial<ForwarderOptions> = {}): Forwarder {
  return new Forwarder({
    outbox,
    client: broker,
    ...forwardingTo('alarms'),
    batchMaxEvents: 2,
    batchMaxBytes: 1e6,
    logger: createLogger('silent'),
    backoff: new Backoff({ initialMs: 5, maxMs: 20 }),
    idlePollMs: 60_000,
    ...options,
  });
}

let broker: ScriptedBroker;

describe('Forwarder', () => {
  let temp: ReturnType<typeof tempDir>;
  let outbox: Outbox;
  let forwarder: Forwarder;

  beforeEach(() => {
    temp = tempDir();
    outbox = new Outbox({ path: join(temp.dir, 'buffer.db'), shapeOf: recordShape });
    broker = new ScriptedBroker();
    forwarder = forwarderOf(outbox);
  });

  afterEach(async () => {
    await forwarder.stop();
    outbox.close();
    temp.remove();
  });

  test('sends the backlog oldest first in bounded batches and deletes only what was acknowledged', async () => {
    outbox.commit([], [draft(), draft(), draft(), draft(), draft()]);
    forwarder.start();
    await until(() => outbox.stats().events === 0);
    assert.deepEqual(broker.seqs(), [1, 2, 3, 4, 5]);
    assert.deepEqual(
      broker.acknowledged.map((batch) => batch.records.length),
      [2, 2, 1],
    );
    assert.equal(broker.acknowledged[0]?.topic, 'alarms');
    assert.equal(broker.acknowledged[0]?.records[0]?.key, 'site-a/area-1/line-1/asset-1');
    assert.equal(forwarder.stats.delivered, 5);
  });

  test('while the broker is down the batch stays in the buffer and is retried as it is, so order holds', async () => {
    broker.down = true;
    outbox.commit([], [draft(), draft(), draft()]);
    forwarder.start();
    await until(() => broker.attempts.length >= 3);
    assert.equal(outbox.stats().events, 3);
    assert.ok(broker.attempts.every((attempt) => attempt.join() === '1,2'));
    assert.ok(broker.resets >= 3, 'the client is reset after each failure');
    assert.equal(forwarder.stats.brokerUp, false);

    outbox.commit([], [draft()]);
    broker.down = false;
    await until(() => outbox.stats().events === 0);
    assert.deepEqual(broker.seqs(), [1, 2, 3, 4]);
    assert.equal(forwarder.stats.brokerUp, true);
  });

  test('retries topic creation until the broker answers', async () => {
    broker.topicFailures = 3;
    outbox.commit([], [draft()]);
    forwarder.start();
    await until(() => outbox.stats().events === 0);
    assert.deepEqual(broker.seqs(), [1]);
  });

  test('wakes up on a commit instead of waiting for the idle poll', async () => {
    forwarder.start();
    await until(() => forwarder.stats.brokerUp);
    outbox.commit([], [draft()]);
    await until(() => outbox.stats().events === 0);
  });

  test('stop lets the batch in flight finish and be deleted, then closes the client', async () => {
    broker.sendDelayMs = 100;
    outbox.commit([], [draft()]);
    forwarder.start();
    await until(() => broker.attempts.length === 1);
    await forwarder.stop();
    assert.deepEqual(broker.seqs(), [1]);
    assert.equal(outbox.stats().events, 0);
    assert.equal(broker.closed, true);
  });

  test('a record the broker refuses for good goes to the dead letters; the rest of its batch and the backlog go on, in order', async () => {
    outbox.commit([], [draft(), draft({ message: 'POISON' }), draft(), draft()]);
    forwarder.start();
    await until(() => outbox.stats().events === 0);
    assert.deepEqual(broker.seqs(), [1, 3, 4]);
    assert.equal(forwarder.stats.deadLettered, 1);
    const [dead] = outbox.deadLetters();
    assert.equal(dead?.seq, 2);
    assert.match(dead?.reason ?? '', /MESSAGE_TOO_LARGE \(too_large\)/);
    assert.equal(outbox.stats().deadLetters, 1);
  });

  test('requeued dead letters are sent again once the broker accepts them', async () => {
    outbox.commit([], [draft({ message: 'POISON' }), draft()]);
    forwarder.start();
    await until(() => outbox.stats().events === 0 && outbox.stats().deadLetters === 1);
    broker.poison = 'nothing is refused now';
    assert.equal(outbox.requeue(), 1);
    await until(() => outbox.stats().events === 0 && outbox.stats().deadLetters === 0);
    assert.deepEqual(broker.seqs(), [2, 1]);
  });

  test('while a backlog drains, a fresh event of a key with nothing older waiting goes ahead; keys stay in order', async () => {
    await forwarder.stop();
    let clock = 0;
    outbox.close();
    outbox = new Outbox({
      path: join(temp.dir, 'live.db'),
      shapeOf: recordShape,
      now: () => clock,
      liveWindowMs: 1000,
    });
    forwarder = forwarderOf(outbox);
    outbox.commit(
      [],
      Array.from({ length: 10 }, () => draft({ asset: 'backlog' })),
    );
    clock = 60_000;
    outbox.commit([], [draft({ asset: 'backlog' }), draft({ asset: 'fresh' })]);
    forwarder.start();
    await until(() => outbox.stats().events === 0);
    const order = broker.seqs();
    assert.ok(
      order.indexOf(12) < order.indexOf(5),
      `the fresh event (12) went ahead of the backlog: ${order}`,
    );
    const backlog = order.filter((seq) => seq !== 12);
    assert.deepEqual(
      backlog,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      'the backlog key kept its order, 11 included',
    );
    assert.equal(forwarder.stats.liveAhead, 1);
  });

  test('a drain rate limit spaces the backlog out', async () => {
    await forwarder.stop();
    forwarder = forwarderOf(outbox, { drainMaxEventsPerSecond: 40 });
    outbox.commit(
      [],
      Array.from({ length: 8 }, () => draft()),
    );
    const started = Date.now();
    forwarder.start();
    await until(() => outbox.stats().events === 0);
    // Four batches of 2 at 40 events/s: at least three pauses of 50 ms between them.
    assert.ok(Date.now() - started >= 150, `${Date.now() - started} ms`);
  });
});

/**
 * The test broker works with kafkajs the way the gateway uses it: idempotent
 * producer, acks from all in-sync replicas, keys and headers, topics created by
 * the client. Doubles as the check that kafkajs 2.2.4 still speaks a protocol
 * version Kafka 4 accepts, since Kafka 4 dropped many old ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Partitioners, type Producer } from 'kafkajs';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import {
  type ConsumedRecord,
  consumeAll,
  createTopic,
  kafkaClient,
  ownBroker,
  sharedBrokers,
  topicSize,
  uniqueTopic,
} from './kafka.ts';

const KEYS = ['site-a/asset-1', 'site-a/asset-2', 'site-b/asset-7', 'site-c/asset-3', 'site-c/asset-9'];

function gatewayProducer(brokers: string): Producer {
  return kafkaClient(brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Writes records seq = from .. to-1 in batches of ten, as the gateway's forwarder would. */
async function produce(brokers: string, topic: string, to: number, from = 0): Promise<void> {
  const producer = gatewayProducer(brokers);
  await producer.connect();
  try {
    for (let first = from; first < to; first += 10) {
      const messages = [];
      for (let seq = first; seq < Math.min(to, first + 10); seq += 1) {
        messages.push({
          key: KEYS[seq % KEYS.length],
          value: JSON.stringify({ seq }),
          headers: { event_id: `event-${seq}`, schema: 'alarm-event/1' },
        });
      }
      const results = await producer.send({ topic, acks: -1, messages });
      for (const result of results) assert.equal(result.errorCode, 0);
    }
  } finally {
    await producer.disconnect();
  }
}

function seqOf(record: ConsumedRecord): number {
  return (JSON.parse(record.value) as { seq: number }).seq;
}

/** Every record written, exactly once, with its headers, and in write order per key. */
function assertComplete(records: ConsumedRecord[], count: number): void {
  assert.deepEqual(
    records.map(seqOf).sort((a, b) => a - b),
    Array.from({ length: count }, (_, seq) => seq),
  );
  const byKey = new Map<string, ConsumedRecord[]>();
  for (const record of records) {
    const seq = seqOf(record);
    assert.equal(record.key, KEYS[seq % KEYS.length]);
    assert.deepEqual(record.headers, { event_id: `event-${seq}`, schema: 'alarm-event/1' });
    const list = byKey.get(record.key ?? '') ?? [];
    list.push(record);
    byKey.set(record.key ?? '', list);
  }
  for (const [key, list] of byKey) {
    assert.equal(new Set(list.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
    const seqs = list.map(seqOf);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      `${key} is read back in write order`,
    );
  }
}

function rssMb(pid: number | undefined): string {
  if (pid === undefined) return 'unknown';
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? `${Math.round(Number(line[1]) / 1024)} MB` : 'unknown';
}

describe('kafka broker integration', { timeout: 180_000 }, () => {
  let brokers: string;

  before(async () => {
    brokers = await sharedBrokers();
  });

  test('idempotent acks=all produce reads back keys, headers and per-key order', async () => {
    const topic = uniqueTopic('harness');
    await createTopic(brokers, topic, 3);

    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(metadata.topics[0]?.partitions.length, 3);
    } finally {
      await admin.disconnect();
    }

    await produce(brokers, topic, 50);
    assert.equal(await topicSize(brokers, topic), 50);
    const records = await consumeAll(brokers, topic, { expected: 50, timeoutMs: 30_000, settleMs: 500 });
    assert.equal(records.length, 50, 'nothing was written twice');
    assertComplete(records, 50);
    assert.ok(new Set(records.map((r) => r.partition)).size > 1, 'keys spread over the partitions');
  });

  test('a consumer group commits offsets that the admin API reads back', async () => {
    const topic = uniqueTopic('harness-group');
    await createTopic(brokers, topic, 3);
    await produce(brokers, topic, 12);

    const groupId = `${topic}-group`;
    const consumer = kafkaClient(brokers).consumer({ groupId, maxWaitTimeInMs: 250 });
    await consumer.connect();
    let seen = 0;
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async () => {
              seen += 1;
              if (seen === 12) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.commitOffsets([]);
    } finally {
      await consumer.disconnect();
    }

    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
      assert.equal(committed, 12);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('kafka broker restart integration', { timeout: 240_000 }, () => {
  let broker: KafkaBroker;

  before(async () => {
    broker = await ownBroker();
  });

  after(async () => {
    await broker?.stop();
  });

  test('stop then restart on the same port keeps topics and data', async (t) => {
    const topic = uniqueTopic('harness-restart');
    await createTopic(broker.brokers, topic, 3);
    await produce(broker.brokers, topic, 20);
    t.diagnostic(`broker JVM RSS after producing: ${rssMb(broker.pid)}`);

    const address = broker.brokers;
    await broker.stop();
    assert.equal(broker.running, false);
    const started = Date.now();
    await broker.restart();
    t.diagnostic(`restart after clean stop ready in ${Date.now() - started} ms`);
    assert.equal(broker.brokers, address);

    const admin = kafkaClient(broker.brokers).admin();
    await admin.connect();
    try {
      assert.ok((await admin.listTopics()).includes(topic));
    } finally {
      await admin.disconnect();
    }
    assertComplete(await consumeAll(broker.brokers, topic, { expected: 20, settleMs: 300 }), 20);
  });

  test('after SIGKILL the broker recovers its log and accepts more writes', async (t) => {
    const topic = uniqueTopic('harness-kill');
    await createTopic(broker.brokers, topic, 3);
    await produce(broker.brokers, topic, 10);

    await broker.kill();
    const started = Date.now();
    await broker.restart();
    t.diagnostic(`restart after SIGKILL ready in ${Date.now() - started} ms`);

    await produce(broker.brokers, topic, 20, 10);
    assertComplete(await consumeAll(broker.brokers, topic, { expected: 20, settleMs: 300 }), 20);
  });
});

/**
 * What leaves the gateway, with real parts: the outbox, the forwarder, the
 * kafkajs client and a real broker. Routing rules, the compacted state topic,
 * Protobuf decoded with the published .proto, and every compression codec
 * read back by kafkajs and by the Kafka Java client.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { AlarmEvent, AlarmEventDraft, AlarmStateFlags } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import type { Compression, KafkaSettings } from '../../src/config/schema.ts';
import { Forwarder } from '../../src/producer/forwarder.ts';
import { createBrokerClient } from '../../src/producer/kafka-client.ts';
import { outputPlan } from '../../src/producer/output-plan.ts';
import { decodeEvent } from '../../src/producer/protobuf-event.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { readWithJava } from '../harness/java-reader.ts';
import {
  type ConsumedRecord,
  consumeAll,
  kafkaClient,
  sharedBrokers,
  uniqueTopic,
} from '../harness/kafka.ts';
import { until } from '../harness/wait.ts';

const PROTO_FILE = fileURLToPath(new URL('../../proto/iiot/alarm/v1/alarm.proto', import.meta.url));

let brokers: string;

/** Commits the drafts to a fresh outbox and lets a forwarder built from `kafka` deliver them all. */
async function forwardThrough(
  kafka: KafkaSettings,
  drafts: readonly AlarmEventDraft[],
): Promise<AlarmEvent[]> {
  const temp = tempDir('output-');
  const plan = outputPlan(kafka);
  const outbox = new Outbox({ path: join(temp.dir, 'buffer.db'), shapeOf: plan.shapeOf });
  const forwarder = new Forwarder({
    outbox,
    client: createBrokerClient({
      brokers: brokers.split(','),
      clientId: 'output-test',
      idempotent: true,
      requestTimeoutMs: 10_000,
      logger: createLogger('silent'),
      compression: plan.compression,
    }),
    topics: plan.topics,
    recordsOf: plan.recordsOf,
    batchMaxEvents: 4,
    batchMaxBytes: 1_048_576,
    logger: createLogger('silent'),
  });
  try {
    const committed = outbox.commit([], drafts);
    forwarder.start();
    await until(() => outbox.stats().events === 0, 'the outbox to drain', 30_000);
    return committed;
  } finally {
    await forwarder.stop();
    outbox.close();
    temp.remove();
  }
}

function seqsOf(records: readonly ConsumedRecord[]): number[] {
  return records.map((record) => (JSON.parse(record.value) as AlarmEvent).seq).sort((a, b) => a - b);
}

const FLAGS: AlarmStateFlags = {
  active: false,
  acked: true,
  latched: false,
  shelved: false,
  suppressed: false,
  out_of_service: false,
};

before(async () => {
  brokers = await sharedBrokers();
});

describe('routing rules', () => {
  test('the first matching route chooses the topic; system events route too; the rest go to the default topic', async () => {
    const [critical, system, areaTwo, fallback] = ['critical', 'system', 'area2', 'default'].map((name) =>
      uniqueTopic(`route-${name}`),
    ) as [string, string, string, string];
    const committed = await forwardThrough(
      {
        topic: fallback,
        routes: [
          { when: { priority: ['critical'] }, topic: critical },
          { when: { kind: ['system'] }, topic: system },
          { when: { area: ['area-2'], priority: ['critical', 'high'] }, topic: areaTwo },
        ],
      },
      [
        draft({ priority: 'critical', area: 'area-2' }),
        draft({ kind: 'system', transition: 'events_dropped', priority: 'high' }),
        draft({ priority: 'high', area: 'area-2', asset: 'asset-2' }),
        draft({ priority: 'low', area: 'area-2' }),
        draft({ priority: 'medium' }),
        draft({ priority: 'critical', transition: 'clear' }),
        draft({ priority: 'high', area: 'area-2', asset: 'asset-2', transition: 'clear' }),
      ],
    );
    assert.deepEqual(
      committed.map((event) => event.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(seqsOf(await consumeAll(brokers, critical, { expected: 2 })), [1, 6]);
    assert.deepEqual(seqsOf(await consumeAll(brokers, system, { expected: 1 })), [2]);
    const second = await consumeAll(brokers, areaTwo, { expected: 2 });
    assert.deepEqual(seqsOf(second), [3, 7]);
    assert.deepEqual(
      second.map((record) => [record.key, (JSON.parse(record.value) as AlarmEvent).transition]),
      [
        ['site-a/area-2/line-1/asset-2', 'raise'],
        ['site-a/area-2/line-1/asset-2', 'clear'],
      ],
      'one key, one partition, in order',
    );
    assert.deepEqual(seqsOf(await consumeAll(brokers, fallback, { expected: 2, settleMs: 500 })), [4, 5]);
  });

  test('the key strategy sets the record key', async () => {
    const topic = uniqueTopic('keys');
    await forwardThrough({ topic, key: 'line' }, [draft(), draft({ line: 'line-9' })]);
    const records = await consumeAll(brokers, topic, { expected: 2 });
    assert.deepEqual(records.map((record) => record.key).sort(), [
      'site-a/area-1/line-1',
      'site-a/area-1/line-9',
    ]);
  });
});

describe('the active-alarm state topic', () => {
  test('holds the latest state of each alarm and a tombstone once it is back to normal and acknowledged', async () => {
    const topic = uniqueTopic('events');
    const stateTopic = uniqueTopic('state');
    const first = 'site-a/area-1/line-1/asset-1/temperature/temp';
    const second = 'site-a/area-1/line-1/asset-1/pressure/high';
    await forwardThrough({ topic, state_topic: stateTopic }, [
      draft({ transition: 'raise', state: { ...FLAGS, active: true, acked: false } }),
      draft({ transition: 'ack', state: { ...FLAGS, active: true } }),
      draft({ condition_id: second, transition: 'raise', state: { ...FLAGS, active: true, acked: false } }),
      draft({ transition: 'clear', state: FLAGS }),
      // Cleared but never acknowledged: still an alarm for the operator.
      draft({ condition_id: second, transition: 'clear', state: { ...FLAGS, acked: false } }),
      draft({
        kind: 'system',
        transition: 'events_dropped',
        condition_id: 'site-a/_gateway/_gateway/gw/buffer/x',
      }),
    ]);
    const records = await consumeAll(brokers, stateTopic, { expected: 5, settleMs: 500 });
    const byKey = (key: string) => records.filter((record) => record.key === key);
    assert.deepEqual(
      byKey(first).map((record) => (record.raw === null ? 'tombstone' : JSON.parse(record.value).transition)),
      ['raise', 'ack', 'tombstone'],
    );
    assert.deepEqual(
      byKey(second).map((record) =>
        record.raw === null ? 'tombstone' : JSON.parse(record.value).transition,
      ),
      ['raise', 'clear'],
    );
    assert.equal(records.length, 5, 'no system event on the state topic');
    assert.equal(await consumeAll(brokers, topic, { expected: 6 }).then((all) => all.length), 6);

    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: stateTopic, configNames: ['cleanup.policy'] }],
      });
      assert.equal(resources[0]?.configEntries[0]?.configValue, 'compact');
    } finally {
      await admin.disconnect();
    }
  });
});

describe('Protobuf', () => {
  test('records decode with the published .proto to exactly the events the gateway committed', async () => {
    const topic = uniqueTopic('proto');
    const stateTopic = uniqueTopic('proto-state');
    const committed = await forwardThrough({ topic, encoding: 'protobuf', state_topic: stateTopic }, [
      draft({ reason: { rule: 'temp', text: 'x', samples: [{ value: 81, quality: 'good', time: 't' }] } }),
      draft({ value: true, unit: undefined, transition: 'ack', state: { ...FLAGS, active: true } }),
      draft({ value: null, transition: 'clear', state: FLAGS }),
    ]);
    const records = await consumeAll(brokers, topic, { expected: 3 });
    assert.ok(records.every((record) => record.headers['content-type'] === 'application/x-protobuf'));
    const decoded = records
      .map((record) => decodeEvent(record.raw as Buffer))
      .sort((a, b) => Number(a.seq) - Number(b.seq));
    assert.deepEqual(decoded, JSON.parse(JSON.stringify(committed)));

    // A consumer with nothing but the .proto file reads the same fields.
    const AlarmEvent = (await protobuf.load(PROTO_FILE)).lookupType('iiot.alarm.v1.AlarmEvent');
    const plain = AlarmEvent.toObject(AlarmEvent.decode(records[0]?.raw as Buffer), { longs: Number });
    assert.equal(plain.eventId, committed.find((event) => event.seq === plain.seq)?.event_id);

    const states = await consumeAll(brokers, stateTopic, { expected: 3 });
    assert.deepEqual(
      states.map((record) => (record.raw === null ? null : decodeEvent(record.raw).transition)),
      ['raise', 'ack', null],
    );
  });
});

describe('compression', () => {
  const codecs: Compression[] = ['gzip', 'lz4', 'zstd', 'snappy'];
  test('every codec: records produced with it read back in kafkajs and in the Kafka Java client', async () => {
    const topics: string[] = [];
    const events = 40;
    for (const compression of codecs) {
      const topic = uniqueTopic(`codec-${compression}`);
      topics.push(topic);
      const drafts = Array.from({ length: events }, (_, index) =>
        draft({ message: `message ${index} `.repeat(50) }),
      );
      const committed = await forwardThrough({ topic, compression }, drafts);
      const records = await consumeAll(brokers, topic, { expected: events });
      assert.deepEqual(
        records.map((record) => JSON.parse(record.value) as AlarmEvent).sort((a, b) => a.seq - b.seq),
        committed,
        compression,
      );
    }
    const read = await readWithJava(brokers, topics, events * codecs.length);
    for (const topic of topics) {
      assert.equal(read.filter((record) => record.topic === topic).length, events, `Java reads ${topic}`);
    }
  });
});

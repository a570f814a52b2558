/**
 * The broker that leads the gateway's partitions dies while the plant keeps
 * changing: the controller moves leadership to the surviving replica, the
 * gateway finds the new leader, and every event arrives, in order per key,
 * none lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { consumeAll, kafkaClient, ownCluster } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const topic = 'alarms-leader-change';
// As many as the test site asks for, so the gateway finds its topic as expected.
const PARTITIONS = 3;

/** Node 2 leads every partition, node 1 follows; one in-sync replica is enough to write. */
async function createTopicLedBy2(brokers: string): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          replicaAssignment: Array.from({ length: PARTITIONS }, (_, partition) => ({
            partition,
            replicas: [2, 1],
          })),
          configEntries: [{ name: 'min.insync.replicas', value: '1' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** The leader of each partition, as the given brokers see it now. */
async function leaders(brokers: string): Promise<number[]> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    return partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
  } finally {
    await admin.disconnect();
  }
}

describe('partition leadership change', () => {
  let node1: KafkaBroker;
  let node2: KafkaBroker;
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;

  before(async () => {
    const cluster = await ownCluster();
    [node1, node2] = cluster.nodes;
    brokers = cluster.brokers;
    await createTopicLedBy2(brokers);
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
    gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    await node2?.stop();
    await node1?.stop();
    temp?.remove();
  });

  /** One transition per call, alternating between two keys, each waited for until committed. */
  let step = 0;
  async function drive(): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    step += 1;
    if (step % 2 === 1) plant.press.set('guard_open', step % 4 === 1);
    else plant.pump.set('flow', step % 4 === 2 ? 3 : 20);
    await until(() => gateway.status().buffer.lastSeq > before, 'the transition to be committed');
  }

  test('the leader is killed mid-stream; node 1 takes over and every event arrives in order', async () => {
    assert.deepEqual(await leaders(brokers), [2, 2, 2], 'node 2 leads every partition at first');
    for (let i = 0; i < 6; i++) await drive();
    await until(
      () => gateway.status().producer.delivered >= 6,
      'the first events delivered to node 2',
      30_000,
    );

    // Events keep coming while the leader dies and until the controller has
    // fenced it and elected node 1: 6 s outlasts the 4 s broker session
    // timeout of the test brokers (scripts/kafka/server-properties.ts).
    const killed = node2.kill();
    for (let i = 0; i < 6; i++) await drive();
    await killed;
    const handover = Date.now();
    while (Date.now() - handover < 6000) {
      await drive();
      await sleep(250);
    }
    await until(
      async () => (await leaders(node1.brokers)).every((leader) => leader === 1),
      'node 1 to lead every partition',
      30_000,
    );
    for (let i = 0; i < 4; i++) await drive();

    const total = gateway.status().buffer.lastSeq;
    assert.ok(gateway.status().producer.failures > 0, 'sends to the dead leader failed at first');
    await until(() => gateway.status().buffer.events === 0, 'the backlog delivered', 40_000);

    // Read from the survivor alone: node 2 is still down. The buffer is empty,
    // so whatever is missing by now was lost, not late.
    const records = await consumeAll(node1.brokers, topic, {
      expected: total,
      timeoutMs: 10_000,
      settleMs: 500,
    });
    const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
    assert.deepEqual(
      [...new Set(events.map((event) => event.seq))].sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i + 1),
      'every seq arrived',
    );

    // A retried batch may be written twice; the first copy of each event fixes its place.
    const seen = new Set<string>();
    const byKey = new Map<string, number[]>();
    records.forEach((record, i) => {
      const event = events[i] as AlarmEvent;
      if (seen.has(event.event_id)) return;
      seen.add(event.event_id);
      const key = record.key ?? '';
      byKey.set(key, [...(byKey.get(key) ?? []), event.seq]);
    });
    assert.ok(byKey.size >= 2, 'events of more than one key');
    for (const [key, seqs] of byKey) {
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key} in order`,
      );
    }
  });
});

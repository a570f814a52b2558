/**
 * The key → partition mapping is pinned: values computed once with the Kafka
 * Java client's own partitioner (Utils.toPositive(Utils.murmur2(key)) %
 * partitions, kafka-clients 4.1.1), so a change of client library or of
 * kafkajs's partitioner can never silently move an asset's alarms to another
 * partition. The broker check proves records really land there.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createBrokerClient, partitionOf } from '../../src/producer/kafka-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { consumeAll, createTopic, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { until } from '../harness/wait.ts';

const PARTITION_COUNTS = [1, 3, 6, 12, 32] as const;

/** key, then its partition for each of PARTITION_COUNTS, from the Java client. */
const GOLDEN: readonly [string, readonly number[]][] = [
  ['plant1/area1/line1/pump1', [0, 0, 0, 6, 6]],
  ['plant1/area1/line1/pump2', [0, 1, 1, 7, 19]],
  ['plant1/area2/line3/mixer', [0, 0, 3, 3, 11]],
  ['plant1/area1/line1', [0, 1, 1, 1, 9]],
  ['plant1', [0, 2, 5, 11, 3]],
  ['plant1/area1/line1/pump1/pressure/high', [0, 2, 2, 8, 4]],
  ['plant1/_gateway/_gateway/gw-01', [0, 0, 0, 0, 8]],
  ['', [0, 0, 3, 9, 25]],
  ['north-works/utilities/boilers/boiler-7', [0, 1, 4, 10, 26]],
  ['werk-süd/halle 2/linie-ä/förderband', [0, 2, 2, 8, 28]],
];

describe('key to partition: the Java-compatible murmur2 partitioner', () => {
  test('every key of the golden table lands where the Java client puts it', () => {
    for (const [key, partitions] of GOLDEN) {
      PARTITION_COUNTS.forEach((count, index) => {
        assert.equal(partitionOf(key, count), partitions[index], `${JSON.stringify(key)} among ${count}`);
      });
    }
  });

  describe('on the broker', () => {
    let brokers: string;
    before(async () => {
      brokers = await sharedBrokers();
    });

    for (const [index, count] of PARTITION_COUNTS.entries()) {
      if (count === 1) continue;
      test(`records land on the golden partitions of a topic with ${count} partitions`, async () => {
        const topic = uniqueTopic('partitions');
        await createTopic(brokers, topic, count);
        const client = createBrokerClient({
          brokers: brokers.split(','),
          clientId: 'partition-test',
          idempotent: true,
          requestTimeoutMs: 10_000,
          logger: createLogger('silent'),
        });
        const records = GOLDEN.map(([key]) => ({ topic, key, value: key, headers: {} }));
        try {
          // Leadership of a fresh topic's many partitions may still be settling: retry like the forwarder does.
          await until(
            () =>
              client.send(records).then(
                () => true,
                () => client.reset().then(() => false),
              ),
            'the records acknowledged',
            30_000,
            200,
          );
        } finally {
          await client.close();
        }
        const consumed = await consumeAll(brokers, topic, { expected: GOLDEN.length });
        const landed = new Map(consumed.map((record) => [record.key, record.partition]));
        for (const [key, partitions] of GOLDEN) {
          assert.equal(landed.get(key), partitions[index], `${JSON.stringify(key)} among ${count}`);
        }
      });
    }
  });
});

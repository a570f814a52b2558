/**
 * The topic disappears while the gateway runs (deleted by an operator, or a
 * broker that lost it): the gateway creates it again and delivers, instead of
 * retrying blind for ever or relying on broker auto-creation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { consumeAll, kafkaClient, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

describe('topic deleted under the gateway', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  const topic = uniqueTopic('alarms-vanishing');

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  test('is created again and the events go on arriving', async () => {
    const gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
    try {
      plant.press.set('guard_open', true);
      await until(() => gateway.status().producer.delivered === 1, 'the first event delivered', 30_000);
      const admin = kafkaClient(brokers).admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: [topic] });
        await until(async () => !(await admin.listTopics()).includes(topic), 'the topic to be gone', 30_000);
      } finally {
        await admin.disconnect();
      }
      plant.press.set('guard_open', false);
      await until(() => gateway.status().producer.delivered === 2, 'the next event delivered', 60_000);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(brokers, topic, { expected: 1, settleMs: 300 });
    const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
    assert.deepEqual(
      events.map((event) => `${event.seq} ${event.transition}`),
      ['2 clear'],
      'the recreated topic holds what came after',
    );
  });
});

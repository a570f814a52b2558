/**
 * A record the real broker will never take (larger than its message.max.bytes)
 * is set aside in the dead-letter table with the broker's reason; the events
 * around it are delivered, in order, and nothing waits behind it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { Gateway } from '../../src/gateway.ts';
import { recordShape } from '../../src/producer/record.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { consumeAll, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

describe('dead letters against a real broker', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  const topic = uniqueTopic('alarms-dlq');

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
    const outbox = new Outbox({ path: join(temp.dir, 'state', 'buffer.db'), shapeOf: recordShape });
    const site = { gateway_id: plant.site.gateway.id, site: plant.site.site };
    outbox.commit(
      [],
      [
        draft(site),
        draft(site),
        // Over the broker's default message.max.bytes (1 MiB): refused with MESSAGE_TOO_LARGE.
        draft({ ...site, message: 'x'.repeat(1_200_000) }),
        draft(site),
      ],
    );
    outbox.close();
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  test('the oversized record is dead-lettered with the reason; the others arrive in order', async () => {
    const gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
    try {
      await until(
        () => gateway.status().buffer.events === 0 && gateway.status().buffer.deadLetters === 1,
        'the outbox to drain with one dead letter',
        60_000,
      );
      assert.equal(gateway.status().producer.deadLettered, 1);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(brokers, topic, { expected: 3, settleMs: 500 });
    assert.deepEqual(
      records.map((record) => (JSON.parse(record.value) as AlarmEvent).seq),
      [1, 2, 4],
    );
    const outbox = new Outbox({ path: join(temp.dir, 'state', 'buffer.db'), shapeOf: recordShape });
    const [dead] = outbox.deadLetters();
    outbox.close();
    assert.equal(dead?.seq, 3);
    assert.match(dead?.reason ?? '', /^MESSAGE_TOO_LARGE \(too_large\)/);
  });
});

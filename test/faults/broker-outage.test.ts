/**
 * The broker goes away while the plant keeps changing: the gateway keeps
 * polling, the buffer absorbs every event, and when the broker returns all of
 * them arrive, in order per key, none lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { consumeAll, ownBroker } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

describe('broker outage', () => {
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;
  const topic = 'alarms-outage';

  before(async () => {
    broker = await ownBroker();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers: broker.brokers, topic });
    gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    await broker?.stop();
    temp?.remove();
  });

  async function drive(action: () => void): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    action();
    await until(() => gateway.status().buffer.lastSeq > before, 'the transition to be committed');
  }

  test('events raised while the broker is down are buffered and all delivered, in order, when it returns', async () => {
    await drive(() => plant.press.set('oil_temperature', 85));
    await until(() => gateway.status().producer.delivered === 1, 'first event delivered', 30_000);

    await broker.stop();
    const pollsBefore = gateway.status().devices[0]?.polls ?? 0;
    await drive(() => plant.press.set('oil_temperature', 95));
    await drive(() => plant.pump.set('flow', 3));
    await drive(() => plant.press.set('guard_open', true));
    await drive(() => plant.press.set('oil_temperature', 70));
    await drive(() => plant.pump.set('flow', 20));
    await drive(() => plant.press.set('guard_open', false));
    await until(() => !gateway.status().producer.brokerUp, 'the forwarder to notice the outage', 30_000);
    const down = gateway.status();
    assert.equal(down.buffer.events, 6, 'all six events wait in the buffer');
    assert.ok((down.devices[0]?.polls ?? 0) > pollsBefore, 'polling went on');

    await broker.restart();
    await until(() => gateway.status().buffer.events === 0, 'backlog drained', 60_000);

    const records = await consumeAll(broker.brokers, topic, { expected: 7, timeoutMs: 30_000 });
    const events = records.map((r) => JSON.parse(r.value) as AlarmEvent);
    assert.deepEqual(
      [...new Set(events.map((e) => e.seq))].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7],
      'every seq arrived',
    );
    const byKey = new Map<string, typeof records>();
    for (const record of records)
      byKey.set(record.key ?? '', [...(byKey.get(record.key ?? '') ?? []), record]);
    for (const [key, list] of byKey) {
      const seqs = list
        .sort((a, b) => Number(a.offset) - Number(b.offset))
        .map((r) => (JSON.parse(r.value) as AlarmEvent).seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key} in order`,
      );
    }
  });
});

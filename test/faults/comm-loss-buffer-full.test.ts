/**
 * A device is lost exactly while the buffer refuses new events (when_full:
 * block, the broker down): the communication alarm is not lost with the
 * refused commit, it is asked for again and arrives once the backlog drains.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { droppedEventsDraft } from '../../src/alarms/system-event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { Gateway } from '../../src/gateway.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { GatewayError } from '../../src/system/errors.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { consumeAll, ownBroker } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const MAX_BYTES = 65_536;

/** Fills the gateway's buffer file up to its bound, as a long outage would. */
function fillBuffer(path: string, identity: { gatewayId: string; site: string }): number {
  const outbox = new Outbox({
    path,
    shapeOf: recordShape,
    bounded: {
      bounds: { maxBytes: MAX_BYTES, maxAgeMs: undefined, whenFull: 'block', diskReserveBytes: 0 },
      report: (tally, now) => droppedEventsDraft(identity, tally, 'block', now, () => 'drop-report'),
    },
  });
  let committed = 0;
  try {
    for (;;) {
      outbox.commit([], [draft({ gateway_id: identity.gatewayId, site: identity.site })]);
      committed += 1;
    }
  } catch (error) {
    assert.equal((error as GatewayError).code, 'BUFFER_FULL');
  } finally {
    outbox.close();
  }
  return committed;
}

describe('device lost while the buffer is full', () => {
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway | undefined;
  const topic = 'alarms-comm-full';

  before(async () => {
    broker = await ownBroker();
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: broker.brokers,
      topic,
      customize: (site) => ({
        ...site,
        gateway: { ...site.gateway, buffer: { max_bytes: MAX_BYTES, when_full: 'block' } },
      }),
    });
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    await broker?.stop();
    temp?.remove();
  });

  test('the comm-loss raise refused by the full buffer arrives after the backlog drains', async () => {
    const { site } = plant;
    const backlog = fillBuffer(join(temp.dir, 'state', 'buffer.db'), {
      gatewayId: site.gateway.id,
      site: site.site,
    });
    await broker.stop();
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    const started = gateway;
    await until(() => started.status().devices.every((device) => device.polls > 0), 'first polls');

    await plant.press.stop();
    await until(
      () => started.status().devices.find((device) => device.deviceId === 'press-plc')?.lost === true,
      'the press to be lost',
    );
    assert.equal(started.status().buffer.events, backlog, 'the full buffer took nothing');

    await broker.restart();
    // The refused raise is asked again on its own back-off, after room came back.
    await until(
      () => started.status().buffer.lastSeq > backlog && started.status().buffer.events === 0,
      'the backlog and the raise to drain',
      90_000,
    );
    const expected = started.status().producer.delivered;
    const records = await consumeAll(broker.brokers, topic, { expected, timeoutMs: 30_000, settleMs: 500 });
    const comm = records
      .map((record) => JSON.parse(record.value) as AlarmEvent)
      .filter((event) => event.kind === 'comm' && event.device === 'press-plc');
    assert.deepEqual(
      comm.map((event) => event.transition),
      ['raise'],
      'the press comm-loss raise arrived once',
    );
  });
});

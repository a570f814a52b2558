/**
 * Native conditions through the whole data path, across gateway restarts:
 * the ConditionRefresh after every connect re-reports what is active, and the
 * gateway publishes only what downstream has not seen.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../../src/alarms/event.ts';
import type { SiteFile } from '../../../src/config/schema.ts';
import { Gateway } from '../../../src/gateway.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { consumeAll, sharedBrokers } from '../../harness/kafka.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, tempDir } from './fixtures.ts';

describe('gateway end to end: native OPC UA conditions', () => {
  let brokers: string;
  let server: SimulatedOpcuaServer;
  let site: SiteFile;
  const temp = tempDir('opcua-native-');
  const topic = `alarms-native-${randomUUID()}`;

  before(async () => {
    brokers = await sharedBrokers();
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      conditions: [{ pointId: 'level', highLimit: 80, lowLimit: 10 }],
    });
    server.set('level', 50);
    site = {
      site: 'ua-site',
      gateway: {
        id: 'gw-native',
        state_dir: join(temp.path, 'state'),
        kafka: { brokers: brokers.split(','), topic },
      },
      devices: [{ ...boilerDevice({ endpoint: server.endpoint }), native_conditions: {} }],
    };
  });
  after(async () => {
    await server.stop();
    temp.remove();
  });

  async function startGateway(): Promise<Gateway> {
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    await until(() => gateway.status().devices.every((d) => d.connected), 'connected', 15_000);
    // The refresh answers right after the subscription; give it a moment to be evaluated.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return gateway;
  }

  async function drive(gateway: Gateway, action: () => void, events = 1): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    action();
    await until(
      () => gateway.status().buffer.lastSeq >= before + events,
      'the transition to be committed',
      15_000,
    );
  }

  test('raise, ack and clear pass on; a restart neither repeats a raise nor misses what happened meanwhile', async () => {
    let gateway = await startGateway();
    try {
      await drive(gateway, () => server.set('level', 90));
      await drive(gateway, () => server.acknowledge('level'));
      const published = gateway.status().buffer.lastSeq;
      await gateway.stop();

      // Restart while the condition is active and acknowledged: the refresh re-reports it, nothing new is published.
      gateway = await startGateway();
      assert.equal(gateway.status().buffer.lastSeq, published, 'no event from a refresh of a known state');
      await drive(gateway, () => server.set('level', 50));
      await gateway.stop();

      // Raised while the gateway was away: the refresh reports it, and it is published as a raise learned from the refresh.
      server.set('level', 95);
      gateway = await startGateway();
      await until(
        () => gateway.status().buffer.lastSeq >= published + 2,
        'the raise learned from the refresh',
      );
      await gateway.stop();

      // Cleared while away (still retained, awaiting confirmation): the refresh reports it inactive.
      server.set('level', 50);
      gateway = await startGateway();
      await until(
        () => gateway.status().buffer.lastSeq >= published + 4,
        'the clear learned from the refresh',
      );
    } finally {
      await gateway.stop();
    }

    const records = await consumeAll(brokers, topic, { expected: 6, timeoutMs: 30_000 });
    const events = records.map((r) => JSON.parse(r.value) as AlarmEvent).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((e) => [e.kind, e.transition, e.state.active, e.state.acked, e.reason.refresh ?? false]),
      [
        ['native', 'raise', true, false, false],
        ['native', 'ack', true, true, false],
        ['native', 'clear', false, true, false],
        ['native', 'raise', true, false, true],
        // node-opcua marks a deactivated limit alarm acknowledged; the refresh tells both.
        ['native', 'ack', true, true, true],
        ['native', 'clear', false, true, true],
      ],
    );
    for (const event of events) {
      assert.equal(event.condition_id, 'ua-site/utilities/steam/boiler-1/level/level_level');
      assert.equal(event.point, 'level');
      assert.equal(event.alarm, 'level_level');
    }
  });
});

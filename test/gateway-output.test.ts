/**
 * Lakehouse-ready output through the whole data path: native OPC UA
 * conditions from a simulated server, the gateway with routing, Protobuf,
 * compression and the state topic, and a real broker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SiteFile } from '../src/config/schema.ts';
import { Gateway } from '../src/gateway.ts';
import { decodeEvent } from '../src/producer/protobuf-event.ts';
import { SimulatedOpcuaServer } from '../src/simulator/opcua-server.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { boilerDevice, tempDir } from './adapters/opcua/fixtures.ts';
import { consumeAll, sharedBrokers } from './harness/kafka.ts';
import { until } from './harness/wait.ts';

describe('gateway end to end: routed Protobuf events and the state topic', () => {
  let brokers: string;
  let server: SimulatedOpcuaServer;
  const temp = tempDir('output-e2e-');
  const suffix = randomUUID().slice(0, 8);
  const topics = {
    events: `alarms-${suffix}`,
    native: `alarms-native-${suffix}`,
    state: `alarms-state-${suffix}`,
  };

  before(async () => {
    brokers = await sharedBrokers();
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      conditions: [{ pointId: 'level', highLimit: 80, lowLimit: 10 }],
    });
    server.set('level', 50);
  });
  after(async () => {
    await server.stop();
    temp.remove();
  });

  test('raise, ack and clear of a native condition: events on their route in Protobuf, the state topic ends in a tombstone', async () => {
    const site: SiteFile = {
      site: 'ua-site',
      gateway: {
        id: 'gw-output',
        state_dir: join(temp.path, 'state'),
        kafka: {
          brokers: brokers.split(','),
          topic: topics.events,
          key: 'condition_id',
          routes: [{ when: { kind: ['native'] }, topic: topics.native }],
          state_topic: topics.state,
          encoding: 'protobuf',
          compression: 'lz4',
        },
      },
      devices: [{ ...boilerDevice({ endpoint: server.endpoint }), native_conditions: {} }],
    };
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().devices.every((d) => d.connected), 'connected', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const step = async (action: () => void, seq: number) => {
        action();
        await until(() => gateway.status().buffer.lastSeq >= seq, `event ${seq} committed`, 15_000);
      };
      await step(() => server.set('level', 90), 1);
      await step(() => server.acknowledge('level'), 2);
      await step(() => server.set('level', 50), 3);
      await until(() => gateway.status().buffer.events === 0, 'delivered', 15_000);
    } finally {
      await gateway.stop();
    }

    const conditionId = 'ua-site/utilities/steam/boiler-1/level/level_level';
    const events = await consumeAll(brokers, topics.native, { expected: 3 });
    assert.deepEqual(
      events.map((record) => {
        const event = decodeEvent(record.raw as Buffer);
        return [record.key, record.headers['content-type'], event.transition, event.seq, event.condition_id];
      }),
      [
        [conditionId, 'application/x-protobuf', 'raise', 1, conditionId],
        [conditionId, 'application/x-protobuf', 'ack', 2, conditionId],
        [conditionId, 'application/x-protobuf', 'clear', 3, conditionId],
      ],
    );
    const states = await consumeAll(brokers, topics.state, { expected: 3 });
    assert.deepEqual(
      states.map((record) => [
        record.key,
        record.raw === null ? 'tombstone' : decodeEvent(record.raw).transition,
      ]),
      [
        [conditionId, 'raise'],
        [conditionId, 'ack'],
        [conditionId, 'tombstone'],
      ],
    );
  });
});

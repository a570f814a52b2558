/**
 * Sparkplug B end to end between the simulated edge node and the adapter,
 * through a real Mosquitto: births and aliases, sequence gaps, death and rebirth.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMqttAdapter } from '../../../src/adapters/mqtt/adapter.ts';
import type { MqttDevice } from '../../../src/config/schema.ts';
import { SimulatedEdgeNode } from '../../../src/simulator/sparkplug-edge-node.ts';
import { Mosquitto } from '../../harness/mosquitto.ts';
import { until } from '../../harness/wait.ts';
import { keptLog, RecordingLink } from './fixtures.ts';

function edgeDevice(url: string, deviceId?: string): MqttDevice {
  return {
    id: deviceId ? 'filler-dev' : 'filler-node',
    protocol: 'mqtt',
    url,
    area: 'packaging',
    line: 'line-2',
    asset: 'filler-1',
    sparkplug: {
      group_id: 'plant',
      edge_node_id: deviceId ? 'edge-dev' : 'edge-1',
      ...(deviceId ? { device_id: deviceId } : {}),
      birth_timeout_ms: 500,
    },
    points: [
      { id: 'pressure', format: 'sparkplug', metric: 'Filler/Pressure', unit: 'bar' },
      { id: 'jammed', format: 'sparkplug', metric: 'Filler/Jammed', type: 'boolean' },
    ],
  };
}

describe('Sparkplug B through Mosquitto', () => {
  let broker: Mosquitto;

  before(async () => {
    broker = await Mosquitto.start();
  });

  after(async () => {
    await broker?.remove();
  });

  for (const deviceId of [undefined, 'filler']) {
    const what = deviceId ? 'a device of an edge node' : 'an edge node';
    test(`${what}: birth, data by alias, sequence gap, death and rebirth`, async () => {
      const spec = edgeDevice(broker.url, deviceId);
      const node = await SimulatedEdgeNode.start(spec, { intervalMs: 60_000 });
      const link = new RecordingLink();
      const adapter = createMqttAdapter(spec, { logger: keptLog().logger, gatewayId: 'gw-sp' });
      const session = await adapter.connect(link);
      try {
        assert.equal(session.awaitingDevice, true, 'not known alive before a birth');
        // The adapter asked for a rebirth on connecting; the node answered with births.
        await until(() => link.links.some((entry) => entry.up), 'the node is alive');
        assert.ok(node.rebirthRequests >= 1);

        await node.set('pressure', 4.5);
        await until(() => link.values('pressure').includes(4.5), 'a value by alias');
        const reading = link.readings.findLast((r) => r.pointId === 'pressure');
        assert.equal(reading?.quality, 'good');
        assert.ok(typeof reading?.sourceTime === 'number');
        await node.set('jammed', true);
        await until(() => link.values('jammed').includes(true), 'a boolean metric');

        const births = node.births;
        node.skipSequence();
        await node.set('pressure', 5);
        await until(() => node.births > births, 'a rebirth after the sequence gap');
        assert.ok(adapter.counters.rebirthRequests >= 2);

        await node.die();
        await until(() => link.links.at(-1)?.up === false, 'death is a lost link');
        assert.match(link.links.at(-1)?.detail ?? '', /NDEATH|DDEATH/);
        const bad = link.readings.filter((r) => r.quality === 'bad').map((r) => r.pointId);
        assert.deepEqual(bad.sort(), ['jammed', 'pressure']);

        await node.connect();
        await until(() => link.links.at(-1)?.up === true, 'rebirth brings it back');
        await node.set('pressure', 6);
        await until(() => link.values('pressure').includes(6), 'values after the rebirth');

        // The node drops off the network: the broker publishes its will, the NDEATH of this birth.
        node.vanish();
        await until(() => link.links.at(-1)?.up === false, 'the will is a death');
        assert.match(link.links.at(-1)?.detail ?? '', /NDEATH/);
        await node.connect();
        await until(() => link.links.at(-1)?.up === true, 'back after the will');
      } finally {
        await session.close();
        await node.stop();
      }
    });
  }

  test('a node whose births are each followed by an undeclared alias gets few rebirth requests, not a storm', async () => {
    const spec = edgeDevice(broker.url);
    const node = await SimulatedEdgeNode.start(
      { ...spec, sparkplug: { group_id: 'plant', edge_node_id: 'rude-1' } },
      { intervalMs: 60_000 },
    );
    node.undeclaredAliasAfterBirth = true;
    const link = new RecordingLink();
    const adapter = createMqttAdapter(
      { ...spec, sparkplug: { group_id: 'plant', edge_node_id: 'rude-1' } },
      { logger: keptLog().logger, gatewayId: 'gw-sp-rude' },
    );
    const session = await adapter.connect(link);
    try {
      await until(() => link.links.some((entry) => entry.up), 'the node is alive');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // The first request goes out on connecting; the burst allows a few more, then one per refill.
      assert.ok(node.rebirthRequests >= 2, `${node.rebirthRequests} requests`);
      assert.ok(node.rebirthRequests <= 4, `${node.rebirthRequests} requests in 2.5 s`);
      assert.equal(adapter.counters.rebirthRequests, node.rebirthRequests);
    } finally {
      await session.close();
      await node.stop();
    }
  });

  test('an edge node that never births is lost after the birth timeout', async () => {
    const spec = edgeDevice(broker.url);
    const link = new RecordingLink();
    const adapter = createMqttAdapter(
      { ...spec, sparkplug: { group_id: 'plant', edge_node_id: 'nobody', birth_timeout_ms: 200 } },
      { logger: keptLog().logger, gatewayId: 'gw-sp-none' },
    );
    const session = await adapter.connect(link);
    await until(() => link.links.length > 0, 'the birth timeout');
    assert.deepEqual(link.links.at(-1)?.up, false);
    assert.match(link.links.at(-1)?.detail ?? '', /no birth certificate/);
    await session.close();
  });
});

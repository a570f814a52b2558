/** The simulated plant serves MQTT devices too: JSON publishers and Sparkplug edge nodes on the device's broker. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMqttAdapter } from '../../src/adapters/mqtt/adapter.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { startSimulatedPlant } from '../../src/simulator/plant.ts';
import { keptLog, RecordingLink } from '../adapters/mqtt/fixtures.ts';
import { Mosquitto } from '../harness/mosquitto.ts';
import { until } from '../harness/wait.ts';

let broker: Mosquitto;

before(async () => {
  broker = await Mosquitto.start();
});

after(async () => {
  await broker?.remove();
});

test('auto scenarios publish values that the adapter reads, for JSON and Sparkplug devices', async () => {
  const site: SiteFile = {
    site: 's',
    gateway: { id: 'gw' },
    devices: [
      {
        id: 'json-dev',
        protocol: 'mqtt',
        url: 'mqtt://192.0.2.1:1883',
        area: 'a',
        line: 'l',
        asset: 'tank',
        points: [
          {
            id: 'level',
            format: 'json',
            topic: 'site/tank/level',
            value_path: 'v',
            alarms: [{ id: 'high', kind: 'limit', H: { value: 8 } }],
          },
        ],
      },
      {
        id: 'edge',
        protocol: 'mqtt',
        url: 'mqtt://192.0.2.1:1883',
        area: 'a',
        line: 'l',
        asset: 'filler',
        sparkplug: { group_id: 'g', edge_node_id: 'n' },
        points: [{ id: 'jam', format: 'sparkplug', metric: 'Jam', type: 'boolean' }],
      },
    ],
  };
  const plant = await startSimulatedPlant(site, {
    brokerOverrides: { 'json-dev': broker.url, edge: broker.url },
    mqttIntervalMs: 50,
  });
  const links = [new RecordingLink(), new RecordingLink()];
  const sessions = await Promise.all(
    site.devices.map((device, index) =>
      device.protocol === 'mqtt'
        ? createMqttAdapter(
            { ...device, url: broker.url },
            { logger: keptLog().logger, gatewayId: 'gw' },
          ).connect(links[index] as RecordingLink)
        : Promise.reject(new Error('mqtt only')),
    ),
  );
  try {
    assert.deepEqual([...plant.mqtt.keys()], ['json-dev', 'edge']);
    await until(() => (links[0]?.values('level').length ?? 0) >= 3, 'JSON values');
    await until(() => (links[1]?.values('jam').length ?? 0) >= 3, 'Sparkplug values');
    assert.ok(links[0]?.values('level').every((value) => typeof value === 'number'));
    assert.ok(links[1]?.values('jam').every((value) => typeof value === 'boolean'));
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
    await plant.stop();
  }
});

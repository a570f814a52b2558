import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import type { SiteFile } from '../../src/config/schema.ts';
import { startSimulatedPlant } from '../../src/simulator/plant.ts';
import { until } from '../harness/wait.ts';

const site: SiteFile = {
  site: 'plant',
  gateway: { id: 'gw' },
  devices: [
    {
      id: 'ua',
      protocol: 'opcua',
      endpoint: 'opc.tcp://127.0.0.1:4840',
      area: 'a',
      line: 'l',
      asset: 'tank',
      native_conditions: {},
      points: [
        {
          id: 'level',
          node_id: 'nsu=urn:plant:tank;s=Level',
          alarms: [{ id: 'high', kind: 'limit', H: { value: 80 }, L: { value: 10 } }],
        },
        { id: 'pump_on', node_id: 'ns=3;i=42', type: 'bool' },
      ],
    },
  ],
};

describe('simulated plant with an OPC UA device', () => {
  test('serves the device on its own port, values follow the auto scenarios, and it restarts in place', async () => {
    const plant = await startSimulatedPlant(site, { portOverrides: { ua: 0 } });
    try {
      const server = plant.opcua.get('ua');
      assert.ok(server);
      assert.match(server.endpoint, /^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(server.namespaces.includes('urn:plant:tank'));
      assert.equal(server.namespaces.length >= 4, true, 'ns=3 exists for the bare-index point');
      const first = server.read('level');
      await until(() => server.read('level') !== first, 'the level to move');
      const port = server.port;
      await server.restart({ leadingNamespaces: ['urn:extra'] });
      assert.equal(server.port, port);
      assert.equal(server.namespaces.indexOf('urn:plant:tank'), server.namespaces.indexOf('urn:extra') + 1);
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    } finally {
      await plant.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PushAdapter } from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import type { OpcuaPoint } from '../../../src/config/schema.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, logger, NS, RecordingLink, tempDir } from './fixtures.ts';

const MANY = 25;
const manyPoints: OpcuaPoint[] = Array.from({ length: MANY }, (_, i) => ({
  id: `t${i}`,
  node_id: `nsu=${NS};s=Tank.${i}`,
}));

describe('OPC UA subscriptions', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-subscriptions-');

  before(async () => {
    const device = boilerDevice({ points: [...boilerDevice().points, ...manyPoints] });
    // A small per-call limit, so creating the items takes several calls per subscription.
    server = await SimulatedOpcuaServer.start(device, { maxMonitoredItemsPerCall: 4 });
    manyPoints.forEach((point, i) => {
      server.set(point.id, 100 + i);
    });
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  test('more items than one subscription may hold: every value arrives', async () => {
    const device = boilerDevice({
      endpoint: server.endpoint,
      points: manyPoints,
      max_items_per_subscription: 10,
    });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await until(
        () => manyPoints.every((point, i) => link.last(point.id)?.value === 100 + i),
        'a value of every point',
      );
      assert.equal(server.subscriptionCount, 3);
      server.set('t24', 1);
      await link.until('t24', (r) => r.value === 1);
    } finally {
      await session.close();
    }
  });

  test('an absolute deadband suppresses small changes', async () => {
    const device = boilerDevice({
      endpoint: server.endpoint,
      points: [
        { id: 'level', node_id: `nsu=${NS};s=Boiler.Level`, deadband: { kind: 'absolute', value: 5 } },
      ],
    });
    server.set('level', 50);
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await link.until('level', (r) => r.value === 50);
      for (const value of [51, 52, 53, 54]) {
        server.set('level', value);
        await new Promise((resolve) => setTimeout(resolve, 80));
      }
      server.set('level', 60);
      await link.until('level', (r) => r.value === 60);
      assert.deepEqual(
        link.readings.filter((r) => r.pointId === 'level').map((r) => r.value),
        [50, 60],
      );
    } finally {
      await session.close();
    }
  });

  test('a percent deadband is relative to the EURange of the node', async () => {
    const device = boilerDevice({
      endpoint: server.endpoint,
      points: [
        { id: 'level', node_id: `nsu=${NS};s=Boiler.Level`, deadband: { kind: 'percent', value: 10 } },
      ],
    });
    server.set('level', 20);
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await link.until('level', (r) => r.value === 20);
      server.set('level', 25); // 5 % of the 0..100 range: suppressed
      await new Promise((resolve) => setTimeout(resolve, 150));
      server.set('level', 35); // 15 % from the last reported value
      await link.until('level', (r) => r.value === 35);
      assert.deepEqual(
        link.readings.filter((r) => r.pointId === 'level').map((r) => r.value),
        [20, 35],
      );
    } finally {
      await session.close();
    }
  });
});

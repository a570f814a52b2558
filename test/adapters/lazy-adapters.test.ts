/**
 * A gateway loads a protocol stack only for the protocols its site uses: a
 * Modbus-only site never loads OPC UA or MQTT, and a reload that adds the
 * first OPC UA device loads the OPC UA client then.
 */
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { OpcuaDevice } from '../../src/config/schema.ts';

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    resolved.add(result.url);
    return result;
  },
});

// Imported after the hook, so every module the gateway loads is seen.
const { Gateway } = await import('../../src/gateway.ts');
const { createLogger } = await import('../../src/telemetry/logger.ts');
const { tempDir } = await import('../harness/fixtures.ts');
const { sharedBrokers, uniqueTopic } = await import('../harness/kafka.ts');
const { startTestSite } = await import('../harness/site.ts');
const { until } = await import('../harness/wait.ts');

const loaded = (fragment: string) => [...resolved].some((url) => url.includes(fragment));

describe('protocol stacks load on demand', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: Awaited<ReturnType<typeof startTestSite>>;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: uniqueTopic('lazy'),
    });
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  test('a Modbus-only site loads no OPC UA or MQTT; a reload adding an OPC UA device loads OPC UA then', async () => {
    const gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().devices.every((device) => device.polls > 0), 'first polls');
      assert.ok(loaded('/node_modules/modbus-serial/'), 'the Modbus stack is loaded');
      assert.ok(!loaded('/node_modules/node-opcua'), 'no OPC UA module');
      assert.ok(!loaded('/src/adapters/opcua/'), 'no OPC UA adapter');
      assert.ok(!loaded('/node_modules/mqtt/'), 'no MQTT module');

      const opcua: OpcuaDevice = {
        id: 'boiler-ua',
        protocol: 'opcua',
        // Nothing listens: loading the adapter is what this shows, not a session.
        endpoint: 'opc.tcp://127.0.0.1:1',
        security_mode: 'None',
        area: 'utilities',
        line: 'steam',
        asset: 'boiler-1',
        timeout_ms: 500,
        points: [{ id: 'level', node_id: 'ns=1;s=Boiler.Level' }],
      };
      await gateway.reload({ ...plant.site, devices: [...plant.site.devices, opcua] });
      await until(() => loaded('/node_modules/node-opcua-client/'), 'the OPC UA client to load', 20_000);
      assert.ok(!loaded('/node_modules/mqtt/'), 'still no MQTT module');
    } finally {
      await gateway.stop();
    }
  });
});

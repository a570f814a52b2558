/**
 * A Modbus device that was never reached has no value for any point: the
 * metrics and the status page count all of its points as bad from the start,
 * not none of them.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createModbusAdapter } from '../../../src/adapters/modbus/adapter.ts';
import { DeviceRunner } from '../../../src/adapters/runner.ts';
import { SimulatedModbusDevice } from '../../../src/simulator/modbus-server.ts';
import { Backoff } from '../../../src/system/backoff.ts';
import { DeviceWatch } from '../../../src/telemetry/device-watch.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { until } from '../../harness/wait.ts';
import { modbusDevice } from './fixtures.ts';

const device = modbusDevice(
  [
    { id: 'level', register: 'holding', address: 0 },
    { id: 'speed', register: 'holding', address: 1 },
    { id: 'pump_on', register: 'coil', address: 3 },
  ],
  { timeout_ms: 200 },
);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function runnerFor(port: number, watch: DeviceWatch): DeviceRunner {
  return new DeviceRunner({
    adapter: createModbusAdapter({ ...device, port }, createLogger('silent')),
    pollIntervalMs: 50,
    commLossAfter: 3,
    sink: { readings: () => true, communication: () => true },
    logger: createLogger('silent'),
    backoff: new Backoff({ initialMs: 20, maxMs: 50 }),
    observer: watch,
  });
}

test('a device never reached counts every point as bad, and as good once read', async () => {
  const watch = new DeviceWatch();
  const port = await closedPort();
  const runner = runnerFor(port, watch);
  runner.start();
  try {
    await until(() => runner.tried, 'the first connect attempt');
    assert.equal(runner.status.connected, false);
    assert.deepEqual(watch.of('plc', false).qualities, { good: 0, uncertain: 0, bad: 3 });
  } finally {
    await runner.stop();
  }

  const sim = await SimulatedModbusDevice.start({ ...device, port }, { port });
  const reached = runnerFor(port, watch);
  reached.start();
  try {
    await until(() => reached.status.polls > 0, 'a successful poll');
    assert.deepEqual(watch.of('plc', true).qualities, { good: 3, uncertain: 0, bad: 0 });
  } finally {
    await reached.stop();
    await sim.stop();
  }
});

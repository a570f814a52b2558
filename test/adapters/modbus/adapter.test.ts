import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeviceSession } from '../../../src/adapters/adapter.ts';
import { createModbusAdapter } from '../../../src/adapters/modbus/adapter.ts';
import { SimulatedModbusDevice } from '../../../src/simulator/modbus-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { modbusDevice } from './fixtures.ts';

const device = modbusDevice(
  [
    { id: 'level', register: 'holding', address: 0, type: 'float32', order: 'CDAB' },
    { id: 'speed', register: 'holding', address: 2, type: 'int16', scale: 0.5 },
    { id: 'count', register: 'holding', address: 5, type: 'uint32' },
    { id: 'ready', register: 'holding', address: 7, type: 'bit', bit: 15 },
    { id: 'pump_on', register: 'coil', address: 3 },
    { id: 'trip', register: 'discrete', address: 1 },
    { id: 'energy', register: 'input', address: 10, type: 'float64', order: 'DCBA' },
  ],
  { timeout_ms: 500 },
);

describe('Modbus adapter against a simulated PLC over TCP', () => {
  let sim: SimulatedModbusDevice;
  let session: DeviceSession;
  const adapter = () => createModbusAdapter({ ...device, port: sim.port }, createLogger('silent'));

  before(async () => {
    sim = await SimulatedModbusDevice.start(device, { port: 0 });
    sim.set('level', 12.5);
    sim.set('speed', -40.5);
    sim.set('count', 4_000_000_000);
    sim.set('ready', true);
    sim.set('pump_on', true);
    sim.set('trip', false);
    sim.set('energy', 123456.789);
  });
  after(async () => {
    await session?.close();
    await sim.stop();
  });

  test('coalesces the points into one read per register type and decodes each', async () => {
    const d = adapter();
    assert.equal(d.plan.length, 4, 'holding 0..7 in one read; one coil, one discrete, one input read');
    session = await d.connect();
    const readings = await session.poll();
    const values = Object.fromEntries(readings.map((r) => [r.pointId, r.value]));
    assert.deepEqual(values, {
      pump_on: true,
      trip: false,
      level: 12.5,
      speed: -40.5,
      count: 4_000_000_000,
      ready: true,
      energy: 123456.789,
    });
    assert.ok(readings.every((r) => r.quality === 'good' && r.deviceId === 'plc'));
    assert.equal(d.counters.requests, 4);
  });

  test('an address the PLC refuses spoils only its own point, not the neighbours in the same read', async () => {
    const d = adapter();
    const own = await d.connect();
    sim.failAddress('holding', 2, 2);
    try {
      const readings = await own.poll();
      const speed = readings.find((r) => r.pointId === 'speed');
      assert.equal(speed?.quality, 'bad');
      assert.equal(speed?.value, null);
      assert.match(speed?.qualityReason ?? '', /exception 2 \(illegal data address\)/);
      for (const id of ['level', 'count', 'ready']) {
        assert.equal(readings.find((r) => r.pointId === id)?.quality, 'good', id);
      }
      assert.equal(d.plan.length, 7, 'the refused read is split into one read per point');
      assert.ok(d.counters.exceptions >= 2);
      sim.clearFailures();
      const healed = await own.poll();
      assert.equal(healed.find((r) => r.pointId === 'speed')?.value, -40.5);
    } finally {
      sim.clearFailures();
      await own.close();
    }
  });

  test('a garbage value (NaN float) becomes bad quality and a counter, never a crash', async () => {
    const d = adapter();
    const own = await d.connect();
    sim.setRaw('holding', 0, [0x0000, 0x7fc0]); // NaN, word-swapped (CDAB)
    try {
      const readings = await own.poll();
      const level = readings.find((r) => r.pointId === 'level');
      assert.equal(level?.quality, 'bad');
      assert.match(level?.qualityReason ?? '', /not a usable number/);
      assert.equal(d.counters.badValues, 1);
      assert.equal(readings.find((r) => r.pointId === 'speed')?.quality, 'good');
    } finally {
      sim.set('level', 12.5);
      await own.close();
    }
  });

  test('a device that stops answering fails the whole poll, for the runner to handle', async () => {
    const d = adapter();
    const own = await d.connect();
    sim.mute();
    try {
      await assert.rejects(own.poll(), (error: Error & { code?: string }) => error.code === 'MODBUS_TIMEOUT');
    } finally {
      sim.unmute();
      await own.close();
    }
  });
});

/** The simulator's own API; talking to it over Modbus is covered by test/adapters/modbus/client.test.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectModbusTcp } from '../../src/adapters/modbus/client.ts';
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';

const DEVICE: ModbusTcpDevice = {
  id: 'sim',
  protocol: 'modbus-tcp',
  host: '127.0.0.1',
  area: 'a',
  line: 'l',
  asset: 'x',
  points: [
    { id: 'temp', register: 'input', address: 0, type: 'int16', scale: 0.1 },
    { id: 'flow', register: 'holding', address: 0, type: 'float32', order: 'CDAB' },
    { id: 'trip', register: 'coil', address: 3 },
    { id: 'flag', register: 'holding', address: 2, type: 'bit', bit: 7 },
  ],
};

let plc: SimulatedModbusDevice;
before(async () => {
  plc = await SimulatedModbusDevice.start(DEVICE, { port: 0 });
});
after(async () => {
  await plc.stop();
});

describe('SimulatedModbusDevice', () => {
  test('port 0 listens on a free port; the configured host is used', () => {
    assert.ok(plc.port > 0);
    assert.equal(plc.host, '127.0.0.1');
    assert.equal(plc.running, true);
  });

  test('set() stores engineering values that read() decodes back', () => {
    plc.set('temp', -12.3);
    plc.set('flow', 42.5);
    plc.set('trip', true);
    plc.set('flag', true);
    assert.deepEqual(plc.read('temp'), { ok: true, value: -12.3 });
    assert.deepEqual(plc.read('flow'), { ok: true, value: 42.5 });
    assert.deepEqual(plc.read('trip'), { ok: true, value: true });
    assert.deepEqual(plc.read('flag'), { ok: true, value: true });
  });

  test('setRaw() writes below the points', () => {
    plc.setRaw('holding', 0, [0x0000, 0x7fc0]); // NaN, word-swapped
    assert.equal(plc.read('flow').ok, false);
    plc.setRaw('coil', 3, [false]);
    assert.deepEqual(plc.read('trip'), { ok: true, value: false });
  });

  test('a stuck scenario freezes the current value', async () => {
    plc.set('temp', 55.5);
    plc.setScenario('temp', { kind: 'stuck' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(plc.read('temp'), { ok: true, value: 55.5 });
  });

  test('a scenario applies at once and then follows time', async () => {
    plc.setScenario('flow', {
      kind: 'step',
      steps: [
        { at_ms: 0, value: 1 },
        { at_ms: 60, value: 2 },
      ],
    });
    assert.deepEqual(plc.read('flow'), { ok: true, value: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(plc.read('flow'), { ok: true, value: 2 });
  });

  test('unknown points are a programming error', () => {
    assert.throws(() => plc.set('nope', 1), /no point nope/);
    assert.throws(() => plc.setScenario('nope', { kind: 'constant', value: 1 }), /no point nope/);
  });

  test('stop() then restart() serves the same port again; restart() while running does nothing', async () => {
    const port = plc.port;
    await plc.restart();
    await plc.stop();
    await plc.stop();
    assert.equal(plc.running, false);
    await plc.restart();
    assert.equal(plc.running, true);
    assert.equal(plc.port, port);
  });

  test('a port in use is reported', async () => {
    await assert.rejects(SimulatedModbusDevice.start(DEVICE, { port: plc.port }), /EADDRINUSE/);
  });

  test('a drop-out schedule silences the device during its window and only then', async () => {
    const connection = await connectModbusTcp({
      host: '127.0.0.1',
      port: plc.port,
      unitId: 1,
      timeoutMs: 150,
    });
    try {
      plc.setDropOut({ period_ms: 60_000, silent_ms: 30_000 });
      await assert.rejects(connection.read('input', 0, 1), (error: Error & { code?: string }) => {
        return error.code === 'MODBUS_TIMEOUT';
      });
      plc.setDropOut({ period_ms: 60_000, silent_ms: 30_000, phase_ms: 30_000 });
      assert.equal((await connection.read('input', 0, 1)).length, 1);
    } finally {
      plc.setDropOut(undefined);
      await connection.close();
    }
  });
});

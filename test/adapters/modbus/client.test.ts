/**
 * client.ts against the simulated PLC over real TCP on 127.0.0.1, with the
 * planner and codec in the loop the way the adapter uses them.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  connectModbusTcp,
  type ModbusConnection,
  ModbusExceptionError,
  type ModbusTcpOptions,
} from '../../../src/adapters/modbus/client.ts';
import { decodeBits, decodeRegisters } from '../../../src/adapters/modbus/codec.ts';
import { planLimits, plannedPoint, planReads } from '../../../src/adapters/modbus/planner.ts';
import type { PointValue } from '../../../src/adapters/reading.ts';
import { isBitRegister } from '../../../src/config/data-types.ts';
import type { ModbusTcpDevice } from '../../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../../src/simulator/modbus-server.ts';
import { GatewayError } from '../../../src/system/errors.ts';

const TIMEOUT_MS = 100;
/**
 * Upper bound for "the timeout ended it, not something else": generous, because
 * a loaded CI machine can delay timers by hundreds of ms; the point is that the
 * request does not hang, not how fast the machine is.
 */
const MARGIN_MS = 2000;

const DEVICE: ModbusTcpDevice = {
  id: 'test-plc',
  protocol: 'modbus-tcp',
  host: '127.0.0.1',
  port: 1502,
  unit_id: 3,
  area: 'test',
  line: 'bench',
  asset: 'rig',
  highest_address: 199,
  points: [
    { id: 'h_int16', register: 'holding', address: 0, type: 'int16', scale: 0.1 },
    { id: 'h_uint16', register: 'holding', address: 1 },
    { id: 'h_int32', register: 'holding', address: 2, type: 'int32', order: 'CDAB' },
    { id: 'h_uint32', register: 'holding', address: 4, type: 'uint32', order: 'BADC' },
    { id: 'h_float32', register: 'holding', address: 6, type: 'float32', order: 'ABCD' },
    { id: 'h_float64', register: 'holding', address: 8, type: 'float64', order: 'DCBA' },
    { id: 'h_bit3', register: 'holding', address: 12, type: 'bit', bit: 3 },
    { id: 'h_bit15', register: 'holding', address: 12, type: 'bit', bit: 15 },
    { id: 'h_far', register: 'holding', address: 150, type: 'uint32' },
    { id: 'i_float32', register: 'input', address: 0, type: 'float32', order: 'CDAB' },
    { id: 'i_int16', register: 'input', address: 2, type: 'int16' },
    { id: 'i_float64', register: 'input', address: 3, type: 'float64', scale: 2, offset: 1 },
    { id: 'c0', register: 'coil', address: 0 },
    { id: 'c9', register: 'coil', address: 9 },
    { id: 'd0', register: 'discrete', address: 0, type: 'bool' },
    { id: 'd17', register: 'discrete', address: 17 },
  ],
};

const VALUES: Readonly<Record<string, PointValue>> = {
  h_int16: -123.4,
  h_uint16: 54321,
  h_int32: -70_000,
  h_uint32: 0xdeadbeef,
  h_float32: 123.456,
  h_float64: Math.PI,
  h_bit3: true,
  h_bit15: false,
  h_far: 4_000_000_000,
  i_float32: -0.5,
  i_int16: -32768,
  i_float64: 1e-3,
  c0: true,
  c9: true,
  d0: false,
  d17: true,
};

let plc: SimulatedModbusDevice;
const open: ModbusConnection[] = [];

function options(overrides: Partial<ModbusTcpOptions> = {}): ModbusTcpOptions {
  return { host: '127.0.0.1', port: plc.port, unitId: 3, timeoutMs: TIMEOUT_MS, ...overrides };
}

async function connect(overrides: Partial<ModbusTcpOptions> = {}): Promise<ModbusConnection> {
  const connection = await connectModbusTcp(options(overrides));
  open.push(connection);
  return connection;
}

function setAll(): void {
  for (const [id, value] of Object.entries(VALUES)) plc.set(id, value);
}

/** Polls every point the way the adapter does: planned reads, then decoding each point's slice. */
async function pollAll(connection: ModbusConnection): Promise<Map<string, PointValue>> {
  const byId = new Map(DEVICE.points.map((point) => [point.id, point]));
  const values = new Map<string, PointValue>();
  for (const request of planReads(DEVICE.points.map(plannedPoint), planLimits(DEVICE))) {
    const answer = await connection.read(request.register, request.start, request.count);
    assert.equal(answer.length, request.count);
    for (const member of request.points) {
      const point = byId.get(member.id);
      assert.ok(point);
      const slice = answer.slice(member.offset, member.offset + member.words);
      const result = isBitRegister(point.register)
        ? decodeBits(slice as boolean[], point)
        : decodeRegisters(slice as number[], point);
      assert.ok(result.ok, `${member.id}: ${result.ok ? '' : result.reason}`);
      values.set(member.id, result.value);
    }
  }
  return values;
}

function assertValues(actual: Map<string, PointValue>): void {
  for (const [id, expected] of Object.entries(VALUES)) {
    const value = actual.get(id);
    if (typeof expected === 'number' && typeof value === 'number') {
      // float32 keeps about 7 digits; scaled integers one raw step.
      const tolerance = Math.max(Math.abs(expected) * 1e-6, 0.05);
      assert.ok(Math.abs(value - expected) <= tolerance, `${id}: ${value} != ${expected}`);
    } else {
      assert.equal(value, expected, id);
    }
  }
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatewayError, `not a GatewayError: ${error}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}

async function eventually(check: () => boolean, what: string, withinMs = 2000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

before(async () => {
  plc = await SimulatedModbusDevice.start(DEVICE, { port: 0 });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((connection) => connection.close()));
  plc.unmute();
  plc.clearFailures();
  await plc.restart();
});

after(async () => {
  await plc.stop();
});

describe('reads', () => {
  test('every register type and data type decodes to the value set', async () => {
    setAll();
    const connection = await connect();
    assert.equal(connection.isOpen, true);
    assertValues(await pollAll(connection));
  });

  test('bits come back as exactly `count` booleans', async () => {
    setAll();
    const connection = await connect();
    assert.deepEqual(await connection.read('coil', 0, 10), [
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    const discrete = await connection.read('discrete', 17, 1);
    assert.deepEqual(discrete, [true]);
    assert.equal((await connection.read('discrete', 0, 19)).length, 19);
  });

  test('registers come back as words', async () => {
    const connection = await connect();
    plc.setRaw('holding', 20, [0x1234, 0xffff, 0]);
    plc.setRaw('input', 40, [7]);
    assert.deepEqual(await connection.read('holding', 20, 3), [0x1234, 0xffff, 0]);
    assert.deepEqual(await connection.read('input', 39, 2), [0, 7]);
    assert.deepEqual(await connection.read('holding', 199, 1), [0]);
  });

  test('bit points of one word are set independently', async () => {
    const connection = await connect();
    plc.set('h_bit3', true);
    plc.set('h_bit15', true);
    assert.deepEqual(await connection.read('holding', 12, 1), [0x8008]);
    plc.set('h_bit3', false);
    assert.deepEqual(await connection.read('holding', 12, 1), [0x8000]);
  });

  test('a full 125-register read', async () => {
    const connection = await connect();
    plc.setRaw(
      'holding',
      0,
      Array.from({ length: 125 }, (_, i) => i * 3),
    );
    const words = await connection.read('holding', 0, 125);
    assert.equal(words.length, 125);
    assert.equal(words[124], 372);
  });

  test('values driven by a scenario change between reads', async () => {
    const connection = await connect();
    plc.setScenario('h_uint16', { kind: 'ramp', min: 0, max: 1000, period_ms: 400 });
    const seen = new Set<number>();
    const deadline = Date.now() + 1500;
    while (seen.size < 3 && Date.now() < deadline) {
      seen.add((await connection.read('holding', 1, 1))[0] as number);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    assert.ok(seen.size >= 3, `only saw ${[...seen]}`);
    plc.set('h_uint16', 5); // a plain set ends the scenario
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.deepEqual(await connection.read('holding', 1, 1), [5]);
  });
});

describe('failures', () => {
  test('an exception for one address fails every read covering it', async () => {
    const connection = await connect();
    plc.failAddress('holding', 5);
    const error = await rejection(connection.read('holding', 0, 13));
    assert.equal(error.code, 'MODBUS_EXCEPTION');
    assert.ok(error instanceof ModbusExceptionError);
    assert.equal(error.exceptionCode, 2);
    assert.match(error.message, /illegal data address/);
    // Reads around it still work, on the same connection.
    assert.equal(connection.isOpen, true);
    assert.equal((await connection.read('holding', 6, 4)).length, 4);
    assert.equal(
      await connection.read('holding', 5, 1).catch((e: ModbusExceptionError) => e.exceptionCode),
      2,
    );
    plc.clearFailures();
    assert.equal((await connection.read('holding', 0, 13)).length, 13);
  });

  test('the exception code is carried as the device sent it', async () => {
    const connection = await connect();
    plc.failAddress('coil', 3, 4);
    const error = await rejection(connection.read('coil', 0, 10));
    assert.ok(error instanceof ModbusExceptionError);
    assert.equal(error.exceptionCode, 4);
    plc.failAddress('input', 1, 6);
    const busy = await rejection(connection.read('input', 1, 1));
    assert.ok(busy instanceof ModbusExceptionError);
    assert.equal(busy.exceptionCode, 6);
  });

  test('past highest_address is an illegal data address', async () => {
    const connection = await connect();
    const error = await rejection(connection.read('holding', 195, 10));
    assert.ok(error instanceof ModbusExceptionError);
    assert.equal(error.exceptionCode, 2);
  });

  test('a muted device times out within timeoutMs', async () => {
    const connection = await connect();
    plc.mute();
    const started = Date.now();
    const error = await rejection(connection.read('holding', 0, 2));
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'MODBUS_TIMEOUT');
    assert.ok(elapsed >= TIMEOUT_MS - 5 && elapsed < TIMEOUT_MS + MARGIN_MS, `took ${elapsed} ms`);
    // A timeout is no connection loss: once the device answers again, so does the connection.
    assert.equal(connection.isOpen, true);
    plc.unmute();
    assert.equal((await connection.read('holding', 0, 2)).length, 2);
  });

  test('a request for another unit goes unanswered', async () => {
    const connection = await connect({ unitId: 9 });
    assert.equal((await rejection(connection.read('holding', 0, 1))).code, 'MODBUS_TIMEOUT');
  });

  test('a stopped device is a lost connection, for the read in flight and the next', async () => {
    // A long timeout, so that only the loss can end the read in time.
    const connection = await connect({ timeoutMs: 10_000 });
    plc.mute(); // keeps the first read in flight while the device goes away
    const started = Date.now();
    const inFlight = rejection(connection.read('holding', 0, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await plc.stop();
    const error = await inFlight;
    assert.equal(error.code, 'MODBUS_CONNECT');
    assert.ok(Date.now() - started < 10_000, 'ended by the loss, not by the timeout');
    assert.equal(connection.isOpen, false);
    const next = await rejection(connection.read('holding', 0, 1));
    assert.equal(next.code, 'MODBUS_CONNECT');
  });

  test('connecting to a stopped device fails with MODBUS_CONNECT', async () => {
    await plc.stop();
    const error = await rejection(connectModbusTcp(options()));
    assert.equal(error.code, 'MODBUS_CONNECT');
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('after restart() a fresh connection works and the values are still there', async () => {
    setAll();
    const first = await connect();
    await plc.stop();
    await eventually(() => !first.isOpen, 'the connection to notice the loss');
    await first.close();
    await plc.restart();
    const second = await connect();
    assertValues(await pollAll(second));
  });

  test('a malformed answer fails its read as MODBUS_FRAME and gives up the connection', async () => {
    // Answers every request with one register, whatever was asked.
    const liar = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', (request) => {
        const answer = Buffer.from([0, 0, 0, 0, 0, 5, request[6] ?? 0, 3, 2, 0, 1]);
        request.copy(answer, 0, 0, 2); // transaction id
        socket.write(answer);
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const connection = await connect({ port: (liar.address() as AddressInfo).port });
      const error = await rejection(connection.read('holding', 0, 2));
      assert.equal(error.code, 'MODBUS_FRAME');
      assert.match(error.message, /invalid answer/);
      assert.equal(connection.isOpen, false);
      assert.equal((await rejection(connection.read('holding', 0, 2))).code, 'MODBUS_CONNECT');
      await connection.close();
    } finally {
      liar.close();
    }
  });
});

describe('arguments', () => {
  test('a range no request can ask for is refused without touching the connection', async () => {
    const connection = await connect();
    for (const [register, start, count] of [
      ['holding', 0, 126],
      ['input', 0, 0],
      ['coil', 0, 2001],
      ['holding', 65535, 2],
      ['discrete', -1, 1],
      ['holding', 1.5, 1],
    ] as const) {
      await assert.rejects(
        connection.read(register, start, count),
        RangeError,
        `${register} ${start}+${count}`,
      );
    }
    assert.equal(connection.isOpen, true);
    assert.deepEqual(
      await connection.read('holding', 65535, 1).catch((e: ModbusExceptionError) => e.code),
      'MODBUS_EXCEPTION',
    );
    // The largest reads go out (and here hit highest_address 199), the connection stays usable.
    assert.equal((await rejection(connection.read('coil', 0, 2000))).code, 'MODBUS_EXCEPTION');
    assert.equal((await connection.read('coil', 0, 200)).length, 200);
  });
});

describe('one request at a time', () => {
  test('a late answer to a timed-out request is not taken for the next one', async () => {
    // Answers holding reads with the start address as every word; the first answer comes too late.
    let requests = 0;
    const slow = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', (request) => {
        const start = request.readUInt16BE(8);
        const count = request.readUInt16BE(10);
        const answer = Buffer.alloc(9 + 2 * count);
        request.copy(answer, 0, 0, 2); // transaction id
        answer.writeUInt16BE(3 + 2 * count, 4);
        answer[6] = request[6] ?? 0;
        answer[7] = 3;
        answer[8] = 2 * count;
        for (let i = 0; i < count; i++) answer.writeUInt16BE(start, 9 + 2 * i);
        setTimeout(() => socket.write(answer), requests++ === 0 ? TIMEOUT_MS + 50 : 0);
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const connection = await connect({ port: (slow.address() as AddressInfo).port });
      assert.equal((await rejection(connection.read('holding', 111, 2))).code, 'MODBUS_TIMEOUT');
      // The late answer (111, 111) arrives while this one waits; it must get its own.
      assert.deepEqual(await connection.read('holding', 222, 2), [222, 222]);
      assert.deepEqual(await connection.read('holding', 7, 1), [7]);
      assert.equal(connection.isOpen, true);
    } finally {
      slow.close();
    }
  });

  test('concurrent reads are all answered correctly', async () => {
    setAll();
    plc.setRaw(
      'holding',
      100,
      Array.from({ length: 40 }, (_, i) => 1000 + i),
    );
    const connection = await connect();
    const reads = Array.from({ length: 40 }, (_, i) => connection.read('holding', 100 + i, 1));
    const coils = Array.from({ length: 10 }, () => connection.read('coil', 0, 10));
    assert.deepEqual(
      (await Promise.all(reads)).map((words) => words[0]),
      Array.from({ length: 40 }, (_, i) => 1000 + i),
    );
    for (const bits of await Promise.all(coils)) assert.deepEqual([bits[0], bits[9]], [true, true]);
    assertValues(new Map([...(await Promise.all([pollAll(connection), pollAll(connection)]))[1]]));
  });

  test('concurrent reads are serialized: against a silent device they time out one after another', async () => {
    const connection = await connect();
    plc.mute();
    const started = Date.now();
    const ended = await Promise.all(
      [0, 1, 2].map((i) =>
        connection.read('holding', i, 1).then(
          () => assert.fail('a muted device answered'),
          (error: GatewayError) => {
            assert.equal(error.code, 'MODBUS_TIMEOUT');
            return Date.now() - started;
          },
        ),
      ),
    );
    // Sent all at once they would all time out together after one timeout.
    assert.ok(ended[1] !== undefined && ended[1] >= 2 * TIMEOUT_MS - 10, `ended at ${ended}`);
    assert.ok(ended[2] !== undefined && ended[2] >= 3 * TIMEOUT_MS - 10, `ended at ${ended}`);
  });

  test('a failing read does not hold up the ones behind it', async () => {
    const connection = await connect();
    plc.failAddress('holding', 0);
    const [first, second] = await Promise.allSettled([
      connection.read('holding', 0, 1),
      connection.read('holding', 1, 1),
    ]);
    assert.equal(first.status, 'rejected');
    assert.equal(second.status, 'fulfilled');
  });
});

describe('closing', () => {
  test('close() ends the read in flight, is idempotent and refuses later reads', async () => {
    const connection = await connect();
    plc.mute();
    const inFlight = rejection(connection.read('holding', 0, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await connection.close();
    assert.equal((await inFlight).code, 'MODBUS_CONNECT');
    assert.equal(connection.isOpen, false);
    await connection.close();
    assert.equal((await rejection(connection.read('holding', 0, 1))).code, 'MODBUS_CONNECT');
  });

  test('reconnecting many times leaves no connections or listeners behind', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 30; i++) {
        const connection = await connectModbusTcp(options());
        await connection.read('holding', 0, 1);
        if (i % 3 === 0) {
          await plc.stop();
          await plc.restart();
        }
        await connection.close();
      }
      await eventually(() => plc.connections === 0, 'the simulator to see every connection closed');
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('stop() drops open connections on the simulator side', async () => {
    await connect();
    await connect();
    await eventually(() => plc.connections === 2, 'two connections');
    await plc.stop();
    assert.equal(plc.connections, 0);
    assert.equal(plc.running, false);
  });
});

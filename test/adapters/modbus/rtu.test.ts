/**
 * Modbus RTU over a real pseudo-terminal pair (socat): two units on one
 * simulated serial line, read through client.ts the way the adapter reads
 * them. A line carries one exchange at a time, so concurrent reads of both
 * units must all come back right, and a unit that does not answer must not
 * hold up the other for longer than its timeout.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serialSettingsOf } from '../../../src/adapters/modbus/adapter.ts';
import { connectModbusRtu, type ModbusConnection } from '../../../src/adapters/modbus/client.ts';
import type { ModbusRtuDevice, SerialLine } from '../../../src/config/schema.ts';
import { SimulatedRtuLine } from '../../../src/simulator/modbus-rtu-line.ts';
import { PtyPair } from '../../../src/simulator/pty-pair.ts';
import { GatewayError } from '../../../src/system/errors.ts';
import { tempDir } from '../../harness/fixtures.ts';
import { requiredTool } from '../../harness/required-tool.ts';
import { hasSocat } from '../../harness/socat.ts';

function unit(id: string, unitId: number, serial: SerialLine): ModbusRtuDevice {
  return {
    id,
    protocol: 'modbus-rtu',
    serial,
    unit_id: unitId,
    area: 'a',
    line: 'l',
    asset: id,
    timeout_ms: 300,
    points: [
      { id: 'level', register: 'holding', address: 0, type: 'uint16' },
      { id: 'running', register: 'coil', address: 0 },
    ],
  };
}

describe('Modbus RTU: two units on one serial line', {
  skip: requiredTool(!hasSocat() && 'socat (Debian package socat)'),
}, () => {
  let temp: ReturnType<typeof tempDir>;
  let pty: PtyPair;
  let line: SimulatedRtuLine;
  let serial: SerialLine;
  const connections: ModbusConnection[] = [];

  before(async () => {
    temp = tempDir();
    pty = await PtyPair.open(join(temp.dir, 'ttyGW'), join(temp.dir, 'ttyPLC'));
    serial = { port: pty.gatewayEnd, baud_rate: 19_200, parity: 'even', inter_frame_delay_ms: 2 };
    line = await SimulatedRtuLine.start(pty.deviceEnd, [
      unit('tank-a', 3, serial),
      unit('tank-b', 7, serial),
    ]);
    line.device('tank-a').set('level', 1111);
    line.device('tank-b').set('level', 2222);
    line.device('tank-b').set('running', true);
  });

  after(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await line.stop();
    await pty.close();
    temp.remove();
  });

  async function connect(unitId: number, timeoutMs = 300): Promise<ModbusConnection> {
    const connection = await connectModbusRtu({ serial: serialSettingsOf(serial), unitId, timeoutMs });
    connections.push(connection);
    return connection;
  }

  test('each unit answers with its own registers, also when both are asked at once', async () => {
    const [a, b] = [await connect(3), await connect(7)];
    const reads = await Promise.all(
      Array.from({ length: 5 }, () => [
        a.read('holding', 0, 1),
        b.read('holding', 0, 1),
        b.read('coil', 0, 1),
      ]).flat(),
    );
    assert.deepEqual(reads, Array.from({ length: 5 }, () => [[1111], [2222], [true]]).flat());
  });

  test('a unit that does not answer times out; the other unit on the line goes on', async () => {
    const absent = await connect(9, 150);
    const present = await connect(3);
    const silent = absent.read('holding', 0, 1);
    const answered = present.read('holding', 0, 1);
    await assert.rejects(silent, (error) => error instanceof GatewayError && error.code === 'MODBUS_TIMEOUT');
    assert.deepEqual(await answered, [1111]);
    assert.ok(absent.isOpen, 'a silent unit does not close the line');
    assert.deepEqual(await present.read('holding', 0, 1), [1111]);
  });

  test('a second unit with other serial settings on the same port is refused', async () => {
    await connect(3);
    await assert.rejects(
      connectModbusRtu({
        serial: serialSettingsOf({ ...serial, baud_rate: 9600 }),
        unitId: 7,
        timeoutMs: 300,
      }),
      (error) =>
        error instanceof GatewayError &&
        error.code === 'MODBUS_SERIAL' &&
        /other settings/.test(error.message),
    );
  });

  test('a port that does not exist is a MODBUS_SERIAL error naming it', async () => {
    await assert.rejects(
      connectModbusRtu({
        serial: serialSettingsOf({ port: join(temp.dir, 'ttyNone') }),
        unitId: 1,
        timeoutMs: 300,
      }),
      (error) =>
        error instanceof GatewayError && error.code === 'MODBUS_SERIAL' && error.message.includes('ttyNone'),
    );
  });
});

/**
 * The simulated plant (what `gateway simulate` serves) for Modbus RTU
 * devices: their shared serial port appears at the site file's path, every
 * unit answers on it, and stopping the plant removes it again.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { serialSettingsOf } from '../../src/adapters/modbus/adapter.ts';
import { connectModbusRtu } from '../../src/adapters/modbus/client.ts';
import type { ModbusRtuDevice, SiteFile } from '../../src/config/schema.ts';
import { startSimulatedPlant } from '../../src/simulator/plant.ts';
import { tempDir } from '../harness/fixtures.ts';
import { requiredTool } from '../harness/required-tool.ts';
import { hasSocat } from '../harness/socat.ts';

test('RTU devices of a site file are served on a pseudo-terminal at their serial port', {
  skip: requiredTool(!hasSocat() && 'socat (Debian package socat)'),
}, async () => {
  const temp = tempDir();
  const serial = { port: join(temp.dir, 'ttyRTU0') };
  const device = (id: string, unit: number): ModbusRtuDevice => ({
    id,
    protocol: 'modbus-rtu',
    serial,
    unit_id: unit,
    area: 'a',
    line: 'l',
    asset: id,
    points: [{ id: 'level', register: 'holding', address: 0 }],
  });
  const site: SiteFile = {
    site: 's',
    gateway: { id: 'gw' },
    devices: [device('tank-a', 2), device('tank-b', 9)],
  };
  const plant = await startSimulatedPlant(site, { scenarios: 'none' });
  try {
    assert.equal(plant.serialLines.length, 1);
    assert.equal(plant.serialLines[0]?.pty.gatewayEnd, serial.port);
    plant.devices.get('tank-a')?.set('level', 42);
    plant.devices.get('tank-b')?.set('level', 43);
    for (const [unitId, expected] of [
      [2, 42],
      [9, 43],
    ] as const) {
      const connection = await connectModbusRtu({ serial: serialSettingsOf(serial), unitId, timeoutMs: 500 });
      try {
        assert.deepEqual(await connection.read('holding', 0, 1), [expected]);
      } finally {
        await connection.close();
      }
    }
  } finally {
    await plant.stop();
  }
  assert.ok(!existsSync(serial.port), 'the port is gone with the plant');
  temp.remove();
});

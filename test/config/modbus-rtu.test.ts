import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { FILE, problems, yaml } from './helpers.ts';

/** Two RTU devices; the second's serial settings and unit id are given, the first uses the anchor. */
function line(second: { serial: string; unit: number }, firstUnit = 1): string {
  return yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - id: tank-a
        protocol: modbus-rtu
        serial: &bus { port: /dev/ttyUSB0, baud_rate: 9600, parity: none, stop_bits: 2 }
        unit_id: ${firstUnit}
        area: utilities
        line: water
        asset: tank-a
        points: [{ id: level, register: holding, address: 0 }]
      - id: tank-b
        protocol: modbus-rtu
        serial: ${second.serial}
        unit_id: ${second.unit}
        area: utilities
        line: water
        asset: tank-b
        points: [{ id: level, register: holding, address: 0 }]
  `;
}

test('devices sharing a port through a YAML anchor, with their own unit ids, are valid', () => {
  const result = parseSiteText(line({ serial: '*bus', unit: 2 }), FILE);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  const [a, b] = result.site.devices;
  assert.equal(a?.protocol, 'modbus-rtu');
  assert.deepEqual(b?.protocol === 'modbus-rtu' && b.serial, {
    port: '/dev/ttyUSB0',
    baud_rate: 9600,
    parity: 'none',
    stop_bits: 2,
  });
});

test('devices on one port with other settings are reported at the second', () => {
  assert.deepEqual(problems(line({ serial: '{ port: /dev/ttyUSB0, baud_rate: 19200 }', unit: 2 })), [
    'site.yaml:15:13 devices[1].serial: /dev/ttyUSB0 is shared with device "tank-a" (line 5) but with other settings; devices on one port need the same serial settings (a YAML anchor keeps them in one place)',
  ]);
});

test('settings left out count as their defaults when compared', () => {
  const explicit =
    '{ port: /dev/ttyUSB0, baud_rate: 9600, parity: none, stop_bits: 2, data_bits: 8, inter_frame_delay_ms: 5 }';
  assert.deepEqual(problems(line({ serial: explicit, unit: 2 })), []);
});

test('two devices with one unit id on one port are one device polled twice', () => {
  assert.deepEqual(problems(line({ serial: '*bus', unit: 1 })), [
    'site.yaml:16:14 devices[1].unit_id: same serial port and unit_id (/dev/ttyUSB0, unit 1) as device "tank-a" at line 5',
  ]);
});

test('the same unit id on another port is another device', () => {
  assert.deepEqual(problems(line({ serial: '{ port: /dev/ttyUSB1 }', unit: 1 })), []);
});

test('unit 0 (broadcast) and ids above 247 cannot be polled on a serial line', () => {
  assert.deepEqual(problems(line({ serial: '*bus', unit: 248 }, 0)), [
    'site.yaml:8:14 devices[0].unit_id: unit_id 0 cannot be polled on a serial line; use 1..247',
    'site.yaml:16:14 devices[1].unit_id: unit_id 248 cannot be polled on a serial line; use 1..247',
  ]);
});

test('serial settings outside what a UART does are schema errors', () => {
  const found = problems(
    line({ serial: '{ port: /dev/ttyUSB1, parity: mark, stop_bits: 3, baud_rate: 50 }', unit: 2 }),
  );
  for (const key of ['parity', 'stop_bits', 'baud_rate']) {
    assert.ok(
      found.some((problem) => problem.includes(`devices[1].serial.${key}`)),
      `${key}: ${found.join('\n')}`,
    );
  }
});

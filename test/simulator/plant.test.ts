import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { SiteFile } from '../../src/config/schema.ts';
import { startSimulatedPlant } from '../../src/simulator/plant.ts';

const site = parse(readFileSync(new URL('../../devices/plant.yaml', import.meta.url), 'utf8')) as SiteFile;
const anyPorts = Object.fromEntries(site.devices.map((device) => [device.id, 0]));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startSimulatedPlant', () => {
  test('serves every device, all at zero without scenarios', async () => {
    const plant = await startSimulatedPlant(site, { portOverrides: anyPorts, scenarios: 'none' });
    try {
      assert.deepEqual([...plant.devices.keys()], ['boiler-plc', 'compressor-plc']);
      assert.deepEqual([...plant.opcua.keys()], ['feedwater-ua']);
      assert.ok(await canConnect(plant.opcua.get('feedwater-ua')?.port ?? 0));
      for (const [id, device] of plant.devices) {
        assert.notEqual(device.port, 0);
        assert.equal(device.host, '127.0.0.1');
        assert.ok(await canConnect(device.port), id);
        for (const point of device.device.points) {
          const value = device.read(point.id);
          assert.ok(value.ok);
          assert.equal(value.value, typeof value.value === 'boolean' ? false : 0, `${id}/${point.id}`);
        }
      }
    } finally {
      await plant.stop();
    }
    for (const device of plant.devices.values()) assert.equal(await canConnect(device.port), false);
  });

  test('with auto scenarios the limit points start moving', async () => {
    const plant = await startSimulatedPlant(site, { portOverrides: anyPorts });
    try {
      const boiler = plant.devices.get('boiler-plc');
      assert.ok(boiler);
      const first = boiler.read('drum_pressure');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const later = boiler.read('drum_pressure');
      assert.ok(first.ok && later.ok);
      assert.notEqual(first.value, later.value);
    } finally {
      await plant.stop();
    }
  });

  test('a port that cannot be bound stops the devices already started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        startSimulatedPlant(site, {
          portOverrides: { 'boiler-plc': 0, 'feedwater-ua': 0, 'compressor-plc': taken },
        }),
        /EADDRINUSE/,
      );
    } finally {
      blocker.close();
    }
  });
});

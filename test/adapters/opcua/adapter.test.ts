import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  DeviceSession,
  PollingAdapter,
  PushAdapter,
  PushSession,
} from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { boilerDevice, logger, RecordingLink, tempDir } from './fixtures.ts';

describe('OPC UA adapter against the simulated server', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-adapter-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice());
    server.set('level', 42.5);
    server.set('trip', false);
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  test('subscribed values arrive with source time, and changes follow', async () => {
    const device = boilerDevice({ endpoint: server.endpoint });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    assert.equal(adapter.mode, 'push');
    const link = new RecordingLink();
    const session: PushSession = await adapter.connect(link);
    try {
      const first = await link.until('level', (r) => r.value === 42.5);
      assert.equal(first.quality, 'good');
      assert.equal(first.deviceId, 'boiler-ua');
      assert.ok(typeof first.sourceTime === 'number' && Math.abs(first.sourceTime - Date.now()) < 60_000);
      await link.until('trip', (r) => r.value === false);
      server.set('trip', true);
      await link.until('trip', (r) => r.value === true);
      server.set('level', 77);
      await link.until('level', (r) => r.value === 77);
    } finally {
      await session.close();
    }
  });

  test('a bad status is bad quality with its name as the reason; uncertain keeps the value', async () => {
    const adapter = createOpcuaAdapter(boilerDevice({ endpoint: server.endpoint }), logger, {
      pkiDir: pki.path,
      env: {},
    }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      server.setStatus('level', 'BadSensorFailure');
      const bad = await link.until('level', (r) => r.quality === 'bad');
      assert.equal(bad.value, null);
      assert.equal(bad.qualityReason, 'BadSensorFailure');
      server.setStatus('level', 'UncertainLastUsableValue');
      const uncertain = await link.until('level', (r) => r.quality === 'uncertain');
      assert.equal(uncertain.value, server.read('level'));
      server.setStatus('level', undefined);
      await link.until(
        'level',
        (r) => r.quality === 'good' && link.readings.indexOf(r) > link.readings.indexOf(uncertain),
      );
    } finally {
      await session.close();
    }
  });

  test('one unknown node is a bad point; the others still arrive', async () => {
    const device = boilerDevice({ endpoint: server.endpoint });
    device.points = [
      ...device.points,
      { id: 'ghost', node_id: 'nsu=urn:edge-alarm-gateway:test:boiler;s=Boiler.Nothing' },
      { id: 'elsewhere', node_id: 'nsu=urn:nobody;s=X' },
    ];
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      const ghost = await link.until('ghost', (r) => r.quality === 'bad');
      assert.match(ghost.qualityReason ?? '', /BadNodeIdUnknown/);
      const elsewhere = await link.until('elsewhere', (r) => r.quality === 'bad');
      assert.equal(elsewhere.qualityReason, 'the server has no namespace urn:nobody');
      await link.until('level', (r) => r.quality === 'good');
    } finally {
      await session.close();
    }
  });

  test('poll mode reads every point on each poll', async () => {
    const device = boilerDevice({ endpoint: server.endpoint, mode: 'poll' });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PollingAdapter;
    assert.equal(adapter.mode, 'poll');
    const session: DeviceSession = await adapter.connect();
    try {
      server.set('level', 12.25);
      const readings = await session.poll();
      assert.deepEqual(
        readings.map((r) => [r.pointId, r.value, r.quality]),
        [
          ['level', 12.25, 'good'],
          ['trip', server.read('trip'), 'good'],
        ],
      );
    } finally {
      await session.close();
    }
  });
});

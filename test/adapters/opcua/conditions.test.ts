import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PushAdapter } from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, logger, RecordingLink, tempDir } from './fixtures.ts';

describe('OPC UA Alarms & Conditions', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-conditions-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      conditions: [{ pointId: 'level', highLimit: 80, lowLimit: 10 }],
    });
    server.set('level', 50);
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  test('live events and the refresh after connect arrive as condition reports', async () => {
    const device = boilerDevice({ endpoint: server.endpoint, native_conditions: {} });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await until(() => link.conditionBatches.some((b) => b.refresh), 'the refresh after connect');
      const live = () => link.conditionBatches.filter((b) => !b.refresh).flatMap((b) => b.reports);
      server.set('level', 90);
      await until(() => live().some((r) => r.active), 'the condition raised');
      const raised = live().find((r) => r.active);
      assert.equal(raised?.sourceName, 'level');
      assert.equal(raised?.conditionName, 'level_level');
      assert.ok((raised?.severity ?? 0) >= 1 && (raised?.severity ?? 0) <= 1000);
      assert.equal(raised?.acked, false);
      server.acknowledge('level');
      await until(() => live().some((r) => r.active && r.acked), 'the condition acknowledged');
      server.set('level', 50);
      await until(() => live().some((r) => !r.active), 'the condition cleared');
    } finally {
      await session.close();
    }
  });

  test('a branch of a condition arrives with its BranchId, and so does its acknowledgement', async () => {
    const device = boilerDevice({ endpoint: server.endpoint, native_conditions: {} });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await until(() => link.conditionBatches.some((b) => b.refresh), 'the refresh after connect');
      const live = () => link.conditionBatches.filter((b) => !b.refresh).flatMap((b) => b.reports);
      server.set('level', 92);
      await until(() => live().some((r) => r.active && r.branch === undefined), 'the condition raised');
      const branchId = server.branch('level');
      await until(() => live().some((r) => r.branch === branchId), 'the branch reported');
      assert.equal(live().find((r) => r.branch === branchId)?.acked, false);
      server.acknowledgeBranch('level');
      await until(() => live().some((r) => r.branch === branchId && r.acked), 'the branch acknowledged');
      assert.equal(live().at(-1)?.conditionName, 'level_level');
    } finally {
      await session.close();
      server.set('level', 50);
    }
  });

  test('a still-active condition is re-reported inside a refresh on the next connect', async () => {
    server.set('level', 95);
    const device = boilerDevice({ endpoint: server.endpoint, native_conditions: {} });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await until(() => link.conditionBatches.some((b) => b.refresh), 'the refresh');
      const refresh = link.conditionBatches.find((b) => b.refresh);
      assert.ok(refresh?.reports.some((r) => r.conditionName === 'level_level' && r.active));
    } finally {
      await session.close();
      server.set('level', 50);
    }
  });

  test('a source node the server lacks costs the conditions, not the points', async () => {
    server.set('level', 42);
    const device = boilerDevice({
      endpoint: server.endpoint,
      native_conditions: { source_node: 'nsu=urn:nobody;s=Area' },
    });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await link.until('level', (r) => r.value === 42);
      assert.deepEqual(link.conditionBatches, []);
    } finally {
      await session.close();
    }
  });

  test('condition events that could not be committed are replayed by a new refresh', async () => {
    server.set('level', 50);
    const device = boilerDevice({ endpoint: server.endpoint, native_conditions: {} });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    const link = new RecordingLink();
    let refuse = false;
    const record = link.conditions.bind(link);
    link.conditions = (reports, sync) => {
      record(reports, sync);
      if (!refuse || sync === 'refresh') return true;
      refuse = false;
      return false;
    };
    const session = await adapter.connect(link);
    try {
      await until(() => link.conditionBatches.some((b) => b.refresh), 'the first refresh');
      refuse = true;
      server.set('level', 90);
      await until(
        () => link.conditionBatches.filter((b) => b.refresh).length >= 2,
        'a second refresh after the refused commit',
      );
      const last = link.conditionBatches.filter((b) => b.refresh).at(-1);
      assert.ok(last?.reports.some((r) => r.active));
    } finally {
      await session.close();
      server.set('level', 50);
    }
  });

  test('the event filter: only the configured types, only from the configured severity on', async () => {
    const severity = async (native: NonNullable<Parameters<typeof boilerDevice>[0]>['native_conditions']) => {
      const device = boilerDevice({ endpoint: server.endpoint, native_conditions: native });
      const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
      const link = new RecordingLink();
      const session = await adapter.connect(link);
      try {
        await until(() => link.conditionBatches.some((b) => b.refresh), 'the refresh after connect');
        server.set('level', 91);
        // A second condition-free change proves the subscription is alive whatever the filter lets through.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return link.conditionBatches.filter((b) => !b.refresh).flatMap((b) => b.reports);
      } finally {
        await session.close();
        server.set('level', 50);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    };
    // ExclusiveLevelAlarmType (i=9482) is what the simulator raises; TripAlarmType (i=10751) never happens.
    assert.ok(
      (await severity({ event_types: ['i=9482'] })).some((r) => r.active),
      'its own type passes',
    );
    assert.deepEqual(await severity({ event_types: ['i=10751'] }), [], 'another type is filtered out');
    assert.ok(
      (await severity({ event_types: ['i=2915'] })).some((r) => r.active),
      'a supertype (AlarmConditionType) passes',
    );
    assert.ok(
      (await severity({ min_severity: 1 })).some((r) => r.active),
      'severity at least 1 passes',
    );
    assert.deepEqual(await severity({ min_severity: 1000 }), [], 'nothing here is 1000');
  });
});

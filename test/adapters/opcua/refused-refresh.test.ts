/**
 * The adapter against a server that answers ConditionRefresh with
 * BadNothingToDo: it reads the condition nodes instead, through the same
 * event filter, and says so once per connection.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { PushAdapter } from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import type { OpcuaDevice } from '../../../src/config/schema.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, RecordingLink, tempDir } from './fixtures.ts';

describe('OPC UA conditions when the server refuses ConditionRefresh', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-refused-refresh-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      conditions: [{ pointId: 'level', highLimit: 80, lowLimit: 10 }],
      refuseConditionRefresh: true,
    });
    server.set('level', 93);
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  function connect(native: OpcuaDevice['native_conditions'], link = new RecordingLink()) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const device = boilerDevice({ endpoint: server.endpoint, native_conditions: native });
    const adapter = createOpcuaAdapter(device, createLogger('warn', stream), {
      pkiDir: pki.path,
      env: {},
    }) as PushAdapter;
    return { link, lines, session: adapter.connect(link) };
  }

  test('the state read from the condition node arrives as a read set; the refusal is logged once per connection', async () => {
    const link = new RecordingLink();
    let refuseCommit = true;
    const record = link.conditions.bind(link);
    // The first read set cannot be committed: a second reading a second later replaces it.
    link.conditions = (reports, sync) => {
      record(reports, sync);
      if (sync !== 'read' || !refuseCommit) return true;
      refuseCommit = false;
      return false;
    };
    const { lines, session } = connect({}, link);
    const open = await session;
    try {
      await until(() => link.conditionBatches.filter((b) => b.sync === 'read').length >= 2, 'two readings');
      const read = link.conditionBatches.find((b) => b.sync === 'read');
      const level = read?.reports.find((r) => r.conditionName === 'level_level');
      assert.equal(level?.sourceName, 'level');
      assert.equal(level?.active, true);
      assert.equal(level?.acked, false);
      assert.ok((level?.severity ?? 0) >= 1);
      assert.equal(
        link.conditionBatches.some((b) => b.sync === 'refresh'),
        false,
      );
      const logged = lines.filter((line) => line.code === 'OPCUA_CONDITIONS');
      assert.equal(logged.length, 1);
      assert.equal(logged[0]?.status, 'BadNothingToDo');
      assert.equal(logged[0]?.conditions_read, 1);
      // Live events carry on after the reading.
      server.set('level', 50);
      await until(
        () => link.conditionBatches.some((b) => b.sync === 'live' && b.reports.some((r) => !r.active)),
        'the live clear',
      );
    } finally {
      await open.close();
      server.set('level', 93);
    }
  });

  test('what the event filter keeps out is not read either', async () => {
    const readWith = async (native: OpcuaDevice['native_conditions']) => {
      const { link, session } = connect(native);
      const open = await session;
      try {
        await until(() => link.conditionBatches.some((b) => b.sync === 'read'), 'the reading');
        return link.conditionBatches.find((b) => b.sync === 'read')?.reports.map((r) => r.conditionName);
      } finally {
        await open.close();
      }
    };
    // ExclusiveLevelAlarmType (i=9482) is the simulator's; AlarmConditionType (i=2915) is a supertype of it.
    assert.deepEqual(await readWith({ event_types: ['i=9482'] }), ['level_level']);
    assert.deepEqual(await readWith({ event_types: ['i=2915'] }), ['level_level']);
    assert.deepEqual(await readWith({ event_types: ['i=10751'] }), [], 'TripAlarmType is another type');
    assert.deepEqual(await readWith({ min_severity: 1000 }), []);
  });
});

/**
 * A reloaded site file handed to the evaluator: what each alarm keeps, loses
 * or starts from, with no event caused by the reload itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

function tank(id: string, high: number): ModbusTcpDevice {
  return {
    id,
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    area: 'a',
    line: 'l',
    asset: id,
    points: [
      {
        id: 'level',
        register: 'holding',
        address: 0,
        alarms: [{ id: 'high', kind: 'limit', H: { value: high } }],
      },
    ],
  };
}

function siteOf(...devices: ModbusTcpDevice[]): SiteFile {
  return { site: 'plant', gateway: { id: 'gw-1' }, devices };
}

function setup(site: SiteFile) {
  const events: AlarmEvent[] = [];
  const now = Date.UTC(2026, 5, 1);
  let ids = 0;
  const evaluator = new AlarmEvaluator({
    alarms: compileAlarms(site),
    identity: { gatewayId: 'gw-1', site: 'plant' },
    restored: new Map(),
    commit: ({ drafts }: CommitRequest) => {
      const committed = drafts.map((draft) => ({ ...draft, seq: events.length + 1 }));
      events.push(...committed);
      return committed;
    },
    newId: () => `id-${++ids}`,
    logger: createLogger('silent'),
    now: () => now,
  });
  const read = (deviceId: string, value: number): Reading => ({
    deviceId,
    pointId: 'level',
    value,
    quality: 'good',
    gatewayTime: now,
  });
  const transitions = () => events.map((event) => `${event.device}:${event.transition}`);
  return { evaluator, read, transitions };
}

test('an unchanged device keeps its alarm state: the alarm raised before clears after', () => {
  const { evaluator, read, transitions } = setup(siteOf(tank('t1', 80), tank('t2', 80)));
  evaluator.readings([read('t1', 90)]);
  evaluator.redefine(compileAlarms(siteOf(tank('t1', 80), tank('t2', 70))), new Set(['t2']), new Map());
  assert.deepEqual(transitions(), ['t1:raise'], 'the reload itself decides nothing');
  evaluator.readings([read('t1', 50)]);
  assert.deepEqual(transitions(), ['t1:raise', 't1:clear']);
});

test('a changed device keeps the flags that still fit: still active, and the new limit decides from now on', () => {
  const { evaluator, read, transitions } = setup(siteOf(tank('t1', 80)));
  evaluator.readings([read('t1', 90)]);
  evaluator.redefine(compileAlarms(siteOf(tank('t1', 95))), new Set(['t1']), new Map());
  evaluator.readings([read('t1', 90)]);
  assert.deepEqual(transitions(), ['t1:raise', 't1:clear'], '90 is below the new limit of 95');
});

test('a removed device leaves no alarm behind; re-added, it starts from what the buffer stored', () => {
  const { evaluator, read, transitions } = setup(siteOf(tank('t1', 80), tank('t2', 80)));
  evaluator.readings([read('t2', 90)]);
  evaluator.redefine(compileAlarms(siteOf(tank('t1', 80))), new Set(['t2']), new Map());
  evaluator.readings([read('t2', 10)]);
  assert.deepEqual(transitions(), ['t2:raise'], 'readings of a removed device decide nothing');

  const stored = new Map<string, unknown>([
    [
      'plant/a/l/t2/level/high',
      {
        flags: {
          active: true,
          acked: false,
          latched: false,
          shelved: false,
          suppressed: false,
          out_of_service: false,
          level: 'H',
        },
      },
    ],
  ]);
  evaluator.redefine(compileAlarms(siteOf(tank('t1', 80), tank('t2', 80))), new Set(), stored);
  evaluator.readings([read('t2', 10)]);
  assert.deepEqual(transitions(), ['t2:raise', 't2:clear']);
});

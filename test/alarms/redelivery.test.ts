/**
 * A redelivered reading (MQTT DUP after a lost acknowledgement) older than the
 * state it would be evaluated against was evaluated before: it decides nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { restoreState } from '../../src/alarms/restore.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const site: SiteFile = {
  site: 'plant',
  gateway: { id: 'gw-1' },
  devices: [
    {
      id: 'sensors',
      protocol: 'mqtt',
      url: 'mqtt://127.0.0.1:1883',
      area: 'a',
      line: 'l',
      asset: 'tank',
      points: [
        {
          id: 'level',
          format: 'plain',
          topic: 't',
          alarms: [{ id: 'high', kind: 'limit', H: { value: 50 } }],
        },
      ],
    },
  ],
};

function evaluator(restored: Map<string, unknown>, events: AlarmEvent[], states: Map<string, unknown>) {
  const commit = ({ changes, drafts }: CommitRequest) => {
    for (const change of changes) states.set(change.conditionId, JSON.parse(JSON.stringify(change.state)));
    const committed = drafts.map((draft) => ({ ...draft, seq: events.length + 1 }));
    events.push(...committed);
    return committed;
  };
  return new AlarmEvaluator({
    alarms: compileAlarms(site),
    identity: { gatewayId: site.gateway.id, site: site.site },
    restored,
    commit,
    newId: () => `id-${events.length}`,
    logger: createLogger('silent'),
    now: () => 10_000,
  });
}

const reading = (value: number, sourceTime: number, redelivered = false): Reading => ({
  deviceId: 'sensors',
  pointId: 'level',
  value,
  quality: 'good',
  sourceTime,
  gatewayTime: 10_000,
  ...(redelivered ? { redelivered } : {}),
});

test('after a restart, redelivered readings older than the committed state decide nothing; newer ones do', () => {
  const events: AlarmEvent[] = [];
  const states = new Map<string, unknown>();
  const first = evaluator(new Map(), events, states);
  first.readings([reading(90, 1)]);
  first.readings([reading(10, 2)]);
  assert.deepEqual(
    events.map((e) => e.transition),
    ['raise', 'clear'],
  );

  // Both acknowledgements were lost: the broker sends both messages again, then a new one.
  const second = evaluator(new Map(states), events, states);
  second.readings([reading(90, 1, true)]);
  second.readings([reading(10, 2, true)]);
  assert.equal(events.length, 2, 'the replay decided nothing');
  second.readings([reading(90, 3, true)]);
  assert.deepEqual(
    events.map((e) => e.transition),
    ['raise', 'clear', 'raise'],
    'a redelivery not seen before is evaluated',
  );
});

test('readings that are not redeliveries are evaluated whatever their time (a device clock may step back)', () => {
  const events: AlarmEvent[] = [];
  const states = new Map<string, unknown>();
  const gate = evaluator(new Map(), events, states);
  gate.readings([reading(90, 1000)]);
  gate.readings([reading(10, 5)]);
  assert.deepEqual(
    events.map((e) => e.transition),
    ['raise', 'clear'],
  );
});

test('the sample time survives a restore; a state without one restores as before', () => {
  const [def] = compileAlarms(site).byPoint.get('sensors/level') ?? [];
  assert.ok(def);
  const flags = {
    active: false,
    acked: true,
    latched: false,
    shelved: false,
    suppressed: false,
    out_of_service: false,
  };
  assert.equal(restoreState(def, { flags, sampleTime: 42 })?.sampleTime, 42);
  assert.deepEqual(restoreState(def, { flags }), { flags, process: { active: false } });
});

/** Points whose ids name topic levels: their alarms exist per concrete point id, made on first reading. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import { compileAlarms, templateAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
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
      asset: 'pumps',
      points: [
        {
          id: '{pump}.temp',
          format: 'plain',
          topic: 'plant/+pump/temp',
          alarms: [{ id: 'hot', kind: 'limit', H: { value: 80 } }],
        },
        {
          id: 'plain',
          format: 'plain',
          topic: 'plant/x',
          alarms: [{ id: 'p', kind: 'limit', H: { value: 1 } }],
        },
      ],
    },
  ],
};

test('templates compile to a matcher; concrete ids get their own condition ids', () => {
  const alarms = compileAlarms(site);
  assert.deepEqual([...alarms.byPoint.keys()], ['sensors/plain']);
  const [def] = templateAlarms(alarms, 'sensors', 'p-7.temp');
  assert.equal(def?.conditionId, 'plant/a/l/pumps/p-7.temp/hot');
  assert.equal(def?.point, 'p-7.temp');
  assert.deepEqual(templateAlarms(alarms, 'sensors', 'p-7.pressure'), []);
  assert.deepEqual(templateAlarms(alarms, 'sensors', 'a/b.temp'), [], 'a level never holds "/"');
});

test('the evaluator raises per concrete point and restores their persisted state', () => {
  const events: AlarmEvent[] = [];
  const states = new Map<string, unknown>();
  const commit = ({ changes, drafts }: CommitRequest) => {
    for (const change of changes) states.set(change.conditionId, change.state);
    const committed = drafts.map((draft) => ({ ...draft, seq: events.length + 1 }));
    events.push(...committed);
    return committed;
  };
  const make = (restored: Map<string, unknown>) =>
    new AlarmEvaluator({
      alarms: compileAlarms(site),
      identity: { gatewayId: site.gateway.id, site: site.site },
      restored,
      commit,
      newId: () => `id-${events.length}`,
      logger: createLogger('silent'),
      now: () => Date.UTC(2026, 0, 1),
    });
  const reading = (pointId: string, value: number): Reading => ({
    deviceId: 'sensors',
    pointId,
    value,
    quality: 'good',
    gatewayTime: Date.UTC(2026, 0, 1),
  });
  const first = make(new Map());
  assert.equal(first.readings([reading('p1.temp', 90), reading('p2.temp', 50)]), true);
  assert.deepEqual(
    events.map((e) => `${e.point}:${e.transition}`),
    ['p1.temp:raise'],
  );
  // After a restart the active alarm of p1 is known, so the same value decides nothing new.
  const second = make(new Map(states));
  second.readings([reading('p1.temp', 90)]);
  second.readings([reading('p1.temp', 20)]);
  assert.deepEqual(
    events.map((e) => `${e.point}:${e.transition}`),
    ['p1.temp:raise', 'p1.temp:clear'],
  );
});

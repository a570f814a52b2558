import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlarmStateFlags } from '../../src/alarms/event.ts';
import { type AlarmState, initialState } from '../../src/alarms/state.ts';
import { isQuiet, ruleAlarmView } from '../../src/alarms/view.ts';
import { discreteDef, limitDef } from './fixtures.ts';

const normal = initialState(limitDef()).flags;
const stateWith = (flags: Partial<AlarmStateFlags>, extra: Partial<AlarmState> = {}): AlarmState => ({
  ...initialState(limitDef()),
  flags: { ...normal, ...flags },
  ...extra,
});

test('quiet is normal, acknowledged and in service; any other flag needs attention', () => {
  assert.equal(isQuiet(normal), true);
  for (const flags of [
    { ...normal, active: true },
    { ...normal, acked: false },
    { ...normal, latched: true },
    { ...normal, shelved: true },
    { ...normal, suppressed: true },
    { ...normal, out_of_service: true },
  ]) {
    assert.equal(isQuiet(flags), false, JSON.stringify(flags));
  }
});

test('a limit alarm takes the priority of its level, else the rule, else the default', () => {
  const def = limitDef({ priority: 'low', HH: { value: 12, priority: 'critical' }, H: { value: 10 } });
  assert.equal(
    ruleAlarmView(def, stateWith({ active: true, acked: false, level: 'HH' })).priority,
    'critical',
  );
  assert.equal(ruleAlarmView(def, stateWith({ active: true, acked: false, level: 'H' })).priority, 'low');
  assert.equal(ruleAlarmView(def, stateWith({ acked: false })).priority, 'low');
  assert.equal(ruleAlarmView(limitDef(), stateWith({ active: true, level: 'H' })).priority, 'medium');
});

test('the view names where the alarm is, and since when it is active while it is', () => {
  const view = ruleAlarmView(discreteDef(), stateWith({ shelved: true }, { activeSince: 1000 }));
  assert.equal(view.conditionId, discreteDef().conditionId);
  assert.equal(view.kind, 'discrete');
  assert.equal(view.device, 'boiler-plc');
  assert.equal(view.asset, 'boiler-1');
  assert.equal(view.flags.shelved, true);
  assert.equal(view.activeSince, undefined, 'not active: no age');
  assert.equal(
    ruleAlarmView(discreteDef(), stateWith({ active: true }, { activeSince: 1000 })).activeSince,
    1000,
  );
});

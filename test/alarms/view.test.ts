import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialState } from '../../src/alarms/state.ts';
import { isQuiet, ruleAlarmView } from '../../src/alarms/view.ts';
import { discreteDef, limitDef } from './fixtures.ts';

const normal = initialState(limitDef()).flags;

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
    ruleAlarmView(def, { ...normal, active: true, acked: false, level: 'HH' }).priority,
    'critical',
  );
  assert.equal(ruleAlarmView(def, { ...normal, active: true, acked: false, level: 'H' }).priority, 'low');
  assert.equal(ruleAlarmView(def, { ...normal, acked: false }).priority, 'low');
  assert.equal(ruleAlarmView(limitDef(), { ...normal, active: true, level: 'H' }).priority, 'medium');
});

test('the view names where the alarm is', () => {
  const view = ruleAlarmView(discreteDef(), { ...normal, shelved: true });
  assert.equal(view.conditionId, discreteDef().conditionId);
  assert.equal(view.kind, 'discrete');
  assert.equal(view.device, 'boiler-plc');
  assert.equal(view.asset, 'boiler-1');
  assert.equal(view.flags.shelved, true);
});

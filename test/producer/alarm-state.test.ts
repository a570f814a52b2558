import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlarmStateFlags } from '../../src/alarms/event.ts';
import { hasAlarmState, isOver } from '../../src/producer/alarm-state.ts';

const NORMAL_ACKED: AlarmStateFlags = {
  active: false,
  acked: true,
  latched: false,
  shelved: false,
  suppressed: false,
  out_of_service: false,
};

test('an alarm is over (tombstone) only when inactive, acknowledged, not latched, shelved or out of service', () => {
  assert.equal(isOver(NORMAL_ACKED), true);
  assert.equal(
    isOver({ ...NORMAL_ACKED, suppressed: true }),
    true,
    'suppressed by design and normal: nothing to show',
  );
  assert.equal(isOver({ ...NORMAL_ACKED, confirmed: true }), true);
  for (const flag of ['active', 'latched', 'shelved', 'out_of_service'] as const) {
    assert.equal(isOver({ ...NORMAL_ACKED, [flag]: true }), false, flag);
  }
  assert.equal(isOver({ ...NORMAL_ACKED, acked: false }), false, 'cleared but unacknowledged');
});

test('system events carry no alarm state', () => {
  assert.equal(hasAlarmState({ kind: 'system' }), false);
  for (const kind of ['limit', 'discrete', 'comm', 'native'] as const)
    assert.equal(hasAlarmState({ kind }), true);
});

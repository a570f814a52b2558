import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlarmState } from '../../src/alarms/state.ts';
import type { LimitLevel } from '../../src/config/schema.ts';
import { limitDef, Scenario } from './fixtures.ts';

// HH 12, H 10, L 2, LL 1, deadband 0.5 unless a test says otherwise.
const def = limitDef({ deadband: 0.5 });

describe('limit alarm: entering and leaving each level', () => {
  const cases: {
    level: LimitLevel;
    enter: number;
    insideDeadband: number;
    normal: number;
    limit: number;
  }[] = [
    { level: 'HH', enter: 12.5, insideDeadband: 11.6, normal: 9.4, limit: 12 },
    { level: 'H', enter: 10.5, insideDeadband: 9.6, normal: 9.4, limit: 10 },
    { level: 'L', enter: 1.5, insideDeadband: 2.4, normal: 2.6, limit: 2 },
    { level: 'LL', enter: 0.5, insideDeadband: 1.4, normal: 2.6, limit: 1 },
  ];
  for (const { level, enter, insideDeadband, normal, limit } of cases) {
    test(`${level}: raises at ${enter}, holds at ${insideDeadband}, clears at ${normal}`, () => {
      const run = new Scenario(def);
      const [raise] = run.read(enter, 0);
      assert.equal(raise?.transition, 'raise');
      assert.equal(raise?.state.level, level);
      assert.equal(raise?.limit, limit);
      assert.deepEqual(run.read(insideDeadband, 100), []);
      const [clear] = run.read(normal, 200);
      assert.equal(clear?.transition, 'clear');
      assert.equal(clear?.state.active, false);
      assert.equal(clear?.state.level, undefined);
      assert.equal(clear?.limit, limit, 'a clear reports the limit of the level it left');
      assert.deepEqual(run.transitions, [`raise:${level}`, 'clear']);
    });
  }

  test('a value at the limit exactly raises; just short of it does not', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(9.999, 0), []);
    assert.equal(run.read(10, 100)[0]?.transition, 'raise');
  });

  test('levels are exclusive: a value beyond HH raises HH only, in one event', () => {
    const run = new Scenario(def);
    const events = run.read(15, 0);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.state.level, 'HH');
    const low = new Scenario(def).read(-3, 0);
    assert.equal(low.length, 1);
    assert.equal(low[0]?.state.level, 'LL');
  });

  test('readings that stay in a level produce no events', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    for (const [i, value] of [10.6, 11, 11.99, 9.5, 10].entries())
      assert.deepEqual(run.read(value, 100 * (i + 1)), []);
    assert.deepEqual(run.transitions, ['raise:H']);
  });

  test('an alarm raises again after it cleared, with a new event each time', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 100);
    run.read(10.5, 200);
    assert.deepEqual(run.transitions, ['raise:H', 'clear', 'raise:H']);
    assert.equal(new Set(run.events.map((e) => e.event_id)).size, 3);
  });
});

describe('limit alarm: level changes', () => {
  test('escalates H -> HH at the HH limit exactly', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    assert.deepEqual(run.read(11.99, 100), []);
    const [change] = run.read(12, 200);
    assert.equal(change?.transition, 'level_change');
    assert.equal(change?.state.level, 'HH');
    assert.equal(change?.limit, 12);
  });

  test('eases HH -> H only below HH - deadband, then clears only below H - deadband', () => {
    const run = new Scenario(def);
    run.read(12.5, 0);
    assert.deepEqual(run.read(11.5, 100), [], 'HH - deadband exactly stays in HH');
    assert.equal(run.read(11.4, 200)[0]?.state.level, 'H');
    assert.deepEqual(run.read(9.5, 300), [], 'H - deadband exactly stays in H');
    assert.equal(run.read(9.4, 400)[0]?.transition, 'clear');
    assert.deepEqual(run.transitions, ['raise:HH', 'level_change:H', 'clear']);
  });

  test('from HH a value inside the H deadband eases to H instead of clearing', () => {
    const run = new Scenario(def);
    run.read(12.5, 0);
    const [change] = run.read(9.8, 100);
    assert.equal(change?.transition, 'level_change');
    assert.equal(change?.state.level, 'H');
  });

  test('from HH a value below H - deadband clears directly', () => {
    const run = new Scenario(def);
    run.read(12.5, 0);
    run.read(9.4, 100);
    assert.deepEqual(run.transitions, ['raise:HH', 'clear']);
  });

  test('escalates L -> LL and eases LL -> L, symmetric to the high side', () => {
    const run = new Scenario(def);
    run.read(1.8, 0);
    run.read(1, 100);
    assert.deepEqual(run.read(1.5, 200), [], 'LL + deadband exactly stays in LL');
    run.read(1.6, 300);
    assert.deepEqual(run.read(2.5, 400), [], 'L + deadband exactly stays in L');
    run.read(2.6, 500);
    assert.deepEqual(run.transitions, ['raise:L', 'level_change:LL', 'level_change:L', 'clear']);
  });

  test('jumps H -> L and L -> HH directly when the value crosses the range between samples', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(1.5, 100);
    run.read(0.5, 200);
    run.read(13, 300);
    assert.deepEqual(run.transitions, ['raise:H', 'level_change:L', 'level_change:LL', 'level_change:HH']);
    assert.equal(run.events[1]?.limit, 2);
  });

  test('a level deadband overrides the rule deadband for that level', () => {
    const run = new Scenario(limitDef({ deadband: 0.5, H: { value: 10, deadband: 2 } }));
    run.read(10.5, 0);
    assert.deepEqual(run.read(8, 100), []);
    const [clear] = run.read(7.9, 200);
    assert.equal(clear?.transition, 'clear');
    assert.equal(clear?.deadband, 2);
    const [raise] = new Scenario(limitDef({ deadband: 0.5, H: { value: 10, deadband: 2 } })).read(12.5, 0);
    assert.equal(raise?.deadband, 0.5, 'HH keeps the rule deadband');
  });

  test('without a deadband the alarm clears as soon as the value is below the limit', () => {
    const run = new Scenario(limitDef());
    run.read(10, 0);
    assert.deepEqual(run.read(10, 100), []);
    assert.equal(run.read(9.999, 200)[0]?.transition, 'clear');
  });
});

describe('limit alarm: flags', () => {
  const flags = { latched: false, shelved: false, suppressed: false, out_of_service: false };

  test('a raise sets active and the level and leaves the alarm unacknowledged; a clear keeps acked', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(10.5, 0)[0]?.state, {
      active: true,
      acked: false,
      ...flags,
      level: 'H',
      isa_state: 'unacknowledged',
    });
    assert.deepEqual(run.read(9, 100)[0]?.state, {
      active: false,
      acked: false,
      ...flags,
      isa_state: 'returned_to_normal_unacknowledged',
    });
    assert.deepEqual(run.state.flags, { active: false, acked: false, ...flags });
  });

  const acknowledgedAt = (level: LimitLevel): AlarmState => ({
    flags: { active: true, acked: true, ...flags, level },
    process: { active: true, level },
  });

  test('easing off (HH -> H) keeps an acknowledgement, escalating or switching sides resets it', () => {
    assert.equal(new Scenario(def, acknowledgedAt('HH')).read(11, 0)[0]?.state.acked, true);
    assert.equal(new Scenario(def, acknowledgedAt('H')).read(12, 0)[0]?.state.acked, false);
    assert.equal(new Scenario(def, acknowledgedAt('H')).read(1.5, 0)[0]?.state.acked, false);
  });

  test('a clear keeps an acknowledgement', () => {
    const [clear] = new Scenario(def, acknowledgedAt('H')).read(9, 0);
    assert.deepEqual(clear?.state, { active: false, acked: true, ...flags, isa_state: 'normal' });
  });

  test('while shelved, suppressed or out of service the process is followed without events', () => {
    for (const hidden of ['shelved', 'suppressed', 'out_of_service'] as const) {
      const start: AlarmState = {
        flags: { active: false, acked: true, ...flags, [hidden]: true },
        process: { active: false },
      };
      const run = new Scenario(def, start);
      run.read(10.5, 0);
      run.read(12.5, 100);
      assert.deepEqual(run.events, [], hidden);
      assert.deepEqual(run.state.process, { active: true, level: 'HH' }, hidden);
      assert.equal(run.state.flags.active, false, hidden);
    }
  });
});

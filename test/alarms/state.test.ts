import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, nextDeadline, tick } from '../../src/alarms/engine.ts';
import { restoreState } from '../../src/alarms/restore.ts';
import { type AlarmState, initialState } from '../../src/alarms/state.ts';
import { commDef, discreteDef, limitDef, reading, Scenario, sequentialIds, T0 } from './fixtures.ts';

const normal = {
  active: false,
  acked: true,
  latched: false,
  shelved: false,
  suppressed: false,
  out_of_service: false,
};

describe('initialState', () => {
  test('is normal and acknowledged, with no level and no timer', () => {
    for (const def of [limitDef(), discreteDef(), commDef()])
      assert.deepEqual(initialState(def), { flags: normal, process: { active: false } });
  });
});

describe('JSON round trip', () => {
  const def = limitDef({ deadband: 0.5, on_delay_ms: 1000, off_delay_ms: 2000 });

  /** States the alarm passes through: at rest, delaying a raise, active, delaying a clear. */
  function statesOfAnEpisode(): AlarmState[] {
    const run = new Scenario(def);
    const states = [run.state];
    for (const step of [
      () => run.read(10.5, 0),
      () => run.read(12.5, 500),
      () => run.tick(1000),
      () => run.read(9, 1500),
      () => run.read(8, 2000),
    ]) {
      step();
      states.push(run.state);
    }
    return states;
  }

  test('a persisted state decides exactly what the live one decides, at every step of an episode', () => {
    const futures = [
      (s: AlarmState) => tick(def, s, T0 + 1000, sequentialIds()),
      (s: AlarmState) => tick(def, s, T0 + 4000, sequentialIds()),
      (s: AlarmState) => evaluate(def, s, reading(11, T0 + 3000), T0 + 3000, sequentialIds()),
      (s: AlarmState) => evaluate(def, s, reading(5, T0 + 3600), T0 + 3600, sequentialIds()),
      (s: AlarmState) =>
        evaluate(def, s, reading(null, T0 + 3600, { quality: 'bad' }), T0 + 3600, sequentialIds()),
    ];
    for (const state of statesOfAnEpisode()) {
      const stored = JSON.parse(JSON.stringify(state)) as AlarmState;
      assert.deepEqual(stored, state);
      assert.equal(nextDeadline(def, stored), nextDeadline(def, state));
      for (const future of futures) assert.deepEqual(future(stored), future(state));
    }
  });

  test('the state holds only JSON types: no undefined, no Dates, no Maps', () => {
    for (const state of statesOfAnEpisode()) {
      const text = JSON.stringify(state);
      assert.deepEqual(JSON.parse(text), state);
      assert.doesNotMatch(text, /undefined|null/);
    }
  });
});

describe('restoreState', () => {
  const def = limitDef();

  test('restores the flags of an active limit alarm; a state without a process view shows its process', () => {
    const saved = { flags: { ...normal, active: true, acked: false, level: 'HH' } };
    assert.deepEqual(restoreState(def, JSON.parse(JSON.stringify(saved))), {
      ...saved,
      process: { active: true, level: 'HH' },
    });
  });

  test('keeps a running delay, which then fires only on a reading that still agrees', () => {
    const delayed = limitDef({ on_delay_ms: 1000 });
    const run = new Scenario(delayed);
    run.read(10.5, 0);
    assert.ok(run.state.pending);
    const restored = restoreState(delayed, JSON.parse(JSON.stringify(run.state)));
    assert.equal(restored?.pending?.resumed, true);
    assert.ok(restored);
    const resumed = new Scenario(delayed, restored);
    assert.deepEqual(resumed.tick(5000), [], 'the gateway did not watch the point while it was down');
    assert.deepEqual(
      resumed.read(10.6, 5100).map((event) => event.transition),
      ['raise'],
    );
    assert.match(resumed.events[0]?.reason.text ?? '', /for 5100 ms \(on-delay 1000 ms\)/);
    const cancelled = new Scenario(delayed, restored);
    assert.deepEqual(cancelled.read(5, 5100), [], 'a reading that disagrees cancels it');
    assert.equal(cancelled.state.pending, undefined);
  });

  test('a restored active alarm is not raised again and clears on the next normal reading', () => {
    const restored = restoreState(def, { flags: { ...normal, active: true, acked: false, level: 'H' } });
    assert.ok(restored);
    const run = new Scenario(def, restored);
    run.read(10.5, 0);
    run.read(5, 100);
    assert.deepEqual(run.transitions, ['clear']);
  });

  test('drops a level on a discrete alarm', () => {
    const restored = restoreState(discreteDef(), { flags: { ...normal, active: true, level: 'H' } });
    assert.deepEqual(restored, { flags: { ...normal, active: true }, process: { active: true } });
  });

  const rejected: [string, unknown][] = [
    ['null', null],
    ['a string', '{"flags":{}}'],
    ['an array', []],
    ['no flags', { pending: {} }],
    ['a missing flag', { flags: { active: false, acked: true } }],
    ['a flag that is not a boolean', { flags: { ...normal, active: 'yes' } }],
    ['an active limit alarm without a level', { flags: { ...normal, active: true } }],
    ['an unknown level', { flags: { ...normal, active: true, level: 'HHH' } }],
  ];
  for (const [name, saved] of rejected) {
    test(`rejects ${name}`, () => assert.equal(restoreState(def, saved), undefined));
  }
});

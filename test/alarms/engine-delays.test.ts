import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextDeadline } from '../../src/alarms/engine.ts';
import { limitDef, Scenario, T0 } from './fixtures.ts';

const iso = (offset: number) => new Date(T0 + offset).toISOString();

describe('on-delay', () => {
  const def = limitDef({ deadband: 0.5, on_delay_ms: 1000 });

  test('raises only once the condition held for the delay, fired by tick with the last value', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(10.5, 0), []);
    assert.equal(nextDeadline(run.def, run.state), T0 + 1000);
    assert.deepEqual(run.read(10.6, 500), []);
    assert.deepEqual(run.tick(999), []);
    const [raise] = run.tick(1000);
    assert.equal(raise?.transition, 'raise');
    assert.equal(raise?.value, 10.6);
    assert.equal(raise?.source_time, iso(1000), 'a tick-fired raise happens when the delay elapsed');
    assert.equal(raise?.gateway_time, iso(1000));
    assert.deepEqual(
      raise?.reason.samples?.map((s) => [s.value, s.time]),
      [
        [10.5, iso(0)],
        [10.6, iso(500)],
      ],
    );
    assert.equal(raise?.reason.text, 'value 10.6 >= H limit 10 for 1000 ms (on-delay 1000 ms)');
    assert.equal(raise?.reason.on_delay_ms, 1000);
    assert.equal(nextDeadline(run.def, run.state), undefined);
  });

  test('a tick long after the deadline still reports the time the delay elapsed', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    const [raise] = run.tick(60_000);
    assert.equal(raise?.source_time, iso(1000));
    assert.equal(raise?.gateway_time, iso(60_000));
    assert.deepEqual(
      raise?.reason.samples?.length,
      1,
      'one sample when only one reading started and held it',
    );
  });

  test('a reading where the condition does not hold restarts the delay', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 500);
    assert.equal(nextDeadline(run.def, run.state), undefined);
    run.read(10.5, 600);
    assert.deepEqual(run.tick(1000), []);
    assert.deepEqual(run.tick(1599), []);
    assert.equal(run.tick(1600)[0]?.transition, 'raise');
  });

  test('a value inside the deadband interrupts a pending raise: the deadband only helps an active alarm', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9.8, 500);
    assert.deepEqual(run.tick(1000), []);
  });

  test('a reading after the deadline that still holds raises with its own value and time', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    const [raise] = run.read(10.7, 1200);
    assert.equal(raise?.value, 10.7);
    assert.equal(raise?.source_time, iso(1200));
    assert.equal(raise?.reason.text, 'value 10.7 >= H limit 10 for 1200 ms (on-delay 1000 ms)');
    assert.deepEqual(
      raise?.reason.samples?.map((s) => s.value),
      [10.5, 10.7],
    );
  });

  test('a reading exactly at the deadline raises', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    assert.equal(run.read(10.5, 1000)[0]?.transition, 'raise');
  });

  test('the level raised is the one the last sample is in, and moving between levels does not restart the delay', () => {
    const up = new Scenario(def);
    up.read(10.5, 0);
    up.read(12.5, 500);
    assert.deepEqual(
      up.tick(1000).map((e) => e.state.level),
      ['HH'],
    );
    const down = new Scenario(def);
    down.read(12.5, 0);
    down.read(10.5, 500);
    assert.deepEqual(
      down.tick(1000).map((e) => e.state.level),
      ['H'],
    );
    const across = new Scenario(def);
    across.read(10.5, 0);
    across.read(1.5, 500);
    assert.deepEqual(
      across.tick(1000).map((e) => e.state.level),
      ['L'],
    );
  });

  test('level changes of an active alarm do not wait for the on-delay', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.tick(1000);
    assert.equal(run.read(12.5, 1100)[0]?.transition, 'level_change');
    assert.equal(run.read(1.5, 1200)[0]?.state.level, 'L');
  });

  test('a chattering value never raises', () => {
    const run = new Scenario(def);
    for (let t = 0; t < 10_000; t += 300) {
      run.read(t % 600 === 0 ? 10.5 : 9.9, t);
      run.tick(t + 150);
    }
    assert.deepEqual(run.events, []);
  });

  test('a reading that disagrees after the deadline lets the due raise happen first, as a tick would have', () => {
    const late = new Scenario(def);
    late.read(10.5, 0);
    const events = late.read(5, 1500);
    assert.deepEqual(late.transitions, ['raise:H', 'clear']);
    assert.equal(events[0]?.source_time, iso(1000));
    assert.equal(events[0]?.value, 10.5);
    assert.equal(events[1]?.source_time, iso(1500));

    const ticked = new Scenario(def);
    ticked.read(10.5, 0);
    ticked.tick(1000);
    ticked.read(5, 1500);
    assert.deepEqual(
      late.events.map(({ gateway_time: _, ...rest }) => rest),
      ticked.events.map(({ gateway_time: _, ...rest }) => rest),
      'the outcome does not depend on how often tick runs',
    );
  });
});

describe('off-delay', () => {
  const def = limitDef({ deadband: 0.5, off_delay_ms: 2000 });

  test('clears only once the condition stayed away for the delay, fired by tick', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    assert.deepEqual(run.read(9, 100), []);
    assert.equal(run.state.flags.active, true);
    assert.equal(nextDeadline(run.def, run.state), T0 + 2100);
    assert.deepEqual(run.tick(2099), []);
    const [clear] = run.tick(2100);
    assert.equal(clear?.transition, 'clear');
    assert.equal(clear?.value, 9);
    assert.equal(clear?.source_time, iso(2100));
    assert.equal(clear?.reason.text, 'value 9 < H limit 10 - deadband 0.5 for 2000 ms (off-delay 2000 ms)');
    assert.equal(clear?.reason.off_delay_ms, 2000);
    assert.equal(clear?.reason.on_delay_ms, undefined, 'a delay that played no part is not named');
  });

  test('the raise is immediate when only an off-delay is configured', () => {
    assert.equal(new Scenario(def).read(10.5, 0)[0]?.transition, 'raise');
  });

  test('the condition coming back restarts the delay', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 100);
    assert.deepEqual(run.read(10.2, 1000), []);
    assert.equal(nextDeadline(run.def, run.state), undefined);
    run.read(9, 1500);
    assert.deepEqual(run.tick(2100), []);
    assert.equal(run.tick(3500)[0]?.transition, 'clear');
  });

  test('a value back inside the deadband counts as the condition coming back', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 100);
    run.read(9.7, 1000);
    assert.deepEqual(run.tick(2100), []);
  });

  test('a value in another level ends the off-delay with an immediate level change', () => {
    const run = new Scenario(def);
    run.read(12.5, 0);
    run.read(5, 100);
    const [change] = run.read(10.5, 500);
    assert.equal(change?.transition, 'level_change');
    assert.equal(change?.state.level, 'H');
    assert.equal(nextDeadline(run.def, run.state), undefined);
    const jump = new Scenario(def);
    jump.read(10.5, 0);
    assert.equal(jump.read(1.5, 100)[0]?.state.level, 'L', 'crossing to the other side is not a clear');
  });

  test('a reading after the deadline that is still normal clears with its own value and time', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 100);
    const [clear] = run.read(8, 2500);
    assert.equal(clear?.value, 8);
    assert.equal(clear?.source_time, iso(2500));
    assert.deepEqual(
      clear?.reason.samples?.map((s) => s.value),
      [9, 8],
    );
  });

  test('a reading back in alarm after the deadline: the due clear happens, then the alarm raises again', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9, 100);
    const events = run.read(10.5, 3000);
    assert.deepEqual(
      events.map((e) => [e.transition, e.source_time]),
      [
        ['clear', iso(2100)],
        ['raise', iso(3000)],
      ],
    );
  });
});

describe('on-delay and off-delay together', () => {
  const def = limitDef({ deadband: 0.5, on_delay_ms: 1000, off_delay_ms: 2000 });

  test('a whole episode: delayed raise, escalation, easing, interrupted and completed off-delay', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.read(9.9, 400); // interrupts
    run.read(10.5, 500);
    run.tick(1400);
    run.tick(1500); // raise H
    run.read(12.1, 1600); // HH at once
    run.read(11.4, 1700); // H at once
    run.read(9, 1800); // off-delay starts
    run.tick(3000);
    run.read(9.6, 3500); // inside the deadband: condition back
    run.read(9.2, 3600); // off-delay restarts
    run.tick(5599);
    run.tick(5600); // clear
    assert.deepEqual(run.transitions, ['raise:H', 'level_change:HH', 'level_change:H', 'clear']);
    assert.deepEqual(
      run.events.map((e) => e.source_time),
      [iso(1500), iso(1600), iso(1700), iso(5600)],
    );
  });

  test('after a delayed raise the off-delay starts with the next normal reading, not before', () => {
    const run = new Scenario(def);
    run.read(10.5, 0);
    run.tick(1000);
    assert.equal(nextDeadline(run.def, run.state), undefined);
    run.read(9, 1200);
    assert.equal(nextDeadline(run.def, run.state), T0 + 3200);
  });
});

describe('tick and nextDeadline', () => {
  const def = limitDef({ on_delay_ms: 1000 });

  test('tick with nothing pending, or before the deadline, returns the state as it is', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.tick(5000), []);
    run.read(10.5, 0);
    const before = run.state;
    assert.deepEqual(run.tick(500), []);
    assert.deepEqual(run.state, before);
  });

  test('tick never acts on values: an alarm condition without a pending delay is left to readings', () => {
    const run = new Scenario(limitDef());
    run.read(10.5, 0);
    assert.deepEqual(run.tick(10_000), []);
    assert.equal(run.state.flags.active, true);
  });

  test('nextDeadline is undefined at rest and the due time while a delay runs', () => {
    const run = new Scenario(def);
    assert.equal(nextDeadline(run.def, run.state), undefined);
    run.read(10.5, 250);
    assert.equal(nextDeadline(run.def, run.state), T0 + 1250);
    run.read(10.6, 500);
    assert.equal(nextDeadline(run.def, run.state), T0 + 1250, 'later agreeing readings keep the deadline');
  });

  test('delays are timed on the gateway clock, not on device timestamps', () => {
    const run = new Scenario(def);
    run.read(10.5, 0, { sourceTime: T0 - 3_600_000 });
    assert.equal(nextDeadline(run.def, run.state), T0 + 1000);
    const [raise] = run.tick(1000);
    assert.equal(raise?.source_time, iso(1000));
    assert.equal(raise?.reason.samples?.[0]?.time, new Date(T0 - 3_600_000).toISOString());
  });
});

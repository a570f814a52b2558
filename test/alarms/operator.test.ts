import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlarmEventDraft } from '../../src/alarms/event.ts';
import { limitDef, Scenario, T0 } from './fixtures.ts';

const def = limitDef();
const HOUR = 3_600_000;

function events(result: AlarmEventDraft[] | string): AlarmEventDraft[] {
  assert.ok(Array.isArray(result), `refused: ${String(result)}`);
  return result;
}

/** An alarm raised at H at t=0. */
function raised(): Scenario {
  const run = new Scenario(def);
  run.read(10.5, 0);
  return run;
}

describe('acknowledge', () => {
  test('acknowledges an unacknowledged alarm once, with actor and comment', () => {
    const run = raised();
    const [ack] = events(run.command({ action: 'ack', actor: 'jdoe', comment: 'checked on site' }, 100));
    assert.equal(ack?.transition, 'ack');
    assert.equal(ack?.state.acked, true);
    assert.equal(ack?.state.active, true);
    assert.equal(ack?.state.isa_state, 'acknowledged');
    assert.equal(ack?.actor, 'jdoe');
    assert.equal(ack?.comment, 'checked on site');
    assert.equal(ack?.value, 10.5, 'the value is the newest reading');
    assert.match(ack?.reason.text ?? '', /acknowledged by jdoe: checked on site/);
    assert.equal(run.command({ action: 'ack' }, 200), 'the alarm is already acknowledged');
  });

  test('an alarm that returned to normal unacknowledged becomes normal', () => {
    const run = raised();
    run.read(5, 100);
    assert.equal(run.events.at(-1)?.state.isa_state, 'returned_to_normal_unacknowledged');
    const [ack] = events(run.command({ action: 'ack' }, 200));
    assert.equal(ack?.state.isa_state, 'normal');
  });

  test('re-alarm: an acknowledged alarm still active after realarm_ms is annunciated again, by tick', () => {
    const run = new Scenario(limitDef({ realarm_ms: 60_000 }));
    run.read(10.5, 0);
    events(run.command({ action: 'ack' }, 1000));
    assert.deepEqual(run.tick(60_999), []);
    const [realarm] = run.tick(61_000);
    assert.equal(realarm?.transition, 'realarm');
    assert.equal(realarm?.state.acked, false);
    assert.equal(realarm?.actor, 'gateway');
    assert.deepEqual(run.tick(200_000), [], 'once per acknowledgement');
  });

  test('re-alarm does not fire for an alarm that cleared meanwhile', () => {
    const run = new Scenario(limitDef({ realarm_ms: 60_000 }));
    run.read(10.5, 0);
    events(run.command({ action: 'ack' }, 1000));
    run.read(5, 2000);
    assert.deepEqual(run.tick(61_000), []);
    assert.equal(run.state.realarmAt, undefined);
  });
});

describe('shelve', () => {
  test('timed shelving hides raises and clears, then shows the process when it expires', () => {
    const run = new Scenario(def);
    const [shelve] = events(run.command({ action: 'shelve', duration_ms: HOUR, actor: 'jdoe' }, 0));
    assert.equal(shelve?.state.shelved, true);
    assert.equal(shelve?.state.shelved_until, new Date(T0 + HOUR).toISOString());
    assert.equal(shelve?.state.isa_state, 'shelved');
    assert.deepEqual(run.read(10.5, 100), [], 'a shelved alarm never annunciates');
    assert.deepEqual(run.read(12.5, 200), []);
    assert.deepEqual(run.tick(HOUR - 1), []);
    const [unshelve] = run.tick(HOUR);
    assert.equal(unshelve?.transition, 'unshelve');
    assert.equal(unshelve?.actor, 'gateway');
    assert.deepEqual(
      { active: unshelve?.state.active, acked: unshelve?.state.acked, level: unshelve?.state.level },
      { active: true, acked: false, level: 'HH' },
      'active meanwhile: new to the operator',
    );
    assert.equal(unshelve?.state.shelved_until, undefined);
  });

  test('shelving longer than max_shelve_ms is refused', () => {
    const run = new Scenario(def);
    assert.equal(
      run.command({ action: 'shelve', duration_ms: 2 * HOUR }, 0, HOUR),
      `duration_ms ${2 * HOUR} is longer than the site's max_shelve_ms ${HOUR}`,
    );
  });

  test('one-shot shelving needs an active alarm and ends when the condition clears', () => {
    assert.equal(
      new Scenario(def).command({ action: 'shelve', one_shot: true }, 0),
      'one-shot shelving needs an active alarm',
    );
    const run = raised();
    const [shelve] = events(run.command({ action: 'shelve', one_shot: true }, 100));
    assert.equal(shelve?.state.shelved_one_shot, true);
    assert.deepEqual(run.read(12.5, 200), [], 'escalation while shelved stays hidden');
    const [unshelve] = run.read(5, 300);
    assert.equal(unshelve?.transition, 'unshelve');
    assert.equal(unshelve?.state.active, false);
    assert.equal(unshelve?.state.shelved, false);
    assert.equal(unshelve?.state.acked, false, 'still unacknowledged from its raise');
  });

  test('unshelve by an operator; unshelving an alarm that is not shelved is refused', () => {
    const run = new Scenario(def);
    assert.equal(run.command({ action: 'unshelve' }, 0), 'the alarm is not shelved');
    events(run.command({ action: 'shelve', duration_ms: HOUR }, 0));
    run.read(5, 100);
    const [unshelve] = events(run.command({ action: 'unshelve', actor: 'jdoe' }, 200));
    assert.equal(unshelve?.state.active, false);
    assert.equal(unshelve?.state.acked, true);
    assert.equal(unshelve?.actor, 'jdoe');
    assert.deepEqual(run.tick(HOUR), [], 'no expiry after an unshelve');
  });

  test('shelving again moves the expiry', () => {
    const run = new Scenario(def);
    events(run.command({ action: 'shelve', duration_ms: HOUR / 2 }, 0));
    events(run.command({ action: 'shelve', duration_ms: HOUR }, 1000));
    assert.deepEqual(run.tick(HOUR / 2), []);
    assert.equal(run.tick(HOUR + 1000)[0]?.transition, 'unshelve');
  });
});

describe('out of service', () => {
  test('hides the alarm until it returns to service, then shows the process', () => {
    const run = raised();
    const [out] = events(run.command({ action: 'remove_from_service' }, 100));
    assert.equal(out?.transition, 'out_of_service');
    assert.equal(out?.state.isa_state, 'out_of_service');
    assert.equal(run.command({ action: 'remove_from_service' }, 150), 'the alarm is already out of service');
    assert.equal(
      run.command({ action: 'shelve', duration_ms: 1000 }, 150),
      'the alarm is out of service; return it to service first',
    );
    assert.deepEqual(run.read(5, 200), []);
    const [back] = events(run.command({ action: 'return_to_service' }, 300));
    assert.equal(back?.transition, 'in_service');
    assert.equal(back?.state.active, false);
    assert.equal(run.command({ action: 'return_to_service' }, 400), 'the alarm is in service');
  });

  test('an acknowledged alarm still active when it returns keeps its acknowledgement', () => {
    const run = raised();
    events(run.command({ action: 'ack' }, 50));
    events(run.command({ action: 'remove_from_service' }, 100));
    run.read(10.6, 200);
    const [back] = events(run.command({ action: 'return_to_service' }, 300));
    assert.deepEqual([back?.state.active, back?.state.acked], [true, true]);
  });
});

describe('latching', () => {
  const latching = limitDef({ latch: true });

  test('stays active after the condition clears until reset; reset needs the condition gone', () => {
    const run = new Scenario(latching);
    const [raise] = run.read(10.5, 0);
    assert.equal(raise?.state.latched, true);
    assert.equal(
      run.command({ action: 'reset' }, 50),
      'the condition still holds; reset once it has cleared',
    );
    assert.deepEqual(run.read(5, 100), [], 'no clear while latched');
    assert.equal(run.state.flags.active, true);
    const [ack] = events(run.command({ action: 'ack' }, 150));
    assert.equal(ack?.state.isa_state, 'latched');
    const [reset] = events(run.command({ action: 'reset', actor: 'jdoe' }, 200));
    assert.deepEqual([reset?.transition, reset?.state.active, reset?.state.latched], ['reset', false, false]);
    assert.equal(run.command({ action: 'reset' }, 300), 'the alarm is not latched');
  });

  test('a new raise of a latched alarm that is acknowledged annunciates again', () => {
    const run = new Scenario(latching);
    run.read(10.5, 0);
    run.read(5, 100);
    events(run.command({ action: 'ack' }, 150));
    const [again] = run.read(10.5, 200);
    assert.deepEqual(
      [again?.transition, again?.state.acked, again?.state.isa_state],
      ['raise', false, 'unacknowledged'],
    );
  });
});

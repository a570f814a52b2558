import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discreteDef, Scenario } from './fixtures.ts';

const chatter = { max_raises: 3, window_ms: 60_000 };

/** Raises and clears the discrete alarm `times` times, 1 s apart. */
function flap(run: Scenario, times: number, from = 0): void {
  for (let index = 0; index < times; index++) {
    run.read(true, from + index * 2000);
    run.read(false, from + index * 2000 + 1000);
  }
}

describe('chattering', () => {
  test('one chatter event per episode, when the raises in the window exceed the bound', () => {
    const run = new Scenario({ ...discreteDef(), chatter });
    flap(run, 3);
    assert.equal(run.events.filter((event) => event.transition === 'chatter').length, 0);
    flap(run, 3, 6000);
    const chatters = run.events.filter((event) => event.transition === 'chatter');
    assert.equal(chatters.length, 1);
    assert.deepEqual(chatters[0]?.reason.chatter, { raises: 4, window_ms: 60_000 });
    assert.equal(chatters[0]?.actor, 'gateway');
    // A quiet window ends the episode; the next burst is a new one.
    flap(run, 4, 200_000);
    assert.equal(run.events.filter((event) => event.transition === 'chatter').length, 2);
  });

  test('with shelve_ms a chattering alarm is shelved, and its expiry shows it again', () => {
    const run = new Scenario({ ...discreteDef(), chatter: { ...chatter, shelve_ms: 600_000 } });
    flap(run, 4);
    const tail = run.transitions.slice(-3);
    assert.deepEqual(tail, ['raise', 'chatter', 'shelve']);
    const before = run.events.length;
    flap(run, 5, 10_000);
    assert.equal(run.events.length, before, 'nothing while shelved');
    assert.equal(run.tick(600_000 + 6000)[0]?.transition, 'unshelve');
  });
});

describe('suppression', () => {
  test('suppressed by design: hidden while it holds, shown as it is when it ends', () => {
    const run = new Scenario(discreteDef());
    const [suppress] = run.suppress('design', true, 0);
    assert.equal(suppress?.state.suppressed, true);
    assert.equal(suppress?.state.isa_state, 'suppressed_by_design');
    assert.deepEqual(suppress?.reason.suppressed_by, ['design']);
    assert.deepEqual(run.read(true, 100), []);
    assert.deepEqual(run.suppress('design', true, 150), [], 'idempotent');
    const [unsuppress] = run.suppress('design', false, 200);
    assert.deepEqual(
      [unsuppress?.transition, unsuppress?.state.active, unsuppress?.state.acked],
      ['unsuppress', true, false],
    );
  });

  test('causes are kept apart: the end of a flood does not show an alarm its design still suppresses', () => {
    const run = new Scenario(discreteDef());
    run.suppress('flood', true, 0);
    assert.deepEqual(run.suppress('design', true, 100), [], 'already suppressed');
    assert.deepEqual(run.suppress('flood', false, 200), []);
    assert.equal(run.state.flags.suppressed, true);
    assert.equal(run.suppress('design', false, 300)[0]?.transition, 'unsuppress');
  });

  test('an alarm that cleared while suppressed shows as normal, keeping its acknowledgement', () => {
    const run = new Scenario(discreteDef());
    run.read(true, 0);
    run.suppress('design', true, 100);
    run.read(false, 200);
    const [unsuppress] = run.suppress('design', false, 300);
    assert.deepEqual([unsuppress?.state.active, unsuppress?.state.acked], [false, false]);
  });
});

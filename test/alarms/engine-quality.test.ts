import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PointValue, Quality } from '../../src/adapters/reading.ts';
import { nextDeadline } from '../../src/alarms/engine.ts';
import { discreteDef, limitDef, Scenario, T0 } from './fixtures.ts';

const def = limitDef({ deadband: 0.5 });

/** Readings that must count as bad quality for a limit alarm, whatever their value says. */
const unusable: { name: string; value: PointValue | null; quality: Quality }[] = [
  { name: 'bad quality with a value beyond HH', value: 50, quality: 'bad' },
  { name: 'bad quality with a normal value', value: 5, quality: 'bad' },
  { name: 'no value', value: null, quality: 'good' },
  { name: 'NaN', value: Number.NaN, quality: 'good' },
  { name: 'Infinity', value: Number.POSITIVE_INFINITY, quality: 'good' },
  { name: '-Infinity', value: Number.NEGATIVE_INFINITY, quality: 'uncertain' },
  { name: 'a boolean on a limit rule', value: true, quality: 'good' },
];

describe('bad quality and unusable values', () => {
  for (const { name, value, quality } of unusable) {
    test(`${name}: never raises, clears or changes level, and cancels a running delay`, () => {
      const inactive = new Scenario(def);
      assert.deepEqual(inactive.read(value, 0, { quality }), []);

      const active = new Scenario(def);
      active.read(10.5, 0);
      assert.deepEqual(active.read(value, 100, { quality }), []);
      assert.deepEqual(active.state.flags.level, 'H');

      const onDelay = new Scenario(limitDef({ on_delay_ms: 1000 }));
      onDelay.read(10.5, 0);
      onDelay.read(value, 500, { quality });
      assert.equal(nextDeadline(onDelay.def, onDelay.state), undefined);
      assert.deepEqual(onDelay.tick(1000), []);

      const offDelay = new Scenario(limitDef({ off_delay_ms: 1000 }));
      offDelay.read(10.5, 0);
      offDelay.read(5, 100);
      offDelay.read(value, 500, { quality });
      assert.deepEqual(offDelay.tick(1100), []);
      assert.equal(offDelay.state.flags.active, true);
    });
  }

  test('after a bad reading the delay starts over from the next usable one', () => {
    const run = new Scenario(limitDef({ on_delay_ms: 1000 }));
    run.read(10.5, 0);
    run.read(10.5, 400, { quality: 'bad' });
    run.read(10.5, 800);
    assert.deepEqual(run.tick(1000), []);
    assert.equal(run.tick(1800)[0]?.transition, 'raise');
  });

  test('a bad reading after the deadline lets the due transition happen first', () => {
    const run = new Scenario(limitDef({ on_delay_ms: 1000 }));
    run.read(10.5, 0);
    const events = run.read(null, 1500, { quality: 'bad' });
    assert.deepEqual(
      events.map((e) => [e.transition, e.value, e.source_time]),
      [['raise', 10.5, new Date(T0 + 1000).toISOString()]],
    );
  });

  test('a bad reading after a good one changes nothing that was decided', () => {
    const run = new Scenario(def);
    run.read(12.5, 0);
    run.read(5, 100, { quality: 'bad' });
    run.read(12.5, 200);
    assert.deepEqual(run.transitions, ['raise:HH']);
  });

  test('bad readings do not touch a discrete alarm either, whatever their value', () => {
    const run = new Scenario(discreteDef());
    assert.deepEqual(run.read(true, 0, { quality: 'bad' }), []);
    run.read(true, 100);
    assert.deepEqual(run.read(false, 200, { quality: 'bad' }), []);
    assert.deepEqual(run.read(Number.NaN, 300), []);
    assert.equal(run.state.flags.active, true);
  });
});

describe('uncertain quality', () => {
  test('is evaluated like good and the event says uncertain', () => {
    const run = new Scenario(def);
    const [raise] = run.read(10.5, 0, { quality: 'uncertain' });
    assert.equal(raise?.transition, 'raise');
    assert.equal(raise?.quality, 'uncertain');
    assert.equal(raise?.reason.samples?.[0]?.quality, 'uncertain');
    const [clear] = run.read(9, 100, { quality: 'uncertain' });
    assert.equal(clear?.transition, 'clear');
    assert.equal(clear?.quality, 'uncertain');
  });

  test('keeps a delay running, and the samples show which readings were uncertain', () => {
    const run = new Scenario(limitDef({ on_delay_ms: 1000 }));
    run.read(10.5, 0);
    run.read(10.6, 500, { quality: 'uncertain' });
    const [raise] = run.tick(1000);
    assert.equal(raise?.quality, 'uncertain', 'the event carries the quality of the value it reports');
    assert.deepEqual(
      raise?.reason.samples?.map((s) => s.quality),
      ['good', 'uncertain'],
    );
  });

  test('good quality events say good', () => {
    assert.equal(new Scenario(def).read(10.5, 0)[0]?.quality, 'good');
  });
});

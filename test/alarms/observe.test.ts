import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionOf, sampleOf } from '../../src/alarms/observe.ts';
import { initialState } from '../../src/alarms/state.ts';
import { discreteDef, limitDef, reading, T0 } from './fixtures.ts';

describe('sampleOf', () => {
  test('a usable reading becomes a sample at its device time, else its gateway time', () => {
    const def = limitDef();
    assert.deepEqual(sampleOf(def, reading(5, T0, { sourceTime: T0 - 1 }), T0 + 1), {
      value: 5,
      quality: 'good',
      time: T0 - 1,
    });
    assert.deepEqual(sampleOf(def, reading(5, T0, { quality: 'uncertain' }), T0 + 1), {
      value: 5,
      quality: 'uncertain',
      time: T0,
    });
  });

  test('with neither time usable the sample is timed at now', () => {
    const sample = sampleOf(limitDef(), reading(5, Number.NaN), T0);
    assert.equal(sample?.time, T0);
  });

  test('discrete rules accept booleans and finite numbers only', () => {
    const def = discreteDef();
    assert.equal(sampleOf(def, reading(true, T0), T0)?.value, true);
    assert.equal(sampleOf(def, reading(3, T0), T0)?.value, 3);
    assert.equal(sampleOf(def, reading(Number.NaN, T0), T0), undefined);
    assert.equal(sampleOf(def, reading(null, T0), T0), undefined);
    assert.equal(sampleOf(def, reading(true, T0, { quality: 'bad' }), T0), undefined);
  });
});

describe('conditionOf', () => {
  test('a limit rule reports the level; deadband only applies while active', () => {
    const def = limitDef({ deadband: 0.5 });
    const sample = { value: 9.7, quality: 'good' as const, time: T0 };
    assert.deepEqual(conditionOf(def, initialState(def).flags, sample), { active: false });
    const inH = { ...initialState(def).flags, active: true, level: 'H' as const };
    assert.deepEqual(conditionOf(def, inH, sample), { active: true, level: 'H' });
    const lingering = { ...initialState(def).flags, active: false, level: 'H' as const };
    assert.deepEqual(
      conditionOf(def, lingering, sample),
      { active: false },
      'a level without active is ignored',
    );
  });
});

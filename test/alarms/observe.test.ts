import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import type { AlarmDefinition } from '../../src/alarms/definition.ts';
import { conditionOf, NO_CONTEXT, observe } from '../../src/alarms/observe.ts';
import { discreteDef, limitDef, reading, T0 } from './fixtures.ts';

const sampleOf = (def: AlarmDefinition, r: Reading, now: number) =>
  observe(def, r, now, undefined, NO_CONTEXT).sample;

describe('observe', () => {
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
    assert.deepEqual(conditionOf(def, undefined, sample), { active: false });
    assert.deepEqual(conditionOf(def, 'H', sample), { active: true, level: 'H' });
  });
});

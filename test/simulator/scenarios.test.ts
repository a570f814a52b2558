import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Scenario, unitNoise, valueAt } from '../../src/simulator/scenarios.ts';

function close(actual: unknown, expected: number, tolerance = 1e-9): void {
  assert.equal(typeof actual, 'number');
  assert.ok(Math.abs((actual as number) - expected) <= tolerance, `${actual} is not ${expected}`);
}

describe('constant', () => {
  test('holds its value at any time', () => {
    for (const t of [0, 1, 1e9]) assert.equal(valueAt({ kind: 'constant', value: 4.2 }, t), 4.2);
    assert.equal(valueAt({ kind: 'constant', value: true }, 500), true);
  });
});

describe('ramp', () => {
  const ramp: Scenario = { kind: 'ramp', min: 10, max: 20, period_ms: 1000 };
  test('a triangle: min, max at half period, back to min', () => {
    close(valueAt(ramp, 0), 10);
    close(valueAt(ramp, 250), 15);
    close(valueAt(ramp, 500), 20);
    close(valueAt(ramp, 750), 15);
    close(valueAt(ramp, 1000), 10);
    close(valueAt(ramp, 2250), 15);
  });
  test('never leaves min..max', () => {
    for (let t = 0; t < 5000; t += 7) {
      const value = valueAt(ramp, t) as number;
      assert.ok(value >= 10 && value <= 20, `${value} at ${t}`);
    }
  });
  test('a phase shifts the wave', () => {
    close(valueAt({ ...ramp, phase_ms: 500 }, 0), 20);
    close(valueAt({ ...ramp, phase_ms: 250 }, 250), 20);
  });
  test('a non-positive period holds min', () => {
    close(valueAt({ ...ramp, period_ms: 0 }, 123), 10);
  });
});

describe('step', () => {
  const step: Scenario = {
    kind: 'step',
    steps: [
      { at_ms: 100, value: 1 },
      { at_ms: 200, value: 5 },
      { at_ms: 300, value: 2 },
    ],
  };
  test('holds each value from its time on, and the last one for ever', () => {
    assert.equal(valueAt(step, 100), 1);
    assert.equal(valueAt(step, 199), 1);
    assert.equal(valueAt(step, 200), 5);
    assert.equal(valueAt(step, 300), 2);
    assert.equal(valueAt(step, 1e7), 2);
  });
  test('before the first step it holds the first value', () => {
    assert.equal(valueAt(step, 0), 1);
  });
  test('booleans step too', () => {
    const toggle: Scenario = {
      kind: 'step',
      steps: [
        { at_ms: 0, value: false },
        { at_ms: 50, value: true },
      ],
    };
    assert.equal(valueAt(toggle, 49), false);
    assert.equal(valueAt(toggle, 50), true);
  });
  test('no steps: 0', () => {
    assert.equal(valueAt({ kind: 'step', steps: [] }, 10), 0);
  });
});

describe('noise', () => {
  const noise: Scenario = { kind: 'noise', base: 50, amplitude: 2, seed: 7, interval_ms: 100 };
  test('stays within base ± amplitude', () => {
    for (let t = 0; t < 20_000; t += 13) {
      const value = valueAt(noise, t) as number;
      assert.ok(value >= 48 && value <= 52, `${value} at ${t}`);
    }
  });
  test('is the same for the same seed and time', () => {
    for (const t of [0, 55, 999, 123_456]) assert.equal(valueAt(noise, t), valueAt({ ...noise }, t));
  });
  test('differs between seeds', () => {
    const a = Array.from({ length: 20 }, (_, i) => valueAt(noise, i * 100));
    const b = Array.from({ length: 20 }, (_, i) => valueAt({ ...noise, seed: 8 }, i * 100));
    assert.notDeepEqual(a, b);
  });
  test('moves smoothly between samples', () => {
    // Linear between two samples: the midpoint is the mean of its ends.
    const mid = (valueAt(noise, 100) as number) / 2 + (valueAt(noise, 200) as number) / 2;
    close(valueAt(noise, 150), mid, 1e-9);
  });
  test('actually varies', () => {
    const values = new Set(Array.from({ length: 50 }, (_, i) => valueAt(noise, i * 100)));
    assert.ok(values.size > 40);
  });
  test('unitNoise is spread over [-1, 1]', () => {
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = unitNoise(3, i);
      assert.ok(x >= -1 && x <= 1);
      if (x < -0.5) low++;
      if (x > 0.5) high++;
    }
    // About a quarter each way.
    assert.ok(low > 2000 && low < 3000, `low ${low}`);
    assert.ok(high > 2000 && high < 3000, `high ${high}`);
  });
});

describe('stuck', () => {
  test('holds its own value', () => {
    assert.equal(valueAt({ kind: 'stuck', value: 3 }, 1e6, 9), 3);
  });
  test('without one it holds the current value', () => {
    assert.equal(valueAt({ kind: 'stuck' }, 1e6, 9), 9);
    assert.equal(valueAt({ kind: 'stuck' }, 5, true), true);
    assert.equal(valueAt({ kind: 'stuck' }, 5), 0);
  });
});

describe('square', () => {
  const square: Scenario = { kind: 'square', period_ms: 1000, duty: 0.25 };
  test('true for the duty share of each period', () => {
    assert.equal(valueAt(square, 0), true);
    assert.equal(valueAt(square, 249), true);
    assert.equal(valueAt(square, 250), false);
    assert.equal(valueAt(square, 999), false);
    assert.equal(valueAt(square, 1000), true);
  });
  test('half on by default', () => {
    const half: Scenario = { kind: 'square', period_ms: 100 };
    const on = Array.from({ length: 100 }, (_, t) => valueAt(half, t)).filter(Boolean).length;
    assert.equal(on, 50);
  });
  test('a phase shifts it', () => {
    assert.equal(valueAt({ ...square, phase_ms: 250 }, 0), false);
    assert.equal(valueAt({ ...square, phase_ms: 1100 }, 0), true);
    assert.equal(valueAt({ ...square, phase_ms: 250 }, 800), true);
  });
  test('duty 0 is always off, duty 1 always on', () => {
    for (let t = 0; t < 1000; t += 50) {
      assert.equal(valueAt({ ...square, duty: 0 }, t), false);
      assert.equal(valueAt({ ...square, duty: 1 }, t), true);
    }
  });
});

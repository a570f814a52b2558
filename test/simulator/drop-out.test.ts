import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSilentAt } from '../../src/simulator/drop-out.ts';

test('silent for silent_ms out of every period, shifted by the phase', () => {
  const schedule = { period_ms: 1000, silent_ms: 200, phase_ms: 500 };
  const silent = [0, 499, 500, 699, 700, 1499, 1500, 1699, 1700].map((t) => isSilentAt(schedule, t));
  assert.deepEqual(silent, [false, false, true, true, false, false, true, true, false]);
});

test('without a phase the device is silent from the start of each period', () => {
  assert.equal(isSilentAt({ period_ms: 100, silent_ms: 10 }, 0), true);
  assert.equal(isSilentAt({ period_ms: 100, silent_ms: 10 }, 10), false);
  assert.equal(isSilentAt({ period_ms: 100, silent_ms: 10 }, 205), true);
});

test('a zero period or zero silence never drops out', () => {
  assert.equal(isSilentAt({ period_ms: 0, silent_ms: 10 }, 5), false);
  assert.equal(isSilentAt({ period_ms: 100, silent_ms: 0 }, 0), false);
});

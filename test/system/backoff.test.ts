import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/system/backoff.ts';

test('the window doubles up to the maximum, and each delay lies in its upper half', () => {
  for (const random of [0, 0.5, 0.999]) {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => random });
    const delays = Array.from({ length: 8 }, () => backoff.next());
    const windows = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
    delays.forEach((delay, i) => {
      const window = windows[i] as number;
      assert.ok(delay >= window / 2 && delay <= window, `delay ${delay} in [${window / 2}, ${window}]`);
    });
  }
});

test('reset starts over from the initial window', () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 1 });
  for (let i = 0; i < 5; i++) backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 100);
  assert.equal(backoff.attempts, 1);
});

test('never overflows after many attempts', () => {
  const backoff = new Backoff({ initialMs: 1, maxMs: 5000, random: () => 1 });
  for (let i = 0; i < 10_000; i++) backoff.next();
  assert.equal(backoff.next(), 5000);
});

/** How often one edge node is asked for a rebirth: a burst, then one per refill, never reset by a birth. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RebirthLimiter } from '../../../src/adapters/mqtt/rebirth-limiter.ts';

const limits = { minIntervalMs: 1000, burst: 3, refillMs: 30_000 };

function clocked() {
  let now = 0;
  const limiter = new RebirthLimiter(limits, () => now);
  return {
    limiter,
    at: (ms: number) => {
      now = ms;
    },
  };
}

test('a burst goes out a minimum interval apart, then one request per refill interval', () => {
  const { limiter, at } = clocked();
  assert.equal(limiter.take(), true);
  assert.equal(limiter.take(), false, 'within the minimum interval');
  assert.equal(limiter.waitMs(), 1000);
  at(1000);
  assert.equal(limiter.take(), true);
  at(2000);
  assert.equal(limiter.take(), true);
  at(3000);
  assert.equal(limiter.take(), false, 'the burst is spent');
  assert.equal(limiter.waitMs(), 27_000, 'the first token was spent at 0');
  at(30_000);
  assert.equal(limiter.take(), true);
  at(31_000);
  assert.equal(limiter.take(), false);
  at(60_000);
  assert.equal(limiter.take(), true);
});

test('a node that births promptly and errs after every birth gets a handful of requests, not thousands', () => {
  // Each request is answered by a birth 20 ms later, followed by another reason to ask; nothing resets the limit.
  const { limiter, at } = clocked();
  let requests = 0;
  for (let now = 0; now <= 170_000; now += 20) {
    at(now);
    if (limiter.take()) requests += 1;
  }
  // The burst at 0, 1 s and 2 s, then one at each 30 s: 30, 60, 90, 120 and 150 s.
  assert.equal(requests, 8);
});

test('a quiet spell refills the burst, and no more than the burst', () => {
  const { limiter, at } = clocked();
  for (const ms of [0, 1000, 2000]) {
    at(ms);
    assert.equal(limiter.take(), true);
  }
  at(10 * 3_600_000);
  let granted = 0;
  for (let i = 0; i < 10; i++) {
    at(10 * 3_600_000 + i * 1000);
    if (limiter.take()) granted += 1;
  }
  assert.equal(granted, 3);
});

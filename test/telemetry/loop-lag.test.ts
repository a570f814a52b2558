import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoopLag } from '../../src/telemetry/loop-lag.ts';

test('the worst lag of the window counts, and a stall leaves the window after windowMs', () => {
  const lag = new LoopLag({ windowMs: 1000 });
  assert.equal(lag.worstMs(), 0, 'nothing measured yet');
  lag.record(0, 3);
  lag.record(100, 2500);
  lag.record(200, 4);
  assert.equal(lag.worstMs(), 2500);
  lag.record(1100, 1);
  assert.equal(lag.worstMs(), 2500, 'the stall is 1000 ms old: still in');
  lag.record(1101, 1);
  assert.equal(lag.worstMs(), 4);
});

test('a timer that comes late by the time the loop was blocked is measured as that lag', () => {
  let now = 0;
  const lag = new LoopLag({ intervalMs: 250, now: () => now });
  lag.start();
  lag.stop();
  now = 250;
  lag.sample();
  assert.equal(lag.worstMs(), 0, 'on time');
  now = 250 + 250 + 1800;
  lag.sample();
  assert.equal(lag.worstMs(), 1800);
});

test('a real blocked loop is seen', async () => {
  const lag = new LoopLag({ intervalMs: 20 });
  lag.start();
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // Blocks the loop, as a runaway synchronous task would.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(lag.worstMs() >= 250, `measured ${lag.worstMs()} ms`);
  } finally {
    lag.stop();
  }
});

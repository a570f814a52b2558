import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nextPoll } from '../../src/adapters/poll-schedule.ts';

test('a poll that ends in time is followed one interval after it was due, not after it started', () => {
  // Due at 1000, the timer fired 7 ms late and the poll took 30 ms.
  assert.deepEqual(nextPoll(1000, 1037, 100), { dueAt: 1100, missed: 0 });
});

test('a late poll still within the next interval runs at once and misses nothing', () => {
  assert.deepEqual(nextPoll(1000, 1150, 100), { dueAt: 1100, missed: 0 });
});

test('a poll that ran past whole intervals skips them and counts them', () => {
  assert.deepEqual(nextPoll(1000, 1250, 100), { dueAt: 1200, missed: 1 });
  assert.deepEqual(nextPoll(1000, 1200, 100), { dueAt: 1200, missed: 1 });
  assert.deepEqual(nextPoll(1000, 1999, 100), { dueAt: 1900, missed: 8 });
});

test('no drift: polls stay on the grid of the first due time, and every slot is polled or counted', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 10, max: 5000 }),
      fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 200 }),
      (interval, lateness) => {
        const first = 1_000_000;
        let dueAt = first;
        let polls = 0;
        let missed = 0;
        let now = first;
        for (const late of lateness) {
          now = Math.max(now, dueAt) + late;
          polls += 1;
          const next = nextPoll(dueAt, now, interval);
          assert.equal((next.dueAt - first) % interval, 0, 'on the grid');
          assert.ok(next.dueAt > dueAt, 'moves forward');
          assert.ok(next.dueAt > now - interval, 'never more than one interval behind');
          missed += next.missed;
          dueAt = next.dueAt;
        }
        assert.equal(polls + missed, (dueAt - first) / interval, 'each slot polled once or counted missed');
      },
    ),
  );
});

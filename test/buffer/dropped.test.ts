import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tallyDrops } from '../../src/buffer/dropped.ts';

test('a tally counts drops by priority and cause and spans their seq range', () => {
  const first = tallyDrops(undefined, [{ seq: 7, priority: 'low' }], 'size', 100);
  const second = tallyDrops(
    first,
    [
      { seq: 3, priority: 'low' },
      { seq: 12, priority: 'critical' },
    ],
    'age',
    200,
  );
  assert.deepEqual(second, {
    count: 3,
    byPriority: { low: 2, critical: 1 },
    byCause: { size: 1, age: 2 },
    firstSeq: 3,
    lastSeq: 12,
    since: 100,
  });
  assert.deepEqual(first?.byCause, { size: 1 }, 'the earlier tally is left as it was');
});

test('no drops leaves the tally as it is', () => {
  assert.equal(tallyDrops(undefined, [], 'size', 1), undefined);
});

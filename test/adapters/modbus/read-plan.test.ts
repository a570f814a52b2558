import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReadRequest } from '../../../src/adapters/modbus/planner.ts';
import { MERGE_RETRY, ReadPlan } from '../../../src/adapters/modbus/read-plan.ts';

const merged: ReadRequest = {
  register: 'holding',
  start: 0,
  count: 6,
  points: [
    { id: 'a', offset: 0, words: 2 },
    { id: 'b', offset: 3, words: 1 },
    { id: 'c', offset: 5, words: 1 },
  ],
};
const alone: ReadRequest = {
  register: 'coil',
  start: 4,
  count: 1,
  points: [{ id: 'd', offset: 0, words: 1 }],
};

function shape(requests: readonly ReadRequest[]): string[] {
  return requests.map((r) => `${r.register} ${r.start}+${r.count} [${r.points.map((p) => p.id).join(' ')}]`);
}

const SPLIT = ['holding 0+2 [a]', 'holding 3+1 [b]', 'holding 5+1 [c]', 'coil 4+1 [d]'];
const MERGED = ['holding 0+6 [a b c]', 'coil 4+1 [d]'];

function plan() {
  const clock = { now: 1_000_000 };
  return { clock, plan: new ReadPlan([merged, alone], () => clock.now) };
}

describe('ReadPlan: a refused merged read is split, and merged again after a back-off', () => {
  test('reads as planned until a merged read is refused', () => {
    const { plan: p } = plan();
    assert.deepEqual(shape(p.reads()), MERGED);
    assert.deepEqual(shape(p.steady), MERGED);
  });

  test('a refused merged read gives its points one read each, from then on', () => {
    const { plan: p } = plan();
    const singles = p.refused(merged);
    assert.deepEqual(shape(singles ?? []), SPLIT.slice(0, 3));
    assert.deepEqual(shape(p.reads()), SPLIT);
    assert.deepEqual(shape(p.steady), SPLIT);
  });

  test('a refused single read has nothing to split', () => {
    const { plan: p } = plan();
    assert.equal(p.refused(alone), undefined);
    assert.deepEqual(shape(p.reads()), MERGED);
  });

  test('the merged read is tried again once the back-off is over, and kept when answered', () => {
    const { clock, plan: p } = plan();
    p.refused(merged);
    clock.now += MERGE_RETRY.firstMs - 1;
    assert.deepEqual(shape(p.reads()), SPLIT, 'still within the back-off');
    clock.now += 1;
    const trial = p.reads();
    assert.deepEqual(shape(trial), MERGED, 'the merged read is tried instead of its singles');
    assert.equal(p.answered(trial[0] as ReadRequest), true, 'answered: merged again');
    assert.deepEqual(shape(p.reads()), MERGED);
    assert.deepEqual(shape(p.steady), MERGED);
    assert.equal(p.answered(merged), false, 'nothing changes for a read that was never split');
  });

  test('each refused trial doubles the back-off, up to its ceiling', () => {
    const { clock, plan: p } = plan();
    p.refused(merged);
    let wait: number = MERGE_RETRY.firstMs;
    const waits: number[] = [];
    for (let trial = 0; trial < 12; trial++) {
      assert.equal(p.retryIn(merged), wait);
      clock.now += wait - 1;
      assert.deepEqual(shape(p.reads()), SPLIT);
      clock.now += 1;
      assert.deepEqual(shape(p.reads()), MERGED);
      assert.deepEqual(shape(p.refused(merged) ?? []), SPLIT.slice(0, 3));
      waits.push(wait);
      wait = Math.min(wait * 2, MERGE_RETRY.maxMs);
    }
    assert.equal(waits[1], 2 * MERGE_RETRY.firstMs);
    assert.equal(waits.at(-1), MERGE_RETRY.maxMs);
  });

  test('a trial answered resets the back-off for the next refusal', () => {
    const { clock, plan: p } = plan();
    p.refused(merged);
    clock.now += MERGE_RETRY.firstMs;
    p.refused(merged);
    assert.equal(p.retryIn(merged), 2 * MERGE_RETRY.firstMs);
    clock.now += 2 * MERGE_RETRY.firstMs;
    p.answered(merged);
    p.refused(merged);
    assert.equal(p.retryIn(merged), MERGE_RETRY.firstMs);
  });
});

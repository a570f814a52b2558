import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveThreshold, isEasing, levelSetting, targetLevel } from '../../src/alarms/limits.ts';
import type { LimitLevel, LimitRule } from '../../src/config/schema.ts';

const rule: LimitRule = {
  id: 'pressure',
  kind: 'limit',
  deadband: 0.5,
  HH: { value: 12 },
  H: { value: 10 },
  L: { value: 2 },
  LL: { value: 1 },
};

type Case = [value: number, current: LimitLevel | undefined, expected: LimitLevel | undefined];

function check(cases: Case[], r: LimitRule = rule): void {
  for (const [value, current, expected] of cases) {
    assert.equal(targetLevel(r, value, current), expected, `value ${value} in ${current ?? 'normal'}`);
  }
}

describe('targetLevel', () => {
  test('from normal, each level is entered at its limit exactly and no deadband applies', () => {
    check([
      [5, undefined, undefined],
      [9.999, undefined, undefined],
      [10, undefined, 'H'],
      [11.999, undefined, 'H'],
      [12, undefined, 'HH'],
      [2.001, undefined, undefined],
      [2, undefined, 'L'],
      [1.001, undefined, 'L'],
      [1, undefined, 'LL'],
    ]);
  });

  test('levels are exclusive: beyond HH is HH, beyond LL is LL', () => {
    check([
      [50, undefined, 'HH'],
      [50, 'H', 'HH'],
      [-50, undefined, 'LL'],
      [-50, 'L', 'LL'],
    ]);
  });

  test('in H the level holds down to H - deadband inclusive and is left below it', () => {
    check([
      [9.7, 'H', 'H'],
      [9.5, 'H', 'H'],
      [9.499, 'H', undefined],
    ]);
  });

  test('in L the level holds up to L + deadband inclusive and is left above it', () => {
    check([
      [2.3, 'L', 'L'],
      [2.5, 'L', 'L'],
      [2.501, 'L', undefined],
    ]);
  });

  test('in HH the level eases to H below HH - deadband, and H keeps its deadband', () => {
    check([
      [11.5, 'HH', 'HH'],
      [11.499, 'HH', 'H'],
      [10, 'HH', 'H'],
      [9.5, 'HH', 'H'],
      [9.499, 'HH', undefined],
    ]);
  });

  test('in LL the level eases to L above LL + deadband, and L keeps its deadband', () => {
    check([
      [1.5, 'LL', 'LL'],
      [1.501, 'LL', 'L'],
      [2.5, 'LL', 'L'],
      [2.501, 'LL', undefined],
    ]);
  });

  test('escalation needs the more severe limit exactly', () => {
    check([
      [11.9, 'H', 'H'],
      [12, 'H', 'HH'],
      [1.1, 'L', 'L'],
      [1, 'L', 'LL'],
    ]);
  });

  test('a value on the other side jumps to that side at its exact limit', () => {
    check([
      [2, 'H', 'L'],
      [1, 'H', 'LL'],
      [10, 'L', 'H'],
      [12, 'LL', 'HH'],
      [2.2, 'H', undefined],
    ]);
  });

  test('a level deadband overrides the rule deadband, for that level only', () => {
    const r: LimitRule = { ...rule, deadband: 0.5, H: { value: 10, deadband: 2 } };
    check(
      [
        [8, 'H', 'H'],
        [7.999, 'H', undefined],
        [11.5, 'HH', 'HH'],
        [11.4, 'HH', 'H'],
      ],
      r,
    );
  });

  test('without any deadband a level is left as soon as the value is past its limit', () => {
    const r: LimitRule = { id: 'p', kind: 'limit', H: { value: 10 }, L: { value: 2 } };
    check(
      [
        [10, 'H', 'H'],
        [9.999, 'H', undefined],
        [2, 'L', 'L'],
        [2.001, 'L', undefined],
      ],
      r,
    );
  });

  test('missing levels are skipped: with only HH and L, a value above HH is HH and between is normal', () => {
    const r: LimitRule = { id: 'p', kind: 'limit', HH: { value: 12 }, L: { value: 2 } };
    check(
      [
        [11, undefined, undefined],
        [12, undefined, 'HH'],
        [0, undefined, 'L'],
        [11.9, 'HH', 'HH'],
      ],
      { ...r, deadband: 0.5 },
    );
  });

  test('a rule without levels never alarms', () => {
    check([[1e9, undefined, undefined]], { id: 'p', kind: 'limit' });
  });
});

describe('limit helpers', () => {
  test('levelSetting resolves the deadband: level, then rule, then 0', () => {
    assert.deepEqual(levelSetting({ ...rule, H: { value: 10, deadband: 1, priority: 'high' } }, 'H'), {
      level: 'H',
      limit: 10,
      deadband: 1,
      priority: 'high',
    });
    assert.deepEqual(levelSetting(rule, 'L'), { level: 'L', limit: 2, deadband: 0.5 });
    assert.deepEqual(levelSetting({ id: 'p', kind: 'limit', L: { value: 2 } }, 'L'), {
      level: 'L',
      limit: 2,
      deadband: 0,
    });
    assert.equal(levelSetting({ id: 'p', kind: 'limit' }, 'HH'), undefined);
  });

  test('effectiveThreshold moves the limit toward normal only for levels the alarm is in', () => {
    const h = levelSetting(rule, 'H');
    const l = levelSetting(rule, 'L');
    assert.ok(h && l);
    assert.equal(effectiveThreshold(h, undefined), 10);
    assert.equal(effectiveThreshold(h, 'H'), 9.5);
    assert.equal(effectiveThreshold(h, 'HH'), 9.5);
    assert.equal(effectiveThreshold(h, 'L'), 10);
    assert.equal(effectiveThreshold(l, 'LL'), 2.5);
  });

  test('isEasing is true only for HH -> H and LL -> L', () => {
    assert.equal(isEasing('HH', 'H'), true);
    assert.equal(isEasing('LL', 'L'), true);
    assert.equal(isEasing('H', 'HH'), false);
    assert.equal(isEasing('H', 'L'), false);
    assert.equal(isEasing(undefined, 'H'), false);
  });
});

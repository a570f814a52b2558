import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Transition } from '../../src/alarms/event.ts';
import { conditionText, delayText } from '../../src/alarms/reason-text.ts';
import type { LimitLevel } from '../../src/config/schema.ts';
import { limitDef } from './fixtures.ts';

const def = limitDef({ deadband: 0.5 });
const noDeadband = limitDef();

function text(
  transition: Transition,
  value: number,
  from: LimitLevel | undefined,
  to: LimitLevel | undefined,
  d = def,
): string {
  return conditionText(d, {
    transition,
    sample: { value, quality: 'good', time: 0 },
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
}

describe('reason text of limit alarms', () => {
  const cases: [string, ReturnType<typeof text>, string][] = [
    ['raise H', text('raise', 10.5, undefined, 'H'), 'value 10.5 >= H limit 10'],
    ['raise HH', text('raise', 12.4, undefined, 'HH'), 'value 12.4 >= HH limit 12'],
    ['raise L', text('raise', 1.5, undefined, 'L'), 'value 1.5 <= L limit 2'],
    ['raise LL', text('raise', 0.5, undefined, 'LL'), 'value 0.5 <= LL limit 1'],
    ['escalate H -> HH', text('level_change', 12.1, 'H', 'HH'), 'value 12.1 >= HH limit 12'],
    [
      'ease HH -> H, past the H limit',
      text('level_change', 11.4, 'HH', 'H'),
      'value 11.4 < HH limit 12 - deadband 0.5; value 11.4 >= H limit 10',
    ],
    [
      'ease HH -> H, held by the H deadband',
      text('level_change', 9.8, 'HH', 'H'),
      'value 9.8 < HH limit 12 - deadband 0.5; value 9.8 >= H limit 10 - deadband 0.5',
    ],
    [
      'ease LL -> L',
      text('level_change', 1.6, 'LL', 'L'),
      'value 1.6 > LL limit 1 + deadband 0.5; value 1.6 <= L limit 2',
    ],
    ['jump H -> L', text('level_change', 1.5, 'H', 'L'), 'value 1.5 <= L limit 2'],
    ['clear H', text('clear', 9.4, 'H', undefined), 'value 9.4 < H limit 10 - deadband 0.5'],
    ['clear L', text('clear', 2.6, 'L', undefined), 'value 2.6 > L limit 2 + deadband 0.5'],
    [
      'clear straight from HH',
      text('clear', 9, 'HH', undefined),
      'value 9 < HH limit 12 - deadband 0.5; value 9 < H limit 10 - deadband 0.5',
    ],
    ['clear without deadband', text('clear', 9.9, 'H', undefined, noDeadband), 'value 9.9 < H limit 10'],
  ];
  for (const [name, actual, expected] of cases) {
    test(name, () => assert.equal(actual, expected));
  }

  test('a level no longer in the rule still gets a text instead of an error', () => {
    const onlyH = limitDef({ HH: undefined, H: { value: 10 }, L: undefined, LL: undefined });
    assert.equal(text('clear', 5, 'LL', undefined, onlyH), 'value 5 is within every limit');
  });
});

describe('delay text', () => {
  test('names how long the condition held against the delay it needed', () => {
    assert.equal(delayText('raise', 1200, 1000), ' for 1200 ms (on-delay 1000 ms)');
    assert.equal(delayText('clear', 2000, 2000), ' for 2000 ms (off-delay 2000 ms)');
  });
});

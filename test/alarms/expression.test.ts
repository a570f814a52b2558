import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluateExpression,
  type Operand,
  parseExpression,
  referencesOf,
} from '../../src/alarms/expression.ts';

const resolve = (ref: string) => (ref.includes('/') ? ref : `plc/${ref}`);
const values = (entries: Record<string, Operand>) => (key: string) => entries[key];

describe('suppression conditions', () => {
  const cases: [string, Record<string, Operand>, boolean | undefined][] = [
    ['running == false', { 'plc/running': false }, true],
    ['running == 0', { 'plc/running': false }, true],
    ['running', { 'plc/running': true }, true],
    ['not running', { 'plc/running': true }, false],
    ['speed < 5 and mode != 2', { 'plc/speed': 3, 'plc/mode': 1 }, true],
    ['speed < 5 and mode != 2', { 'plc/speed': 3, 'plc/mode': 2 }, false],
    ['speed >= 5 or other/stopped', { 'plc/speed': 3, 'other/stopped': true }, true],
    ['(a > 1 or b > 1) and not c', { 'plc/a': 2, 'plc/b': 0, 'plc/c': false }, true],
    ['x <= -1.5e1', { 'plc/x': -20 }, true],
    ['x > 1', {}, undefined],
    ['x > 1 and y', { 'plc/y': false }, false],
    ['x > 1 or y', { 'plc/y': true }, true],
    ['x > 1 or y', { 'plc/y': false }, undefined],
    ['not x', {}, undefined],
  ];
  for (const [text, known, expected] of cases) {
    test(`${text} with ${JSON.stringify(known)} is ${expected}`, () => {
      assert.equal(evaluateExpression(parseExpression(text, resolve), values(known)), expected);
    });
  }

  test('references are resolved to point keys', () => {
    assert.deepEqual(referencesOf(parseExpression('a == 1 and other-dev/b.c < 2 or not d', resolve)), [
      'plc/a',
      'other-dev/b.c',
      'plc/d',
    ]);
  });

  const errors: [string, RegExp][] = [
    ['', /expected a point, a number, true or false but the condition ends at column 1/],
    ['a ==', /but the condition ends at column 5/],
    ['a == == 1', /found "==" at column 6/],
    ['(a == 1', /expected "\)" but the condition ends/],
    ['a == 1)', /unexpected "\)" at column 7/],
    ['a & b', /unexpected "&" at column 3/],
    ['a b', /unexpected "b" at column 3/],
    ['and', /found "and" at column 1/],
  ];
  for (const [text, message] of errors) {
    test(`"${text}" is refused with its position`, () => {
      assert.throws(() => parseExpression(text, resolve), message);
    });
  }
});

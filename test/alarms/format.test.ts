import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatNumber, formatValue, isoTime, utcDate } from '../../src/alarms/format.ts';

describe('formatNumber', () => {
  const cases: [number, string][] = [
    [12, '12'],
    [12.399999618530273, '12.4'],
    [0.1 + 0.2, '0.3'],
    [-3.25, '-3.25'],
    [123456789, '123456789'],
    [123456.789, '123456.8'],
    [0.000012345678, '0.00001234568'],
    [0, '0'],
  ];
  for (const [value, expected] of cases) {
    test(`${value} -> ${expected}`, () => assert.equal(formatNumber(value), expected));
  }
});

describe('formatValue, isoTime and utcDate', () => {
  test('booleans print as words', () => {
    assert.equal(formatValue(true), 'true');
    assert.equal(formatValue(false), 'false');
  });

  test('times are RFC 3339 UTC with milliseconds and dates are their UTC day', () => {
    const iso = isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 7));
    assert.equal(iso, '2026-01-01T00:00:00.007Z');
    assert.equal(utcDate(iso), '2026-01-01');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/commands/duration.ts';

test('durations in hours, minutes, seconds and milliseconds, alone or combined', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('8h'), 28_800_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m500ms'), 60_500);
});

test('anything else is not a duration', () => {
  for (const text of ['', '30', 'm', '0m', '0s0ms', '-5m', '1.5h', '30 m', '30min', '1d', 'h30']) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

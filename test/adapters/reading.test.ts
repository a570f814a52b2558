/** The source time rule every adapter applies to device timestamps. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isRepresentableTime,
  type Reading,
  screenSourceTime,
  sourceTimeProblem,
} from '../../src/adapters/reading.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const DAY = 86_400_000;

test('times an event can carry: RFC 3339 years 0000 to 9999, nothing else', () => {
  for (const ok of [0, NOW, Date.UTC(9999, 11, 31, 23, 59, 59, 999), -62_167_219_200_000]) {
    assert.equal(isRepresentableTime(ok), true, String(ok));
  }
  for (const bad of [1e16, 1.7e18, 2 ** 64, -1e16, Date.UTC(10_000, 0, 1), -62_167_219_200_001, Number.NaN]) {
    assert.equal(isRepresentableTime(bad), false, String(bad));
  }
});

test('a source time within the tolerance either way is fine; beyond it, or no time at all, is a problem', () => {
  assert.equal(sourceTimeProblem(NOW - 6 * DAY, NOW, 7 * DAY), undefined);
  assert.equal(sourceTimeProblem(NOW + 6 * DAY, NOW, 7 * DAY), undefined);
  assert.match(
    sourceTimeProblem(NOW + 8 * DAY, NOW, 7 * DAY) ?? '',
    /8 days ahead of the gateway clock \(tolerance 7 days\)/,
  );
  assert.match(
    sourceTimeProblem(NOW - 3_600_000, NOW, 60_000) ?? '',
    /60 min behind the gateway clock \(tolerance 60 s\)/,
  );
  // Seconds where milliseconds belong: January 1970.
  assert.match(sourceTimeProblem(NOW / 1000, NOW) ?? '', /^source time 1970-01-21T.* 56 years behind/);
  assert.match(
    sourceTimeProblem(1e16, NOW) ?? '',
    /source time 10000000000000000 is no time between the years 0000 and 9999/,
  );
  assert.match(sourceTimeProblem(Date.UTC(10_000, 0, 1), NOW) ?? '', /no time between/);
});

test('screening makes a reading with an implausible source time bad, without that time', () => {
  const reading: Reading = { deviceId: 'd', pointId: 'p', value: 4, quality: 'good', gatewayTime: NOW };
  assert.equal(screenSourceTime(reading), reading, 'no source time: unchanged');
  const fine = { ...reading, sourceTime: NOW - 1000 };
  assert.equal(screenSourceTime(fine), fine);
  const screened = screenSourceTime({ ...reading, sourceTime: 1.7e18 });
  assert.equal(screened.quality, 'bad');
  assert.equal(screened.value, null);
  assert.equal(screened.sourceTime, undefined);
  assert.match(screened.qualityReason ?? '', /source time 1700000000000000000/);
  assert.equal(screenSourceTime({ ...reading, sourceTime: NOW - 2 * DAY }, DAY).quality, 'bad');
});

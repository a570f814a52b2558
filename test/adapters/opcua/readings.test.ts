import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pointReadings } from '../../../src/adapters/opcua/readings.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';

const NOW = Date.UTC(2026, 5, 1);
const good = (sourceTime: number) => ({ value: 42, status: 0, statusText: 'Good', sourceTime });

test("a SourceTimestamp within the device's tolerance keeps the value and its time", () => {
  const readings = pointReadings('ua', createLogger('silent'), { badValues: 0 }, 3_600_000);
  const reading = readings.of('level', good(NOW - 3_000_000), NOW);
  assert.equal(reading.quality, 'good');
  assert.equal(reading.sourceTime, NOW - 3_000_000);
});

test('a SourceTimestamp further from the gateway clock than the tolerance makes the reading bad', () => {
  const readings = pointReadings('ua', createLogger('silent'), { badValues: 0 }, 3_600_000);
  const reading = readings.of('level', good(NOW - 4_000_000), NOW);
  assert.equal(reading.quality, 'bad');
  assert.equal(reading.value, null);
  assert.equal(reading.sourceTime, undefined);
  assert.match(reading.qualityReason ?? '', /.+/);
  const lenient = pointReadings('ua', createLogger('silent'), { badValues: 0 }, 86_400_000);
  assert.equal(
    lenient.of('level', good(NOW - 4_000_000), NOW).quality,
    'good',
    'a wider tolerance accepts it',
  );
});

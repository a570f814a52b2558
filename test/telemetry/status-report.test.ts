import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Quality } from '../../src/adapters/reading.ts';
import { DeviceWatch } from '../../src/telemetry/device-watch.ts';
import { readiness } from '../../src/telemetry/health.ts';
import { type StatusContext, statusReport } from '../../src/telemetry/status-report.ts';
import { alarmView, observed } from './fixtures.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

const watch = new DeviceWatch(undefined, () => NOW - 1500);
const reading = (deviceId: string, pointId: string, quality: Quality) => ({
  deviceId,
  pointId,
  value: 1,
  quality,
  gatewayTime: 0,
});
watch.readings(
  'plc-1',
  ['a', 'b', 'c'].map((p) => reading('plc-1', p, 'good')),
);
watch.readings('plc-1', [reading('plc-1', 'd', 'uncertain')]);
watch.readings('plc-2', [reading('plc-2', 'a', 'uncertain')]);

function context(overrides: Partial<StatusContext> = {}): StatusContext {
  return {
    site: 'site-a',
    gatewayId: 'gw-1',
    refreshMs: 2000,
    actionsEnabled: false,
    readiness: readiness({
      configLoaded: true,
      bufferProblem: undefined,
      devices: [],
      minDevicesShare: 0.5,
      brokerUp: true,
    }),
    readingsOf: (id, up) => watch.of(id, up),
    now: NOW,
    ...overrides,
  };
}

test('devices with their connection, last good read and point qualities; a lost device has no good point', () => {
  const report = statusReport(observed(), context());
  assert.deepEqual(report.devices, [
    {
      id: 'plc-1',
      up: true,
      lost: false,
      consecutive_failures: 0,
      last_good_read_at: '2026-03-01T11:59:58.500Z',
      points: { good: 3, uncertain: 1, bad: 0 },
    },
    {
      id: 'plc-2',
      up: false,
      lost: true,
      consecutive_failures: 4,
      last_error: 'connect ECONNREFUSED',
      points: { good: 0, uncertain: 0, bad: 1 },
    },
  ]);
});

test('alarms by priority, active before returned-to-normal, oldest first; age only when known', () => {
  const cleared = { ...alarmView().flags, active: false, level: undefined };
  const report = statusReport(
    observed({
      alarms: [
        alarmView({ conditionId: 'a/low/new', priority: 'low', activeSince: NOW - 5_000 }),
        alarmView({ conditionId: 'a/high/new', priority: 'high', activeSince: NOW - 5_000 }),
        alarmView({ conditionId: 'a/high/cleared', priority: 'high', flags: cleared }),
        alarmView({ conditionId: 'a/high/old', priority: 'high', activeSince: NOW - 3_600_000 }),
        alarmView({ conditionId: 'a/critical/restored', priority: 'critical' }),
        alarmView({
          conditionId: 'a/medium/shelved',
          priority: 'medium',
          flags: { ...alarmView().flags, shelved: true },
        }),
      ],
    }),
    context(),
  );
  assert.deepEqual(
    report.alarms.map((a) => [a.condition_id, a.age_s]),
    [
      ['a/critical/restored', undefined],
      ['a/high/old', 3600],
      ['a/high/new', 5],
      ['a/high/cleared', undefined],
      ['a/medium/shelved', undefined],
      ['a/low/new', 5],
    ],
  );
  assert.equal(report.alarms[1]?.active_since, '2026-03-01T11:00:00.000Z');
  assert.deepEqual(
    report.active_by_priority,
    { critical: 1, high: 2, medium: 0, low: 1, diagnostic: 0 },
    'a shelved alarm is not counted as shown',
  );
});

test('buffer depth and oldest event, its problem, and the broker with its last error while down', () => {
  const report = statusReport(
    observed({
      buffer: {
        events: 12,
        bytes: 4096,
        oldestSeq: 7,
        oldestCreatedAt: NOW - 90_000,
        lastSeq: 18,
        dropped: 2,
        deadLetters: 1,
      },
      bufferProblem: '[buffer] BUFFER_WRITE: SQLITE_FULL',
      producer: { ...observed().producer, brokerUp: false, delivered: 6, lastError: 'timeout' },
    }),
    context({ actionsEnabled: true }),
  );
  assert.deepEqual(report.buffer, {
    events: 12,
    bytes: 4096,
    oldest_at: '2026-03-01T11:58:30.000Z',
    oldest_age_s: 90,
    dead_letters: 1,
    dropped: 2,
    writable: false,
    problem: '[buffer] BUFFER_WRITE: SQLITE_FULL',
  });
  assert.deepEqual(report.broker, { up: false, delivered: 6, last_error: 'timeout' });
  assert.equal(report.actions_enabled, true);
  assert.equal(report.generated_at, '2026-03-01T12:00:00.000Z');
});

/** Stage status as the gateway reports it, for telemetry tests that need no running gateway. */
import type { AlarmView } from '../../src/alarms/view.ts';
import type { ObservedStatus } from '../../src/telemetry/observed.ts';

export function observed(overrides: Partial<ObservedStatus> = {}): ObservedStatus {
  return {
    devices: [
      { deviceId: 'plc-1', connected: true, lost: false, consecutiveFailures: 0, polls: 10, overruns: 0 },
      {
        deviceId: 'plc-2',
        connected: false,
        lost: true,
        consecutiveFailures: 4,
        polls: 3,
        overruns: 2,
        lastError: 'connect ECONNREFUSED',
      },
    ],
    alarms: [],
    buffer: {
      events: 0,
      bytes: 0,
      oldestSeq: null,
      oldestCreatedAt: null,
      lastSeq: 0,
      dropped: 0,
      deadLetters: 0,
    },
    producer: {
      delivered: 0,
      batches: 0,
      failures: 0,
      deadLettered: 0,
      liveAhead: 0,
      brokerUp: true,
      failuresByCode: {},
    },
    ...overrides,
  };
}

export function alarmView(overrides: Partial<AlarmView> = {}): AlarmView {
  return {
    conditionId: 'site-a/area-1/line-1/asset-1/temperature/temp',
    kind: 'limit',
    area: 'area-1',
    asset: 'asset-1',
    device: 'plc-1',
    point: 'temperature',
    alarm: 'temp',
    priority: 'high',
    flags: {
      active: true,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
      level: 'H',
    },
    ...overrides,
  };
}

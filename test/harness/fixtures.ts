import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AlarmEventDraft, EVENT_SCHEMA } from '../../src/alarms/event.ts';

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'gateway-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** A complete, valid event draft; override what the test is about. */
export function draft(overrides: Partial<AlarmEventDraft> = {}): AlarmEventDraft {
  counter += 1;
  return {
    event_id: `00000000-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    schema: EVENT_SCHEMA,
    gateway_id: 'gw-test',
    site: 'site-a',
    area: 'area-1',
    line: 'line-1',
    asset: 'asset-1',
    device: 'plc-1',
    point: 'temperature',
    alarm: 'temp',
    condition_id: 'site-a/area-1/line-1/asset-1/temperature/temp',
    kind: 'limit',
    transition: 'raise',
    state: {
      active: true,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
      level: 'H',
    },
    priority: 'high',
    severity: 700,
    value: 81,
    unit: 'degC',
    quality: 'good',
    limit: 80,
    deadband: 1,
    source_time: '2026-01-02T03:04:05.678Z',
    gateway_time: '2026-01-02T03:04:05.700Z',
    event_date: '2026-01-02',
    message: 'asset-1 temperature H alarm: 81 degC (limit 80)',
    reason: { rule: 'temp', text: 'value 81 >= H limit 80' },
    ...overrides,
  };
}

/** An OPC UA device and a link that records what a push adapter delivers, for the adapter tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushLink } from '../../../src/adapters/adapter.ts';
import type { ConditionReport, ConditionSync } from '../../../src/adapters/condition-report.ts';
import type { Reading } from '../../../src/adapters/reading.ts';
import type { OpcuaDevice } from '../../../src/config/schema.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { until } from '../../harness/wait.ts';

export const NS = 'urn:edge-alarm-gateway:test:boiler';

export const logger = createLogger('silent');

export function boilerDevice(overrides: Partial<OpcuaDevice> = {}): OpcuaDevice {
  return {
    id: 'boiler-ua',
    protocol: 'opcua',
    endpoint: 'opc.tcp://127.0.0.1:4840',
    security_mode: 'None',
    area: 'utilities',
    line: 'steam',
    asset: 'boiler-1',
    publishing_interval_ms: 50,
    sampling_interval_ms: 20,
    keepalive_ms: 1500,
    timeout_ms: 2000,
    points: [
      { id: 'level', node_id: `nsu=${NS};s=Boiler.Level`, unit: '%' },
      { id: 'trip', node_id: `nsu=${NS};s=Boiler.Trip`, type: 'bool' },
    ],
    ...overrides,
  };
}

export class RecordingLink implements PushLink {
  readonly readings: Reading[] = [];
  /** `refresh` for the complete set of a ConditionRefresh, kept apart from how else a set was learned. */
  readonly conditionBatches: { reports: ConditionReport[]; sync: ConditionSync; refresh: boolean }[] = [];
  readonly links: { up: boolean; detail: string }[] = [];

  deliver(readings: readonly Reading[]): boolean {
    this.readings.push(...readings);
    return true;
  }

  conditions(reports: readonly ConditionReport[], sync: ConditionSync): boolean {
    this.conditionBatches.push({ reports: [...reports], sync, refresh: sync === 'refresh' });
    return true;
  }

  link(up: boolean, detail: string): void {
    this.links.push({ up, detail });
  }

  last(pointId: string): Reading | undefined {
    return this.readings.filter((reading) => reading.pointId === pointId).at(-1);
  }

  async until(pointId: string, check: (reading: Reading) => boolean, timeoutMs = 5000): Promise<Reading> {
    await until(
      () => this.readings.some((r) => r.pointId === pointId && check(r)),
      `a reading of ${pointId}`,
      timeoutMs,
    );
    return this.readings.filter((r) => r.pointId === pointId && check(r)).at(-1) as Reading;
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

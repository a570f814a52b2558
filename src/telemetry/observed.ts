/**
 * What telemetry reads from a running gateway, in the stages' own terms.
 * The gateway's status() has this shape; telemetry never reaches into a stage.
 */
import type { DeviceStatus } from '../adapters/runner.ts';
import type { AlarmView } from '../alarms/view.ts';
import type { OutboxStats } from '../buffer/outbox.ts';
import type { ForwarderStats } from '../producer/forwarder.ts';

export interface ObservedStatus {
  devices: readonly DeviceStatus[];
  alarms: readonly AlarmView[];
  buffer: OutboxStats;
  producer: ForwarderStats;
  /** Why the buffer refuses events right now (a full disk, a broken file), if it does. */
  bufferProblem?: string | undefined;
}

/** Up: connected and not declared lost. */
export function deviceUp(device: DeviceStatus): boolean {
  return device.connected && !device.lost;
}

/**
 * ISA-18.2 key figures of the alarm system, computed by the alarm stage; the
 * metrics publish whatever snapshot it registers (GatewayMetrics.useAlarmKpis).
 */
export interface AlarmKpiSnapshot {
  /** Alarms annunciated in the last 10 minutes, per area. */
  annunciatedLast10Min: Readonly<Record<string, number>>;
  /** Share of time (0..1) the alarm system spent in flood, over the KPI window. */
  floodTimeShare: number;
  /** Alarms active for longer than the standing threshold. */
  standing: number;
  shelved: number;
}

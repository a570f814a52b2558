/**
 * What telemetry reads from a running gateway, in the stages' own terms.
 * The gateway's status() has this shape; telemetry never reaches into a stage.
 */
import type { DeviceStatus } from '../adapters/runner.ts';
import type { AlarmView } from '../alarms/view.ts';
import type { OutboxStats } from '../buffer/outbox.ts';
import type { IntakeStats } from '../operator/intake.ts';
import type { ForwarderStats } from '../producer/forwarder.ts';

export interface ObservedStatus {
  devices: readonly DeviceStatus[];
  alarms: readonly AlarmView[];
  buffer: OutboxStats;
  producer: ForwarderStats;
  /** The operator command intake; absent when the site file reads no commands. */
  commands?: IntakeStats;
  /** Why the buffer refuses events right now (a full disk, a broken file), if it does. */
  bufferProblem?: string | undefined;
}

/** Up: connected and not declared lost. */
export function deviceUp(device: DeviceStatus): boolean {
  return device.connected && !device.lost;
}

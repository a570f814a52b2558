/**
 * The JSON behind the status page (/api/status): devices, alarms that need
 * attention, the buffer and the broker, in one read of the gateway's status.
 * Pure, so the page's content is tested without a browser.
 */
import type { AlarmStateFlags } from '../alarms/event.ts';
import { isHidden } from '../alarms/state.ts';
import type { DeviceReadings } from './device-watch.ts';
import type { Readiness } from './health.ts';
import { deviceUp, type ObservedStatus } from './observed.ts';

const PRIORITY_ORDER = ['critical', 'high', 'medium', 'low', 'diagnostic'];

export interface StatusContext {
  site: string;
  gatewayId: string;
  refreshMs: number;
  actionsEnabled: boolean;
  readiness: Readiness;
  readingsOf: (deviceId: string, up: boolean) => DeviceReadings;
  now: number;
}

export interface StatusReport {
  generated_at: string;
  site: string;
  gateway_id: string;
  refresh_ms: number;
  actions_enabled: boolean;
  ready: boolean;
  devices: {
    id: string;
    up: boolean;
    lost: boolean;
    consecutive_failures: number;
    last_error?: string;
    last_good_read_at?: string;
    points: DeviceReadings['qualities'];
  }[];
  alarms: {
    condition_id: string;
    priority: string;
    kind: string;
    area: string;
    asset: string;
    device: string;
    point: string;
    alarm: string;
    flags: AlarmStateFlags;
    /** When it last became active, if known. */
    active_since?: string;
    age_s?: number;
  }[];
  /** Active alarms shown to operators (not shelved, suppressed or out of service). */
  active_by_priority: Record<string, number>;
  buffer: {
    events: number;
    bytes: number;
    oldest_at?: string;
    oldest_age_s?: number;
    dead_letters: number;
    dropped: number;
    writable: boolean;
    problem?: string;
  };
  broker: { up: boolean; delivered: number; last_error?: string };
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

export function statusReport(status: ObservedStatus, context: StatusContext): StatusReport {
  const { now } = context;
  const alarms = status.alarms
    .map((alarm) => {
      const since = alarm.activeSince;
      return {
        condition_id: alarm.conditionId,
        priority: alarm.priority,
        kind: alarm.kind,
        area: alarm.area,
        asset: alarm.asset,
        device: alarm.device,
        point: alarm.point,
        alarm: alarm.alarm,
        flags: alarm.flags,
        ...(since === undefined ? {} : { active_since: iso(since), age_s: seconds(now - since) }),
      };
    })
    .sort(
      (a, b) =>
        PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) ||
        Number(b.flags.active) - Number(a.flags.active) ||
        (b.age_s ?? 0) - (a.age_s ?? 0),
    );
  const activeByPriority = Object.fromEntries(
    PRIORITY_ORDER.map((p) => [
      p,
      alarms.filter((a) => a.priority === p && a.flags.active && !isHidden(a.flags)).length,
    ]),
  );
  const { buffer, producer } = status;
  return {
    generated_at: iso(now),
    site: context.site,
    gateway_id: context.gatewayId,
    refresh_ms: context.refreshMs,
    actions_enabled: context.actionsEnabled,
    ready: context.readiness.ok,
    devices: status.devices.map((device) => {
      const readings = context.readingsOf(device.deviceId, deviceUp(device));
      return {
        id: device.deviceId,
        up: deviceUp(device),
        lost: device.lost,
        consecutive_failures: device.consecutiveFailures,
        ...(device.lastError === undefined ? {} : { last_error: device.lastError }),
        ...(readings.lastGoodReadAt === undefined ? {} : { last_good_read_at: iso(readings.lastGoodReadAt) }),
        points: readings.qualities,
      };
    }),
    alarms,
    active_by_priority: activeByPriority,
    buffer: {
      events: buffer.events,
      bytes: buffer.bytes,
      ...(buffer.oldestCreatedAt === null
        ? {}
        : { oldest_at: iso(buffer.oldestCreatedAt), oldest_age_s: seconds(now - buffer.oldestCreatedAt) }),
      dead_letters: buffer.deadLetters,
      dropped: buffer.dropped,
      writable: status.bufferProblem === undefined,
      ...(status.bufferProblem === undefined ? {} : { problem: status.bufferProblem }),
    },
    broker: {
      up: producer.brokerUp,
      delivered: producer.delivered,
      ...(producer.brokerUp || producer.lastError === undefined ? {} : { last_error: producer.lastError }),
    },
  };
}

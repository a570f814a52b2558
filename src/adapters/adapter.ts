/**
 * The contract every protocol adapter implements. A polled adapter only has
 * to connect and poll once; a push adapter (subscriptions) connects and
 * delivers. Scheduling, reconnects, backoff and the decision that a device is
 * lost belong to the runner (runner.ts), which drives any adapter through
 * these interfaces and hands what it gets to a RunnerSink.
 */
import type { ConditionReport, ConditionSync } from './condition-report.ts';
import type { Reading } from './reading.ts';

/** One open connection to a device. */
export interface DeviceSession {
  /** Reads every point once. Throws only when the device as a whole failed; a bad point is a bad reading. */
  poll(): Promise<Reading[]>;
  close(): Promise<void>;
}

/** A device the runner polls on a fixed schedule (Modbus, OPC UA reads). */
export interface PollingAdapter {
  readonly deviceId: string;
  readonly mode?: 'poll';
  /** The points it reads, known before any poll. */
  readonly pointIds?: readonly string[];
  connect(): Promise<DeviceSession>;
}

/** How a push adapter hands its data and its link state to the runner. */
export interface PushLink {
  /**
   * Hands readings to the alarm stage and returns once they are committed to
   * the buffer: true when committed, false when not (acknowledge nothing upstream then).
   */
  deliver(readings: readonly Reading[]): boolean;
  /** The protocol library lost the device, or got it back, while it reconnects by itself. */
  link(up: boolean, detail: string): void;
  /**
   * Alarms the device keeps itself, as it reported them; `sync` says how they
   * were learned (live, a complete refresh, or read because the device refused one).
   * Returns whether the events they produced are committed.
   */
  conditions?(reports: readonly ConditionReport[], sync: ConditionSync): boolean;
}

/** One open push connection (subscriptions, MQTT session). */
export interface PushSession {
  /** Settles when the session is over for good and the runner must connect again from scratch. */
  readonly ended: Promise<unknown>;
  /**
   * Connected, but the device is not known to be there yet (a Sparkplug edge
   * node before its birth): the adapter reports `link(true)` once it is.
   */
  readonly awaitingDevice?: boolean;
  close(): Promise<void>;
}

/**
 * A connect failure that must not be retried soon (refused credentials, a
 * TLS or ACL refusal): hammering the broker would not fix it and may lock the
 * account. The runner waits at least this long before the next attempt.
 */
export interface SlowRetry {
  readonly retryAfterMs: number;
}

/** A device that pushes its values (OPC UA subscriptions, MQTT). */
export interface PushAdapter {
  readonly deviceId: string;
  readonly mode: 'push';
  /** The points it delivers, known before any delivery. */
  readonly pointIds?: readonly string[];
  connect(link: PushLink): Promise<PushSession>;
}

export type DeviceAdapter = PollingAdapter | PushAdapter;

export interface RunnerSink {
  /** Returns whether the readings and the events they produced are committed. */
  readings(readings: readonly Reading[]): boolean;
  /** Alarms a device keeps itself; adapters without them never call it. */
  conditions?(deviceId: string, reports: readonly ConditionReport[], sync: ConditionSync): boolean;
  /**
   * Reported on every change and after the first successful poll, so a
   * persisted alarm can clear. Returns whether the events it produced are
   * committed; the runner asks again until they are, as a poll decides its
   * readings again.
   */
  communication(deviceId: string, lost: boolean, detail: string, at: number): boolean;
}

/**
 * Watches a device's polls and readings without taking part: metrics and the
 * status page hang here, and the runner works the same without one.
 */
export interface RunnerObserver {
  /** One poll (connect included) finished: how long it took and whether it succeeded. */
  polled?(deviceId: string, durationMs: number, ok: boolean): void;
  /** Readings the device delivered, polled or pushed. */
  readings?(deviceId: string, readings: readonly Reading[]): void;
  /** The device's points, told at start: none has a value until the device delivers one. */
  points?(deviceId: string, pointIds: readonly string[]): void;
}

/**
 * Owns everything around a device that is not protocol: the poll schedule,
 * reconnects with backoff and jitter, and the decision that a device is lost.
 * A polled adapter only has to connect and poll once; a push adapter
 * (subscriptions) connects and delivers; the runner does the rest.
 */
import { Backoff } from '../system/backoff.ts';
import { GatewayError } from '../system/errors.ts';
import { sleep } from '../system/sleep.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ConditionReport, ConditionSync } from './condition-report.ts';
import { nextPoll } from './poll-schedule.ts';
import type { Reading } from './reading.ts';

/** One open connection to a device. */
export interface DeviceSession {
  /** Reads every point once. Throws only when the device as a whole failed; a bad point is a bad reading. */
  poll(): Promise<Reading[]>;
  close(): Promise<void>;
}

/** A device the runner polls on a fixed schedule (Modbus, OPC UA reads). */
export interface PollingDriver {
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

function retryAfterOf(cause: unknown): number {
  const hint = (cause as Partial<SlowRetry> | undefined)?.retryAfterMs;
  return typeof hint === 'number' && hint > 0 ? hint : 0;
}

/** A device that pushes its values (OPC UA subscriptions, MQTT). */
export interface PushDriver {
  readonly deviceId: string;
  readonly mode: 'push';
  /** The points it delivers, known before any delivery. */
  readonly pointIds?: readonly string[];
  connect(link: PushLink): Promise<PushSession>;
}

export type DeviceDriver = PollingDriver | PushDriver;

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

export interface DeviceRunnerOptions {
  driver: DeviceDriver;
  pollIntervalMs: number;
  /** Failed polls (or connects) in a row before the device counts as lost. */
  commLossAfter: number;
  sink: RunnerSink;
  logger: Logger;
  backoff?: Backoff;
  now?: () => number;
  observer?: RunnerObserver;
}

export interface DeviceStatus {
  deviceId: string;
  connected: boolean;
  lost: boolean;
  consecutiveFailures: number;
  polls: number;
  /** Due polls skipped because the poll before them was still running. */
  overruns: number;
  lastError?: string;
}

export class DeviceRunner {
  readonly #options: DeviceRunnerOptions;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #stop = new AbortController();
  #session: DeviceSession | PushSession | undefined;
  #loop: Promise<void> | undefined;
  /** The link state last committed downstream; undefined before the first report. */
  #reportedLost: boolean | undefined;
  /** A link state the buffer refused (full, or failing), asked again until committed or overtaken. */
  #unreported: { lost: boolean; detail: string; at: number } | undefined;
  #reportRetry: ReturnType<typeof setTimeout> | undefined;
  readonly #reportBackoff = new Backoff({ initialMs: 200, maxMs: 5_000 });
  #progressAt: number;
  readonly status: DeviceStatus;

  constructor(options: DeviceRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#backoff =
      options.backoff ?? new Backoff({ initialMs: Math.min(options.pollIntervalMs, 500), maxMs: 30_000 });
    this.#progressAt = this.#now();
    this.status = {
      deviceId: options.driver.deviceId,
      connected: false,
      lost: false,
      consecutiveFailures: 0,
      polls: 0,
      overruns: 0,
    };
  }

  /**
   * When a polling loop last moved on (a poll or connect ended either way); a
   * push session may rightly sit still, so push devices always count as moving.
   */
  get progressAt(): number {
    return this.#options.driver.mode === 'push' ? this.#now() : this.#progressAt;
  }

  /** The first connect or poll is over, whether it worked or not. */
  get tried(): boolean {
    return this.status.polls > 0 || this.status.consecutiveFailures > 0;
  }

  start(): void {
    const { driver } = this.#options;
    if (this.#loop === undefined && driver.pointIds)
      this.#options.observer?.points?.(driver.deviceId, driver.pointIds);
    this.#loop ??= driver.mode === 'push' ? this.#runPush(driver) : this.#runPolling(driver);
  }

  /** Stops polling; a poll in flight finishes first so its readings are not half-delivered. */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#reportRetry);
    await this.#loop;
  }

  async #runPolling(driver: PollingDriver): Promise<void> {
    const signal = this.#stop.signal;
    let dueAt: number | undefined;
    while (!signal.aborted) {
      const started = this.#now();
      dueAt ??= started;
      this.#progressAt = started;
      try {
        const session = (this.#session as DeviceSession | undefined) ?? (await driver.connect());
        this.#session = session;
        this.status.connected = true;
        const readings = await session.poll();
        this.#options.observer?.polled?.(driver.deviceId, this.#now() - started, true);
        this.#succeeded();
        this.#options.observer?.readings?.(driver.deviceId, readings);
        this.#options.sink.readings(readings);
      } catch (cause) {
        this.#options.observer?.polled?.(driver.deviceId, this.#now() - started, false);
        await this.#failed(cause);
        this.#progressAt = this.#now();
        await sleep(this.#backoff.next(), signal);
        // Back from a failure, the schedule starts again from the next attempt.
        dueAt = undefined;
        continue;
      }
      const now = this.#now();
      this.#progressAt = now;
      const next = nextPoll(dueAt, now, this.#options.pollIntervalMs);
      dueAt = next.dueAt;
      this.status.overruns += next.missed;
      await sleep(Math.max(dueAt - now, 0), signal);
    }
    await this.#closeSession();
  }

  async #runPush(driver: PushDriver): Promise<void> {
    const signal = this.#stop.signal;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    const link: PushLink = {
      deliver: (readings) => {
        this.status.polls += 1;
        this.#options.observer?.readings?.(driver.deviceId, readings);
        return this.#options.sink.readings(readings) !== false;
      },
      conditions: (reports, sync) =>
        this.#options.sink.conditions?.(driver.deviceId, reports, sync) !== false,
      link: (up, detail) => {
        if (signal.aborted) return;
        if (up) this.#succeeded();
        else this.#linkDown(detail);
      },
    };
    while (!signal.aborted) {
      try {
        const session = await driver.connect(link);
        this.#session = session;
        this.status.connected = true;
        if (session.awaitingDevice !== true) this.#succeeded();
        await Promise.race([session.ended, stopped]);
        if (signal.aborted) break;
        throw new GatewayError('DEVICE_POLL', 'the session ended');
      } catch (cause) {
        if (signal.aborted) break;
        await this.#failed(cause);
        await sleep(Math.max(this.#backoff.next(), retryAfterOf(cause)), signal);
      }
    }
    await this.#closeSession();
  }

  /** A push link that went down is a detected loss already: no count of failed polls to wait for. */
  #linkDown(detail: string): void {
    const { logger } = this.#options;
    this.status.connected = false;
    this.status.consecutiveFailures += 1;
    this.status.lastError = detail;
    if (this.status.lost) return;
    this.status.lost = true;
    logger.error({ code: 'DEVICE_LOST' }, `device lost: ${detail}`);
    this.#report(true, detail);
  }

  #succeeded(): void {
    const { logger } = this.#options;
    this.status.polls += 1;
    this.status.connected = true;
    if (this.status.consecutiveFailures > 0 || this.#reportedLost !== false) {
      if (this.status.lost) logger.info('device reachable again');
      this.status.lost = false;
      this.status.consecutiveFailures = 0;
      this.status.lastError = undefined;
      this.#backoff.reset();
      this.#report(false, 'poll succeeded');
    }
  }

  async #failed(cause: unknown): Promise<void> {
    const { logger, commLossAfter } = this.#options;
    const error =
      cause instanceof GatewayError
        ? cause
        : new GatewayError('DEVICE_POLL', (cause as Error)?.message ?? String(cause), { cause });
    this.status.consecutiveFailures += 1;
    this.status.lastError = error.message;
    this.status.connected = false;
    if (this.status.consecutiveFailures === 1) {
      logger.warn({ code: error.code }, error.describe());
    }
    await this.#closeSession();
    if (this.status.consecutiveFailures >= commLossAfter && !this.status.lost) {
      this.status.lost = true;
      logger.error(
        { code: 'DEVICE_LOST', cause_code: error.code, failures: this.status.consecutiveFailures },
        `device lost after ${this.status.consecutiveFailures} failed polls: ${error.message}`,
      );
      this.#report(true, `${this.status.consecutiveFailures} failed polls in a row; last: ${error.message}`);
    }
  }

  #report(lost: boolean, detail: string): void {
    // A change that flips back before it was committed leaves nothing to report.
    this.#unreported = this.#reportedLost === lost ? undefined : { lost, detail, at: this.#now() };
    this.#sendReport();
  }

  #sendReport(): void {
    clearTimeout(this.#reportRetry);
    this.#reportRetry = undefined;
    const pending = this.#unreported;
    if (pending === undefined || this.#stop.signal.aborted) return;
    const { sink, driver } = this.#options;
    if (sink.communication(driver.deviceId, pending.lost, pending.detail, pending.at)) {
      this.#reportedLost = pending.lost;
      this.#unreported = undefined;
      this.#reportBackoff.reset();
      return;
    }
    this.#reportRetry = setTimeout(() => this.#sendReport(), this.#reportBackoff.next());
  }

  async #closeSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.status.connected = false;
    await session?.close().catch(() => {});
  }
}

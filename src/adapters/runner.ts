/**
 * Owns everything around a device that is not protocol: the poll schedule,
 * reconnects with backoff and jitter, and the decision that a device is lost.
 * An adapter only has to connect and poll once; the runner does the rest.
 */
import { Backoff } from '../system/backoff.ts';
import { GatewayError } from '../system/errors.ts';
import { sleep } from '../system/sleep.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Reading } from './reading.ts';

/** One open connection to a device. */
export interface DeviceSession {
  /** Reads every point once. Throws only when the device as a whole failed; a bad point is a bad reading. */
  poll(): Promise<Reading[]>;
  close(): Promise<void>;
}

export interface DeviceDriver {
  readonly deviceId: string;
  connect(): Promise<DeviceSession>;
}

export interface RunnerSink {
  readings(readings: readonly Reading[]): void;
  /** Reported on every change and after the first successful poll, so a persisted alarm can clear. */
  communication(deviceId: string, lost: boolean, detail: string, at: number): void;
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
}

export interface DeviceStatus {
  deviceId: string;
  connected: boolean;
  lost: boolean;
  consecutiveFailures: number;
  polls: number;
  lastError?: string;
}

export class DeviceRunner {
  readonly #options: DeviceRunnerOptions;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #stop = new AbortController();
  #session: DeviceSession | undefined;
  #loop: Promise<void> | undefined;
  #reportedLost: boolean | undefined;
  readonly status: DeviceStatus;

  constructor(options: DeviceRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#backoff =
      options.backoff ?? new Backoff({ initialMs: Math.min(options.pollIntervalMs, 500), maxMs: 30_000 });
    this.status = {
      deviceId: options.driver.deviceId,
      connected: false,
      lost: false,
      consecutiveFailures: 0,
      polls: 0,
    };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling; a poll in flight finishes first so its readings are not half-delivered. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const started = this.#now();
      try {
        this.#session ??= await this.#options.driver.connect();
        this.status.connected = true;
        const readings = await this.#session.poll();
        this.#succeeded();
        this.#options.sink.readings(readings);
      } catch (cause) {
        await this.#failed(cause);
        await sleep(this.#backoff.next(), signal);
        continue;
      }
      // Fixed rate: the next poll starts one interval after this one started, not after it ended.
      const wait = started + this.#options.pollIntervalMs - this.#now();
      await sleep(Math.max(wait, 0), signal);
    }
    await this.#closeSession();
  }

  #succeeded(): void {
    const { logger, driver } = this.#options;
    this.status.polls += 1;
    if (this.status.consecutiveFailures > 0 || this.#reportedLost !== false) {
      if (this.status.lost) logger.info({ device: driver.deviceId }, 'device reachable again');
      this.status.lost = false;
      this.status.consecutiveFailures = 0;
      this.status.lastError = undefined;
      this.#backoff.reset();
      this.#report(false, 'poll succeeded');
    }
  }

  async #failed(cause: unknown): Promise<void> {
    const { logger, driver, commLossAfter } = this.#options;
    const error =
      cause instanceof GatewayError
        ? cause
        : new GatewayError('DEVICE_POLL', (cause as Error)?.message ?? String(cause), { cause });
    this.status.consecutiveFailures += 1;
    this.status.lastError = error.message;
    this.status.connected = false;
    if (this.status.consecutiveFailures === 1) {
      logger.warn({ device: driver.deviceId, code: error.code }, error.describe());
    }
    await this.#closeSession();
    if (this.status.consecutiveFailures >= commLossAfter && !this.status.lost) {
      this.status.lost = true;
      logger.error(
        { device: driver.deviceId, code: error.code, failures: this.status.consecutiveFailures },
        `device lost after ${this.status.consecutiveFailures} failed polls: ${error.message}`,
      );
      this.#report(true, `${this.status.consecutiveFailures} failed polls in a row; last: ${error.message}`);
    }
  }

  #report(lost: boolean, detail: string): void {
    if (this.#reportedLost === lost) return;
    this.#reportedLost = lost;
    this.#options.sink.communication(this.#options.driver.deviceId, lost, detail, this.#now());
  }

  async #closeSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.status.connected = false;
    await session?.close().catch(() => {});
  }
}

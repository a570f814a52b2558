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
import type {
  DeviceAdapter,
  DeviceSession,
  PollingAdapter,
  PushAdapter,
  PushLink,
  PushSession,
  RunnerObserver,
  RunnerSink,
  SlowRetry,
} from './adapter.ts';
import { nextPoll } from './poll-schedule.ts';

function retryAfterOf(cause: unknown): number {
  const hint = (cause as Partial<SlowRetry> | undefined)?.retryAfterMs;
  return typeof hint === 'number' && hint > 0 ? hint : 0;
}

export interface DeviceRunnerOptions {
  adapter: DeviceAdapter;
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
      deviceId: options.adapter.deviceId,
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
    return this.#options.adapter.mode === 'push' ? this.#now() : this.#progressAt;
  }

  /** The first connect or poll is over, whether it worked or not. */
  get tried(): boolean {
    return this.status.polls > 0 || this.status.consecutiveFailures > 0;
  }

  start(): void {
    const { adapter } = this.#options;
    if (this.#loop === undefined && adapter.pointIds)
      this.#options.observer?.points?.(adapter.deviceId, adapter.pointIds);
    this.#loop ??= adapter.mode === 'push' ? this.#runPush(adapter) : this.#runPolling(adapter);
  }

  /** Stops polling; a poll in flight finishes first so its readings are not half-delivered. */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#reportRetry);
    await this.#loop;
  }

  async #runPolling(adapter: PollingAdapter): Promise<void> {
    const signal = this.#stop.signal;
    let dueAt: number | undefined;
    while (!signal.aborted) {
      const started = this.#now();
      dueAt ??= started;
      this.#progressAt = started;
      try {
        const session = (this.#session as DeviceSession | undefined) ?? (await adapter.connect());
        this.#session = session;
        this.status.connected = true;
        const readings = await session.poll();
        this.#options.observer?.polled?.(adapter.deviceId, this.#now() - started, true);
        this.#succeeded();
        this.#options.observer?.readings?.(adapter.deviceId, readings);
        this.#options.sink.readings(readings);
      } catch (cause) {
        this.#options.observer?.polled?.(adapter.deviceId, this.#now() - started, false);
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

  async #runPush(adapter: PushAdapter): Promise<void> {
    const signal = this.#stop.signal;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    const link: PushLink = {
      deliver: (readings) => {
        this.status.polls += 1;
        this.#options.observer?.readings?.(adapter.deviceId, readings);
        return this.#options.sink.readings(readings) !== false;
      },
      conditions: (reports, sync) =>
        this.#options.sink.conditions?.(adapter.deviceId, reports, sync) !== false,
      link: (up, detail) => {
        if (signal.aborted) return;
        if (up) this.#succeeded();
        else this.#linkDown(detail);
      },
    };
    while (!signal.aborted) {
      try {
        const session = await adapter.connect(link);
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
    const { sink, adapter } = this.#options;
    if (sink.communication(adapter.deviceId, pending.lost, pending.detail, pending.at)) {
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

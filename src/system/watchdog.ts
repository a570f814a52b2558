/**
 * Keeps systemd's watchdog fed while, and only while, the gateway's main loop
 * is healthy. A timer alone would prove only that the event loop turns; the
 * check asked at every beat proves that the gateway's own loops make
 * progress, so a poll or connect that hangs for good ends in a restart.
 */
import type { Logger } from '../telemetry/logger.ts';
import type { ServiceNotifier } from './systemd-notify.ts';

/** How often STATUS= is brought up to date when systemd asked for no watchdog. */
const STATUS_PERIOD_MS = 10_000;

/** The watchdog period systemd asked for, if it is meant for this process. */
export function watchdogPeriodMs(
  env: Readonly<Record<string, string | undefined>>,
  pid: number = process.pid,
): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) return undefined;
  // Set by systemd when the variables were inherited by a child they were not meant for.
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 1000));
}

export interface HeartbeatOptions {
  notifier: ServiceNotifier;
  /** systemd's watchdog period; undefined: no watchdog, the beat only updates STATUS=. */
  watchdogMs: number | undefined;
  /** What is wrong with the main loop, or undefined when it is healthy. */
  check: () => string | undefined;
  /** One line for `systemctl status`. */
  status: () => string;
  logger: Logger;
}

export class Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #timer: NodeJS.Timeout;
  #lastStatus = '';
  #problem: string | undefined;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    // Half the period, as sd_watchdog_enabled(3) advises, so one late beat is not yet fatal.
    const period = options.watchdogMs === undefined ? STATUS_PERIOD_MS : options.watchdogMs / 2;
    this.#timer = setInterval(() => this.beat(), period);
    this.#timer.unref();
  }

  /** Pings when healthy; otherwise says once why it stopped pinging. Also runs on its own timer. */
  beat(): void {
    const { notifier, watchdogMs, check, status, logger } = this.#options;
    const problem = check();
    if (problem !== this.#problem) {
      if (problem === undefined) logger.info('main loop healthy again; watchdog pings resumed');
      else
        logger.error(
          { watchdog_ms: watchdogMs },
          `main loop unhealthy: ${problem}; the watchdog is no longer pinged${watchdogMs === undefined ? '' : ', systemd restarts the service'}`,
        );
      this.#problem = problem;
    }
    if (problem === undefined && watchdogMs !== undefined) notifier.watchdog();
    const text = problem === undefined ? status() : `unhealthy: ${problem}`;
    if (text !== this.#lastStatus) {
      notifier.status(text);
      this.#lastStatus = text;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Counts malformed messages by class and logs them without flooding: at most
 * one line per class per interval, naming the topic of the message that
 * triggered it and how many more of the class came in since the last line.
 */
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { MALFORMED_KINDS, type MalformedKind } from './decoded.ts';

export type MalformedCounters = Record<MalformedKind, number>;

export const MALFORMED_LOG_INTERVAL_MS = 60_000;

export class MalformedLog {
  readonly counters: MalformedCounters = Object.fromEntries(
    MALFORMED_KINDS.map((kind) => [kind, 0]),
  ) as MalformedCounters;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #lastLogged = new Map<MalformedKind, { at: number; count: number }>();

  constructor(logger: Logger, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? MALFORMED_LOG_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  note(kind: MalformedKind, topic: string, reason: string): void {
    this.counters[kind] += 1;
    const now = this.#now();
    const last = this.#lastLogged.get(kind);
    if (last !== undefined && now - last.at < this.#intervalMs) return;
    const since = last === undefined ? 0 : this.counters[kind] - last.count - 1;
    this.#lastLogged.set(kind, { at: now, count: this.counters[kind] });
    const error = new GatewayError('MQTT_PAYLOAD', `${kind} on ${topic}: ${reason}`);
    const more = since > 0 ? ` (${since} more of this kind since the last report)` : '';
    this.#logger.warn(
      { code: error.code, topic, kind, count: this.counters[kind], suppressed: since },
      `${error.describe()}${more}`,
    );
  }
}

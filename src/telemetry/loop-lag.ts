/**
 * Measures how late the event loop runs a timer. A loop blocked by a long
 * synchronous task (a runaway query, a busy loop) delays every poll, commit
 * and send; /healthz reports it so a supervisor can restart the process.
 * The worst lag of a recent window counts, so a stall that just ended is
 * still seen by a probe that arrives after it.
 */
export interface LoopLagOptions {
  intervalMs?: number;
  /** How long a stall stays in the reported worst lag. */
  windowMs?: number;
  now?: () => number;
}

export class LoopLag {
  readonly #intervalMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #samples: { at: number; lagMs: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #expected = 0;

  constructor(options: LoopLagOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 250;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  start(): void {
    if (this.#timer) return;
    this.#expected = this.#now() + this.#intervalMs;
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    // Telemetry must never be what keeps the process alive.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One tick of the timer: how late it came. Public so a test can drive it with its own clock. */
  sample(): void {
    const now = this.#now();
    this.record(now, Math.max(0, now - this.#expected));
    this.#expected = now + this.#intervalMs;
  }

  record(at: number, lagMs: number): void {
    this.#samples.push({ at, lagMs });
    while (this.#samples.length > 0 && (this.#samples[0]?.at ?? at) < at - this.#windowMs)
      this.#samples.shift();
  }

  /** The worst lag within the window, in ms. */
  worstMs(): number {
    let worst = 0;
    for (const { lagMs } of this.#samples) worst = Math.max(worst, lagMs);
    return worst;
  }
}

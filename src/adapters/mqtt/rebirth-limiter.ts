/**
 * How often the gateway may ask one Sparkplug edge node for a rebirth. A node
 * that answers promptly but sends something the host cannot use after every
 * birth (an alias its birth never declared, say) would otherwise be asked
 * again after every birth, many times a second. A token bucket per node: a
 * few requests at once (a real gap heals at once), then one per refill
 * interval, and never two closer than the minimum interval (a request in
 * flight would only be repeated). A birth resets nothing: it is the answer
 * to a request, not a sign the next one will help. Pure; the clock is given
 * (monotonic by default, so a clock set back neither stalls nor frees requests).
 */

export interface RebirthLimits {
  /** Requests closer together than this would only repeat the one in flight. */
  readonly minIntervalMs: number;
  /** Requests that may go out in a row before the refill interval holds them. */
  readonly burst: number;
  /** Once the burst is spent, one request per this interval. */
  readonly refillMs: number;
}

export const REBIRTH_LIMITS: RebirthLimits = { minIntervalMs: 1000, burst: 3, refillMs: 30_000 };

export class RebirthLimiter {
  readonly #limits: RebirthLimits;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(limits: RebirthLimits = REBIRTH_LIMITS, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
    this.#tokens = limits.burst;
    this.#refilledAt = now();
  }

  /** Whether a request may go out now; if it may, it is counted as sent. */
  take(): boolean {
    const now = this.#now();
    this.#refill(now);
    if (this.#tokens < 1 || now - this.#lastAt < this.#limits.minIntervalMs) return false;
    this.#tokens -= 1;
    this.#lastAt = now;
    return true;
  }

  /** How long until `take` would allow a request (0: now). */
  waitMs(): number {
    const now = this.#now();
    this.#refill(now);
    const forToken = this.#tokens >= 1 ? 0 : this.#refilledAt + this.#limits.refillMs - now;
    const forInterval = this.#lastAt + this.#limits.minIntervalMs - now;
    return Math.max(0, forToken, forInterval);
  }

  #refill(now: number): void {
    // A full bucket earns nothing: the refill interval starts when a token is spent.
    if (this.#tokens >= this.#limits.burst) {
      this.#refilledAt = now;
      return;
    }
    const earned = Math.floor((now - this.#refilledAt) / this.#limits.refillMs);
    if (earned <= 0) return;
    this.#tokens = Math.min(this.#limits.burst, this.#tokens + earned);
    this.#refilledAt += earned * this.#limits.refillMs;
  }
}

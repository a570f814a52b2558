/**
 * Exponential backoff with jitter: after a shared outage, many gateways
 * (or many devices of one gateway) do not all retry in the same instant.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  readonly #options: Required<BackoffOptions>;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#options = { random: Math.random, ...options };
  }

  /** The delay before the next attempt; each call widens the window up to maxMs. */
  next(): number {
    const { initialMs, maxMs, random } = this.#options;
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    // Never below half the window, so a retry loop cannot spin on a zero delay.
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}

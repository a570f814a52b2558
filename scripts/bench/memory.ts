/** Samples this process's memory once a second and keeps the peaks. */

export interface MemoryPeaks {
  samples: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Buffers and native allocations V8 knows of (kafkajs and SQLite buffers among them). */
  external: number;
  first: NodeJS.MemoryUsage;
  last: NodeJS.MemoryUsage;
}

export class MemorySampler {
  readonly #timer: NodeJS.Timeout;
  readonly #peaks: MemoryPeaks;

  constructor(intervalMs = 1000) {
    const first = process.memoryUsage();
    this.#peaks = { samples: 0, rss: 0, heapUsed: 0, heapTotal: 0, external: 0, first, last: first };
    this.#sample(first);
    this.#timer = setInterval(() => this.#sample(process.memoryUsage()), intervalMs);
    this.#timer.unref();
  }

  /** Takes a last sample and stops. */
  stop(): MemoryPeaks {
    clearInterval(this.#timer);
    this.#sample(process.memoryUsage());
    return { ...this.#peaks };
  }

  #sample(usage: NodeJS.MemoryUsage): void {
    const peaks = this.#peaks;
    peaks.samples += 1;
    peaks.rss = Math.max(peaks.rss, usage.rss);
    peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
    peaks.heapTotal = Math.max(peaks.heapTotal, usage.heapTotal);
    peaks.external = Math.max(peaks.external, usage.external);
    peaks.last = usage;
  }
}

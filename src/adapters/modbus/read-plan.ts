/**
 * The reads of each poll as they stand: the planner's merged reads, except
 * those the device refused, which are read one point at a time. The refusal
 * may be for good (an address in the gap the device does not serve) or for a
 * while (a PLC being reprogrammed), so a split read is tried merged again
 * after a back-off that doubles with each refused trial: a read split for
 * good costs one refused request now and then, and one that recovered is
 * merged again without a restart.
 */
import type { ReadRequest } from './planner.ts';

/** When a split read is tried merged again: after `firstMs`, doubling with each refusal up to `maxMs`. */
export const MERGE_RETRY = { firstMs: 60_000, maxMs: 3_600_000 } as const;

interface Split {
  readonly singles: readonly ReadRequest[];
  /** Refusals in a row of the merged read. */
  readonly refusals: number;
  readonly retryAt: number;
}

export class ReadPlan {
  readonly #planned: readonly ReadRequest[];
  readonly #now: () => number;
  readonly #splits = new Map<ReadRequest, Split>();

  constructor(planned: readonly ReadRequest[], now: () => number = Date.now) {
    this.#planned = planned;
    this.#now = now;
  }

  /** The reads of a poll, without trials: merged reads, and the single reads of those split. */
  get steady(): ReadRequest[] {
    return this.#planned.flatMap((request) => this.#splits.get(request)?.singles ?? [request]);
  }

  /** The reads of the next poll: a split read whose back-off is over is tried merged instead of its singles. */
  reads(): ReadRequest[] {
    const now = this.#now();
    return this.#planned.flatMap((request) => {
      const split = this.#splits.get(request);
      return split === undefined || now >= split.retryAt ? [request] : split.singles;
    });
  }

  /**
   * The device refused `request`: for a read of several points, the single
   * reads to make instead (now and until the merged read is tried again);
   * undefined for a read of one point, which has nothing to split.
   */
  refused(request: ReadRequest): readonly ReadRequest[] | undefined {
    if (request.points.length < 2) return undefined;
    const before = this.#splits.get(request);
    const refusals = (before?.refusals ?? 0) + 1;
    const wait = Math.min(MERGE_RETRY.firstMs * 2 ** (refusals - 1), MERGE_RETRY.maxMs);
    const singles = before?.singles ?? singlesOf(request);
    this.#splits.set(request, { singles, refusals, retryAt: this.#now() + wait });
    return singles;
  }

  /** The device answered `request`; true when it was a split read tried merged, which now stays merged. */
  answered(request: ReadRequest): boolean {
    return this.#splits.delete(request);
  }

  /** Milliseconds until a split read is tried merged again; undefined for a read not split. */
  retryIn(request: ReadRequest): number | undefined {
    const split = this.#splits.get(request);
    return split === undefined ? undefined : Math.max(split.retryAt - this.#now(), 0);
  }
}

function singlesOf(request: ReadRequest): ReadRequest[] {
  return request.points.map((point) => ({
    register: request.register,
    start: request.start + point.offset,
    count: point.words,
    points: [{ id: point.id, offset: 0, words: point.words }],
  }));
}

/**
 * The running account of events the buffer dropped by policy and has not yet
 * reported. It is persisted with the drop itself, so a crash between dropping
 * and reporting still reports.
 */
import type { Priority } from '../config/schema.ts';

/** size: max_bytes; disk: the file system ran low; age: max_age_ms. */
export type DropCause = 'size' | 'disk' | 'age';

export interface DroppedTally {
  count: number;
  byPriority: Partial<Record<Priority, number>>;
  byCause: Partial<Record<DropCause, number>>;
  firstSeq: number;
  lastSeq: number;
  /** Epoch ms of the first drop in this tally. */
  since: number;
}

export interface DroppedEvent {
  seq: number;
  priority: Priority;
}

export function tallyDrops(
  tally: DroppedTally | undefined,
  dropped: readonly DroppedEvent[],
  cause: DropCause,
  now: number,
): DroppedTally | undefined {
  if (dropped.length === 0) return tally;
  const next: DroppedTally = tally
    ? { ...tally, byPriority: { ...tally.byPriority }, byCause: { ...tally.byCause } }
    : { count: 0, byPriority: {}, byCause: {}, firstSeq: Infinity, lastSeq: 0, since: now };
  for (const event of dropped) {
    next.count += 1;
    next.byPriority[event.priority] = (next.byPriority[event.priority] ?? 0) + 1;
    next.firstSeq = Math.min(next.firstSeq, event.seq);
    next.lastSeq = Math.max(next.lastSeq, event.seq);
  }
  next.byCause[cause] = (next.byCause[cause] ?? 0) + dropped.length;
  return next;
}

/**
 * The running account of events the buffer dropped by policy and has not yet
 * reported. It is persisted with the drop itself, so a crash between dropping
 * and reporting still reports.
 */
import type { Priority } from '../config/schema.ts';

/**
 * size: max_bytes; disk: the file system ran low; age: max_age_ms. Not by
 * policy: lost: the database no longer held events it had issued (replaced,
 * emptied, its WAL lost); corrupt: an event failed its checksum and waits as a
 * dead letter instead of being sent; refused: a transition decided while the
 * buffer refused commits, never decided again, so it never had a seq.
 */
export type DropCause = 'size' | 'disk' | 'age' | 'lost' | 'corrupt' | 'refused';

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
  const next = copyOf(tally, now);
  for (const event of dropped) {
    next.count += 1;
    next.byPriority[event.priority] = (next.byPriority[event.priority] ?? 0) + 1;
    next.firstSeq = Math.min(next.firstSeq, event.seq);
    next.lastSeq = Math.max(next.lastSeq, event.seq);
  }
  next.byCause[cause] = (next.byCause[cause] ?? 0) + dropped.length;
  return next;
}

/** A range of seq numbers lost together, whose priorities nobody can tell any more. */
export function tallyLostRange(
  tally: DroppedTally | undefined,
  first: number,
  last: number,
  now: number,
): DroppedTally | undefined {
  if (last < first) return tally;
  const next = copyOf(tally, now);
  const count = last - first + 1;
  next.count += count;
  next.firstSeq = Math.min(next.firstSeq, first);
  next.lastSeq = Math.max(next.lastSeq, last);
  next.byCause.lost = (next.byCause.lost ?? 0) + count;
  return next;
}

function copyOf(tally: DroppedTally | undefined, now: number): DroppedTally {
  return tally
    ? { ...tally, byPriority: { ...tally.byPriority }, byCause: { ...tally.byCause } }
    : { count: 0, byPriority: {}, byCause: {}, firstSeq: Infinity, lastSeq: 0, since: now };
}

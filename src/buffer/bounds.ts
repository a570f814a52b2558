/**
 * How big the buffer may grow and what happens when it is full. The policy is
 * stated, configurable and reported: nothing leaves the buffer unannounced.
 */
import type { Priority } from '../config/schema.ts';

export type WhenFull = 'evict_low_priority' | 'drop_newest' | 'block';

export interface BufferBounds {
  /** Sum of event payload bytes the buffer may hold. */
  maxBytes: number;
  /** Events older than this are dropped; undefined keeps them however old. */
  maxAgeMs: number | undefined;
  whenFull: WhenFull;
  /**
   * Free space the buffer leaves on its file system: the full-buffer policy
   * applies before the disk is full, while SQLite still has room to delete.
   */
  diskReserveBytes: number;
}

/** Database file bytes per byte of event payload: key, headers, row and index overhead (measured: 1.84). */
export const FILE_BYTES_PER_PAYLOAD_BYTE = 1.9;

/** Room the WAL needs between checkpoints (see journal_size_limit in database.ts), kept free for it. */
export const WAL_ALLOWANCE_BYTES = 8 * 1024 * 1024;

/** Eviction order: the highest rank goes first, so critical alarms are evicted last. */
export const PRIORITY_RANK: Record<Priority, number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  diagnostic: 4,
};

export const UNBOUNDED: BufferBounds = {
  maxBytes: Number.POSITIVE_INFINITY,
  maxAgeMs: undefined,
  whenFull: 'evict_low_priority',
  diskReserveBytes: 0,
};

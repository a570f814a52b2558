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
}

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
};

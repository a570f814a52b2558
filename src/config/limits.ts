/**
 * The bounds of what the loader accepts, so that no site file, however
 * broken or hostile, can make loading take unbounded time, memory or stack.
 * docs/device-map.md states the same figures.
 */

/**
 * Largest site file: 4 MiB. A site of 10,000 OPC UA points, each with a limit
 * rule, is about 2.9 MB (Modbus and MQTT points are smaller). Loading takes
 * about 100 bytes of memory per byte of YAML, so the limit also bounds memory.
 */
export const MAX_SITE_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Deepest nesting, counted as open indentation levels plus open brackets. A
 * site file needs about ten; the YAML parser recurses once per level, so
 * thousands would exhaust the stack.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Values (keys, scalars, lists, mappings) the file may stand for once every
 * alias and merge key is expanded. A 4 MiB file written out has about half a
 * million; aliases may repeat shared settings, not multiply the file (aliases
 * of aliases, the "billion laughs", would multiply it exponentially).
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * The longest duration a `_ms` key accepts: Node timers take at most
 * 2^31 - 1 ms (about 24.8 days) and fire after 1 ms when given more.
 */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** buffer.max_age_ms is compared with the age of events, never waited for: up to a year. */
export const LONGEST_BUFFER_AGE_MS = 365 * 24 * 3_600_000;

/**
 * A reload runs in a worker thread so the running gateway keeps polling;
 * these bound that worker. The largest file within the limits above loads
 * in under 10 s on a busy two-core box, within about 400 MB of heap. The
 * log of a refused reload lists the first `issues` problems and counts the rest.
 */
export const RELOAD_LIMITS = {
  timeMs: 60_000,
  heapMb: 512,
  issues: 100,
} as const;

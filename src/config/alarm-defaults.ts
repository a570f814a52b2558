/** Defaults of alarm management where the site file leaves a setting out; the schema documents the same values. */
export const ALARM_DEFAULTS = {
  maxShelveMs: 8 * 3_600_000,
  /** ISA-18.2's rule of thumb: more than a few raises a minute is chattering. */
  chatter: { max_raises: 5, window_ms: 60_000 },
  floodMaxAlarms: 10,
  floodWindowMs: 600_000,
  rateWindowMs: 10_000,
  /** Active longer than this is a standing alarm. */
  standingMs: 24 * 3_600_000,
} as const;

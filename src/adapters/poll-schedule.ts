/**
 * Fixed-rate polling: polls are due at whole intervals from the first one,
 * whenever each actually started, so a late timer or a slow poll never shifts
 * the schedule. A poll that ran past one or more due times skips them: they
 * are counted as overruns, never made up in a burst.
 */
export interface NextPoll {
  /** When the next poll is due (epoch ms); at or before `now` means at once. */
  readonly dueAt: number;
  /** Due times passed over because the poll before them was still running. */
  readonly missed: number;
}

export function nextPoll(dueAt: number, now: number, intervalMs: number): NextPoll {
  const next = dueAt + intervalMs;
  if (now < next + intervalMs) return { dueAt: next, missed: 0 };
  const missed = Math.floor((now - next) / intervalMs);
  return { dueAt: next + missed * intervalMs, missed };
}

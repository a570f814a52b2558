/**
 * A device that falls silent now and then, as a PLC behind a flaky link does:
 * silent for `silent_ms` out of every `period_ms`. Pure, like the scenarios.
 */
export interface DropOut {
  readonly period_ms: number;
  readonly silent_ms: number;
  /** Shifts the schedule; the device is silent from `phase_ms` into each period. */
  readonly phase_ms?: number;
}

export function isSilentAt(dropOut: DropOut, tMs: number): boolean {
  const { period_ms, silent_ms, phase_ms = 0 } = dropOut;
  if (period_ms <= 0 || silent_ms <= 0) return false;
  const into = (((tMs - phase_ms) % period_ms) + period_ms) % period_ms;
  return into < silent_ms;
}

/**
 * Rate of change over a sliding window: the change from the oldest sample in
 * the window to the newest, per second or per minute. A window rather than
 * the last two samples, so one noisy reading does not make a rate alarm.
 */

import { ALARM_DEFAULTS } from '../config/alarm-defaults.ts';
import type { RateRule } from '../config/schema.ts';

type Point = { time: number; value: number };

/** Bounds memory for a fast point over a long window; the oldest samples go first. */
const MAX_SAMPLES = 1000;

export function rateOf(
  rule: RateRule,
  window: readonly Point[],
  time: number,
  value: number,
): { rate?: number; window: Point[] } {
  const newest = window.at(-1);
  // A reading older than the newest one would make the rate run backwards.
  if (newest && time <= newest.time) return { window: [...window] };
  const span = rule.window_ms ?? ALARM_DEFAULTS.rateWindowMs;
  const kept = [...window.filter((point) => point.time >= time - span), { time, value }].slice(-MAX_SAMPLES);
  const oldest = kept[0] as Point;
  if (oldest.time === time) return { window: kept };
  const perMs = rule.per === 'minute' ? 60_000 : 1000;
  return { rate: ((value - oldest.value) / (time - oldest.time)) * perMs, window: kept };
}

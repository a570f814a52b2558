/**
 * Stale values: a value that has not changed for too long (a frozen sensor,
 * a PLC that stopped updating a register) or a point that stopped reporting
 * usable readings. Timed on the gateway clock; the engine's tick raises it
 * when no reading comes at all.
 */
import type { StaleRule } from '../config/schema.ts';
import type { Memory, Sample } from './state.ts';

type Last = NonNullable<Memory['last']>;

export function rememberReading(last: Last | undefined, sample: Sample, now: number): Last {
  const changed = last === undefined || last.value !== sample.value;
  return {
    value: sample.value,
    changedAt: changed ? now : last.changedAt,
    freshAt: now,
    quality: sample.quality,
    time: sample.time,
  };
}

export function isStale(rule: StaleRule, last: Last, now: number): boolean {
  if (rule.flatline_ms !== undefined && now - last.changedAt >= rule.flatline_ms) return true;
  return rule.no_update_ms !== undefined && now - last.freshAt >= rule.no_update_ms;
}

/** When the stale condition will next hold if nothing changes; undefined when it holds or cannot. */
export function staleDeadline(rule: StaleRule, last: Last | undefined): number | undefined {
  if (!last) return undefined;
  const times = [
    rule.flatline_ms === undefined ? undefined : last.changedAt + rule.flatline_ms,
    rule.no_update_ms === undefined ? undefined : last.freshAt + rule.no_update_ms,
  ].filter((time) => time !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** The sample a tick decides with: the last reading, judged at `now`. */
export function staleSample(rule: StaleRule, last: Last | undefined, now: number): Sample | undefined {
  if (!last) return undefined;
  return { value: last.value, quality: last.quality, time: now, measure: isStale(rule, last, now) };
}

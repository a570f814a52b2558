/**
 * Alarm floods (ISA-18.2): more alarms annunciated in an area within a
 * window than an operator can handle. A flood starts when the count in the
 * sliding window exceeds max_alarms and ends when it falls below end_below;
 * both are events, and the time spent in flood is a performance figure.
 * Pure: the caller passes the times of the raises it annunciated and `now`.
 */

import { ALARM_DEFAULTS } from '../config/alarm-defaults.ts';
import type { FloodSetting } from '../config/schema.ts';

export interface FloodState {
  /** Times (gateway ms) of annunciated raises within the window, oldest first. */
  raises: number[];
  /** When the flood in progress started. */
  since?: number;
}

export interface FloodBounds {
  max_alarms: number;
  window_ms: number;
  end_below: number;
}

export interface FloodStep {
  state: FloodState;
  /** A flood started or ended now, with the count that decided it. */
  change?: { started: boolean; alarms: number };
}

export function floodBounds(setting: FloodSetting | undefined): FloodBounds {
  const max = setting?.max_alarms ?? ALARM_DEFAULTS.floodMaxAlarms;
  return {
    max_alarms: max,
    window_ms: setting?.window_ms ?? ALARM_DEFAULTS.floodWindowMs,
    end_below: setting?.end_below ?? Math.ceil(max / 2),
  };
}

/** Counts new raises (`times`) and decides whether a flood starts or ends; with no raises it only lets the window slide. */
export function floodStep(
  state: FloodState,
  times: readonly number[],
  now: number,
  bounds: FloodBounds,
): FloodStep {
  const raises = [...state.raises, ...times].filter((time) => time > now - bounds.window_ms);
  const count = raises.length;
  if (state.since === undefined) {
    if (count > bounds.max_alarms)
      return { state: { raises, since: now }, change: { started: true, alarms: count } };
    return { state: { raises } };
  }
  if (count < bounds.end_below) return { state: { raises }, change: { started: false, alarms: count } };
  return { state: { raises, since: state.since } };
}

export function restoreFlood(saved: unknown): FloodState | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const { raises, since } = saved as Record<string, unknown>;
  if (!Array.isArray(raises) || !raises.every((time) => typeof time === 'number')) return undefined;
  return typeof since === 'number' ? { raises: raises as number[], since } : { raises: raises as number[] };
}

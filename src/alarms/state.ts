/**
 * The persisted state of one alarm: the ISA-18.2 flags plus at most one timer
 * waiting for an on-delay or off-delay to elapse. Plain JSON, so the buffer
 * can store it next to the events it produced and a restart resumes exactly.
 */
import type { PointValue, Quality } from '../adapters/reading.ts';
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmStateFlags } from './event.ts';

/** A usable observation: bad quality never becomes a sample. */
export interface Sample {
  value: PointValue;
  quality: Exclude<Quality, 'bad'>;
  /** Epoch ms: source time when the device gave one, else gateway time. */
  time: number;
}

/**
 * A raise waiting for its on-delay or a clear waiting for its off-delay.
 * Times are gateway epoch ms (the clock tick() runs on), not device time.
 */
export interface PendingTransition {
  transition: 'raise' | 'clear';
  /** When the condition started to hold (raise) or to be absent (clear). */
  since: number;
  /** since + delay: from then on the transition fires. */
  due: number;
  /** The sample that started the timer. */
  first: Sample;
  /** The latest sample, still agreeing; a tick-fired transition reports it. */
  last: Sample;
}

export interface AlarmState {
  flags: AlarmStateFlags;
  pending?: PendingTransition;
  /**
   * Time of the newest reading evaluated, committed with the state: a
   * redelivered reading older than it was evaluated before the gateway lost
   * track, and evaluating it again against the newer state would decide
   * transitions that never happened.
   */
  sampleTime?: number;
}

/** Normal and acknowledged: the ISA-18.2 state of an alarm that has nothing to tell. */
export function initialState(_def: AlarmDefinition): AlarmState {
  return {
    flags: {
      active: false,
      acked: true,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
    },
  };
}

const LEVELS: readonly unknown[] = ['HH', 'H', 'L', 'LL'] satisfies LimitLevel[];
const FLAG_NAMES = ['active', 'acked', 'latched', 'shelved', 'suppressed', 'out_of_service'] as const;

/**
 * Checks a state read back from storage. Returns undefined when it is not a
 * state this version wrote, so the caller can report it and start from normal.
 *
 * A pending timer is dropped: the gateway did not watch the point while it
 * was down, so the condition did not provably hold (or stay away) throughout,
 * and the delay starts again with the next reading.
 */
export function restoreState(def: AlarmDefinition, saved: unknown): AlarmState | undefined {
  if (!isRecord(saved) || !isRecord(saved.flags)) return undefined;
  const stored = saved.flags;
  if (!FLAG_NAMES.every((name) => typeof stored[name] === 'boolean')) return undefined;
  const flags = initialState(def).flags;
  for (const name of FLAG_NAMES) flags[name] = stored[name] as boolean;
  if (def.kind === 'limit' && flags.active) {
    if (!LEVELS.includes(stored.level)) return undefined;
    flags.level = stored.level as LimitLevel;
  }
  return typeof saved.sampleTime === 'number' ? { flags, sampleTime: saved.sampleTime } : { flags };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The persisted state of one alarm. Plain JSON, so the buffer can store it
 * next to the events it produced and a restart resumes exactly.
 *
 * Two views of the alarm are kept apart: `flags` are what the alarm shows
 * (what was annunciated, and what every event carries), `process` is what the
 * rule decides from the readings. They differ while the alarm is shelved,
 * suppressed or out of service (its changes are followed but not shown) and
 * while a latched alarm waits for its reset; when the alarm shows again, the
 * flags take up the process state.
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
  /**
   * What the rule compares, when it is not the value itself: the deviation
   * from the setpoint, the rate of change, a bit of the word, whether the
   * value matches its command.
   */
  measure?: number | boolean;
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
  /**
   * Restored after a restart: the gateway did not watch the point while it
   * was down, so the timer fires only on a reading that still agrees, never
   * on a tick alone.
   */
  resumed?: boolean;
}

/** What the rule decides from the readings, whether or not the alarm shows it. */
export interface ProcessCondition {
  active: boolean;
  level?: LimitLevel;
}

export type SuppressionCause = 'design' | 'flood';

/** What rate-of-change and stale rules remember of recent readings; rebuilt from readings after a restart. */
export interface Memory {
  /** Rate of change: the samples within the window, oldest first. */
  window?: { time: number; value: number }[];
  /** Stale: the last value, when it last changed and when a usable reading last came (gateway ms). */
  last?: {
    value: PointValue;
    changedAt: number;
    freshAt: number;
    quality: Exclude<Quality, 'bad'>;
    time: number;
  };
}

export interface AlarmState {
  flags: AlarmStateFlags;
  process: ProcessCondition;
  pending?: PendingTransition;
  /**
   * Time of the newest reading evaluated, committed with the state: a
   * redelivered reading older than it was evaluated before the gateway lost
   * track, and evaluating it again against the newer state would decide
   * transitions that never happened.
   */
  sampleTime?: number;
  /** Timed shelving ends at `until` (gateway ms); one-shot shelving when the alarm clears. */
  shelf?: { until?: number; oneShot?: boolean };
  /** An acknowledged alarm still active at this time (gateway ms) annunciates again. */
  realarmAt?: number;
  /** Raise times (gateway ms) within the chatter window, oldest first. */
  raises?: number[];
  /** Set while the alarm chatters, so one episode gives one chatter event. */
  chattering?: boolean;
  suppressedBy?: SuppressionCause[];
  memory?: Memory;
  /** When the alarm last became active as shown (gateway ms): standing alarms are told by it. */
  activeSince?: number;
  /** The newest usable sample: what an operator transition reports as the value. */
  last?: Sample;
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
    process: { active: false },
  };
}

/** True while the alarm's process changes are followed but not shown. */
export function isHidden(flags: AlarmStateFlags): boolean {
  return flags.shelved || flags.suppressed || flags.out_of_service;
}

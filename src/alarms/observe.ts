/**
 * What one reading says about an alarm: whether it is usable at all, and if
 * so whether the alarm condition holds and at which level.
 */
import type { PointValue, Reading } from '../adapters/reading.ts';
import type { DiscreteRule, LimitLevel, LimitRule } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmStateFlags } from './event.ts';
import { targetLevel } from './limits.ts';
import type { Sample } from './state.ts';

export interface Condition {
  active: boolean;
  /** The limit level that holds; only for limit rules. */
  level?: LimitLevel;
}

/**
 * The reading as a sample, or undefined when it cannot decide anything: bad
 * quality, no value, a non-finite number, or a boolean where a limit rule
 * needs a number. Such a reading counts as bad quality.
 */
export function sampleOf(def: AlarmDefinition, reading: Reading, now: number): Sample | undefined {
  if (reading.quality === 'bad' || !isUsable(def.rule, reading.value)) return undefined;
  return { value: reading.value, quality: reading.quality, time: timeOf(reading, now) };
}

function isUsable(rule: LimitRule | DiscreteRule, value: PointValue | null): value is PointValue {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'boolean' && rule.kind === 'discrete';
}

/** Device time when the protocol carries one; a garbled time never stops an alarm. */
function timeOf(reading: Reading, now: number): number {
  if (Number.isFinite(reading.sourceTime)) return reading.sourceTime as number;
  if (Number.isFinite(reading.gatewayTime)) return reading.gatewayTime;
  return now;
}

/** Whether the alarm condition holds for `sample`, given the flags it is in now (deadband). */
export function conditionOf(def: AlarmDefinition, flags: AlarmStateFlags, sample: Sample): Condition {
  const { rule } = def;
  if (rule.kind === 'limit') {
    const level = targetLevel(rule, sample.value as number, flags.active ? flags.level : undefined);
    return level === undefined ? { active: false } : { active: true, level };
  }
  return { active: asBoolean(sample.value) === (rule.alarm_when ?? true) };
}

/** A discrete point read from a register: any nonzero value is true. */
export function asBoolean(value: PointValue): boolean {
  return typeof value === 'boolean' ? value : value !== 0;
}

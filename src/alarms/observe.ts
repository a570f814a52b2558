/**
 * What one reading says about an alarm: whether it is usable at all, what the
 * rule compares (the value, a deviation, a rate, a bit, a mismatch), and
 * whether the alarm condition holds and at which level.
 */
import type { PointValue, Reading } from '../adapters/reading.ts';
import type { LimitLevel, LimitRule } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import { limitsOf } from './limit-rules.ts';
import { targetLevel } from './limits.ts';
import { rateOf } from './rate.ts';
import { isStale, rememberReading } from './stale.ts';
import type { Memory, Sample } from './state.ts';

export interface Condition {
  active: boolean;
  /** The limit level that holds; only for levelled rules (limit, rate, deviation). */
  level?: LimitLevel;
}

/** What the engine knows besides the reading: the latest usable value of other points. */
export interface ReadingContext {
  valueOf(key: string): PointValue | undefined;
}

export const NO_CONTEXT: ReadingContext = { valueOf: () => undefined };

export interface Observation {
  sample?: Sample;
  memory?: Memory;
}

/**
 * The reading as a sample, or none when it cannot decide anything: bad
 * quality, no value, a non-finite number, a boolean where a number is needed,
 * a reference point without a usable value. Such a reading counts as bad
 * quality. Rate and stale rules also remember the reading.
 */
export function observe(
  def: AlarmDefinition,
  reading: Reading,
  now: number,
  memory: Memory | undefined,
  context: ReadingContext,
): Observation {
  const value = usableValue(reading);
  if (value === undefined || reading.quality === 'bad') return keep(memory);
  const base = { value, quality: reading.quality, time: timeOf(reading, now) };
  const { rule } = def;
  switch (rule.kind) {
    case 'limit':
      return typeof value === 'number' ? { sample: base, ...keep(memory) } : keep(memory);
    case 'discrete': {
      if (rule.command_point === undefined || def.reference === undefined)
        return { sample: base, ...keep(memory) };
      const command = context.valueOf(def.reference);
      if (command === undefined || !isUsableValue(command)) return keep(memory);
      return { sample: { ...base, measure: asBoolean(value) !== asBoolean(command) }, ...keep(memory) };
    }
    case 'bit':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return keep(memory);
      return { sample: { ...base, measure: Math.floor(value / 2 ** rule.bit) % 2 === 1 }, ...keep(memory) };
    case 'deviation': {
      const setpoint = def.reference === undefined ? undefined : context.valueOf(def.reference);
      if (typeof value !== 'number' || typeof setpoint !== 'number' || !Number.isFinite(setpoint)) {
        return keep(memory);
      }
      if (rule.mode === 'percent') {
        if (setpoint === 0) return keep(memory);
        return {
          sample: { ...base, measure: ((value - setpoint) / Math.abs(setpoint)) * 100 },
          ...keep(memory),
        };
      }
      return { sample: { ...base, measure: value - setpoint }, ...keep(memory) };
    }
    case 'rate': {
      if (typeof value !== 'number') return keep(memory);
      const { rate, window } = rateOf(rule, memory?.window ?? [], base.time, value);
      const next = { ...memory, window };
      return rate === undefined ? { memory: next } : { sample: { ...base, measure: rate }, memory: next };
    }
    case 'stale': {
      const last = rememberReading(memory?.last, base, now);
      return { sample: { ...base, measure: isStale(rule, last, now) }, memory: { ...memory, last } };
    }
  }
}

function keep(memory: Memory | undefined): Observation {
  return memory === undefined ? {} : { memory };
}

function isUsableValue(value: PointValue): boolean {
  return typeof value === 'boolean' || Number.isFinite(value);
}

/** The value of a reading that can decide something, or undefined (bad quality, null, NaN, Infinity). */
export function usableValue(reading: Reading): PointValue | undefined {
  const { value } = reading;
  return reading.quality === 'bad' || value === null || !isUsableValue(value) ? undefined : value;
}

/** Device time when the protocol carries one; a garbled time never stops an alarm. */
function timeOf(reading: Reading, now: number): number {
  if (Number.isFinite(reading.sourceTime)) return reading.sourceTime as number;
  if (Number.isFinite(reading.gatewayTime)) return reading.gatewayTime;
  return now;
}

/** What a levelled rule compares: its measure, else the value. */
export function comparedOf(sample: Sample): number {
  return typeof sample.measure === 'number' ? sample.measure : (sample.value as number);
}

/** Whether the alarm condition holds for `sample`, given the level the process is in now (deadband). */
export function conditionOf(
  def: AlarmDefinition,
  current: LimitLevel | undefined,
  sample: Sample,
): Condition {
  const { rule } = def;
  const limits: LimitRule | undefined = limitsOf(def);
  if (limits) {
    const level = targetLevel(limits, comparedOf(sample), current);
    return level === undefined ? { active: false } : { active: true, level };
  }
  if (rule.kind === 'bit') return { active: sample.measure === (rule.alarm_when ?? true) };
  if (rule.kind === 'stale' || typeof sample.measure === 'boolean')
    return { active: sample.measure === true };
  return {
    active: asBoolean(sample.value) === ((rule.kind === 'discrete' ? rule.alarm_when : true) ?? true),
  };
}

/** A discrete point read from a register: any nonzero value is true. */
export function asBoolean(value: PointValue): boolean {
  return typeof value === 'boolean' ? value : value !== 0;
}

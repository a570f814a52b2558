/**
 * Scenarios that make a simulated plant lively without any scripting: every
 * alarm a point has raises and clears again within a cycle of 20–40 s, and
 * each point runs on its own period and phase so alarms do not all move in
 * step. Pure; derived from the point's alarm rules alone.
 */
import { effectiveDataType, isBooleanType } from '../config/data-types.ts';
import type { DiscreteRule, LimitRule, ModbusPoint, MqttPoint, OpcuaPoint } from '../config/schema.ts';
import type { Scenario } from './scenarios.ts';

const MIN_PERIOD_MS = 20_000;
const PERIOD_SPREAD_MS = 20_000;
/** Share of the time a discrete alarm is active. */
const DISCRETE_ALARM_DUTY = 0.35;
/** Boolean points without alarms (a running signal, say) are mostly on. */
const PLAIN_BOOLEAN_DUTY = 0.85;

/** Typical magnitudes by unit, so points without alarms show believable numbers. */
const PLAUSIBLE_BY_UNIT: Readonly<Record<string, number>> = {
  bar: 6,
  degC: 60,
  A: 40,
  'm3/h': 12,
  '%': 50,
  rpm: 1500,
};
const PLAUSIBLE_DEFAULT = 50;

export function autoScenario(deviceId: string, point: ModbusPoint | OpcuaPoint | MqttPoint): Scenario {
  const key = `${deviceId}/${point.id}`;
  const period_ms = MIN_PERIOD_MS + Math.round(fraction(key, 1) * PERIOD_SPREAD_MS);
  const phase_ms = Math.round(fraction(key, 2) * period_ms);
  const rules = point.alarms ?? [];

  if (holdsBoolean(point)) {
    const discrete = rules.find((rule): rule is DiscreteRule => rule.kind === 'discrete');
    if (discrete === undefined) return { kind: 'square', period_ms, duty: PLAIN_BOOLEAN_DUTY, phase_ms };
    const alarmWhen = discrete.alarm_when ?? true;
    const duty = alarmWhen ? DISCRETE_ALARM_DUTY : 1 - DISCRETE_ALARM_DUTY;
    return { kind: 'square', period_ms, duty, phase_ms };
  }

  const limits = rules.filter((rule): rule is LimitRule => rule.kind === 'limit');
  const span = limitSpan(limits);
  if (span === undefined) {
    const base = PLAUSIBLE_BY_UNIT[point.unit ?? ''] ?? PLAUSIBLE_DEFAULT;
    return { kind: 'noise', base, amplitude: base * 0.02, seed: hash(key), interval_ms: 2000 };
  }
  // Far enough past the outer limits that the values dwell beyond them and clear past every deadband.
  const margin = Math.max(
    (span.high - span.low) * 0.15,
    Math.max(Math.abs(span.high), Math.abs(span.low)) * 0.05,
    span.deadband * 2,
    0.5,
  );
  return { kind: 'ramp', min: span.low - margin, max: span.high + margin, period_ms, phase_ms };
}

function holdsBoolean(point: ModbusPoint | OpcuaPoint | MqttPoint): boolean {
  if ('register' in point) return isBooleanType(effectiveDataType(point.register, point.type));
  return point.type === 'bool' || point.type === 'boolean';
}

interface LimitSpan {
  low: number;
  high: number;
  deadband: number;
}

function limitSpan(rules: readonly LimitRule[]): LimitSpan | undefined {
  const values: number[] = [];
  let deadband = 0;
  for (const rule of rules) {
    deadband = Math.max(deadband, rule.deadband ?? 0);
    for (const setting of [rule.HH, rule.H, rule.L, rule.LL]) {
      if (setting === undefined) continue;
      values.push(setting.value);
      deadband = Math.max(deadband, setting.deadband ?? 0);
    }
  }
  if (values.length === 0) return undefined;
  return { low: Math.min(...values), high: Math.max(...values), deadband };
}

/** A stable number in [0, 1) for a key, different for each salt. */
function fraction(key: string, salt: number): number {
  return hash(`${salt}:${key}`) / 0x1_0000_0000;
}

/** FNV-1a: stable across runs and machines, which Math.random is not. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

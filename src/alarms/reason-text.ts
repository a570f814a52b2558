/**
 * The `reason.text` of an event: the comparison that decided the transition,
 * in the words a controls engineer would use to check it by hand.
 */
import type { LimitLevel, LimitRule } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { Transition } from './event.ts';
import { formatNumber, formatValue } from './format.ts';
import { limitsOf, measureName } from './limit-rules.ts';
import { heldLevels, isEasing, isHighLevel, type LevelSetting, levelSetting } from './limits.ts';
import { asBoolean, comparedOf } from './observe.ts';
import type { Sample } from './state.ts';

export interface TransitionFacts {
  transition: Transition;
  sample: Sample;
  /** Level before the transition (limit alarms). */
  from?: LimitLevel;
  /** Level after the transition (limit alarms). */
  to?: LimitLevel;
}

export function conditionText(def: AlarmDefinition, facts: TransitionFacts): string {
  const { rule } = def;
  const raised = facts.transition !== 'clear';
  if (def.kind === 'comm') {
    return `communication ${raised ? 'lost' : 'restored'} with device ${def.device}`;
  }
  const limits = limitsOf(def);
  if (limits) {
    const compared = comparedOf(facts.sample);
    const name = measureName(def);
    if (raised && facts.to !== undefined) return limitEntryText(limits, compared, facts.from, facts.to, name);
    return limitClearText(limits, compared, facts.from, name);
  }
  const value = facts.sample.value;
  const shown = typeof value === 'boolean' ? String(value) : `${formatNumber(value)} (${asBoolean(value)})`;
  switch (rule.kind) {
    case 'bit':
      return `bit ${rule.bit} of ${formatValue(value)} is ${facts.sample.measure ? 'set' : 'clear'}, alarm_when ${rule.alarm_when ?? true}`;
    case 'stale': {
      const bounds = [
        rule.flatline_ms === undefined ? '' : `flatline_ms ${rule.flatline_ms}`,
        rule.no_update_ms === undefined ? '' : `no_update_ms ${rule.no_update_ms}`,
      ].filter(Boolean);
      return raised
        ? `value ${formatValue(value)} stale (${bounds.join(', ')})`
        : `value ${formatValue(value)} fresh again (${bounds.join(', ')})`;
    }
    case 'discrete':
      if (rule.command_point !== undefined) {
        return `value ${shown} ${raised ? 'differs from' : 'matches'} command ${rule.command_point}`;
      }
      return `value ${shown} ${raised ? '=' : '!='} alarm_when ${rule.alarm_when ?? true}`;
    default:
      return `value ${shown}`;
  }
}

/** " for 1200 ms (on-delay 1000 ms)": how long the condition held against the delay it needed. */
export function delayText(transition: 'raise' | 'clear', heldMs: number, delayMs: number): string {
  return ` for ${heldMs} ms (${transition === 'raise' ? 'on' : 'off'}-delay ${delayMs} ms)`;
}

function limitEntryText(
  rule: LimitRule,
  value: number,
  from: LimitLevel | undefined,
  to: LimitLevel,
  name: string,
): string {
  const parts: string[] = [];
  const left = from === undefined ? undefined : levelSetting(rule, from);
  if (left && isEasing(from, to)) parts.push(missText(left, value, from, name));
  const entered = levelSetting(rule, to);
  if (entered) parts.push(holdText(entered, value, from, name));
  return parts.join('; ');
}

function limitClearText(rule: LimitRule, value: number, from: LimitLevel | undefined, name: string): string {
  const parts = heldLevels(from)
    .map((level) => levelSetting(rule, level))
    .filter((setting) => setting !== undefined)
    .map((setting) => missText(setting, value, from, name));
  return parts.length > 0 ? parts.join('; ') : `${name} ${formatValue(value)} is within every limit`;
}

/** States the plain limit when the value passes it, the deadband only when that is what kept the level. */
function holdText(
  setting: LevelSetting,
  value: number,
  current: LimitLevel | undefined,
  name: string,
): string {
  const high = isHighLevel(setting.level);
  const passesLimit = high ? value >= setting.limit : value <= setting.limit;
  return `${name} ${formatNumber(value)} ${high ? '>=' : '<='} ${thresholdText(setting, current, !passesLimit)}`;
}

function missText(
  setting: LevelSetting,
  value: number,
  current: LimitLevel | undefined,
  name: string,
): string {
  const high = isHighLevel(setting.level);
  return `${name} ${formatNumber(value)} ${high ? '<' : '>'} ${thresholdText(setting, current, true)}`;
}

function thresholdText(
  setting: LevelSetting,
  current: LimitLevel | undefined,
  withDeadband: boolean,
): string {
  const limit = `${setting.level} limit ${formatNumber(setting.limit)}`;
  const applies = withDeadband && setting.deadband > 0 && heldLevels(current).includes(setting.level);
  if (!applies) return limit;
  return `${limit} ${isHighLevel(setting.level) ? '-' : '+'} deadband ${formatNumber(setting.deadband)}`;
}

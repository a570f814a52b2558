/**
 * The `reason.text` of an event: the comparison that decided the transition,
 * in the words a controls engineer would use to check it by hand.
 */
import type { LimitLevel, LimitRule } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { Transition } from './event.ts';
import { formatNumber, formatValue } from './format.ts';
import { heldLevels, isEasing, isHighLevel, type LevelSetting, levelSetting } from './limits.ts';
import { asBoolean } from './observe.ts';
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
  if (rule.kind === 'discrete') {
    const value = facts.sample.value;
    const shown = typeof value === 'boolean' ? String(value) : `${formatNumber(value)} (${asBoolean(value)})`;
    return `value ${shown} ${raised ? '=' : '!='} alarm_when ${rule.alarm_when ?? true}`;
  }
  const value = facts.sample.value as number;
  if (raised && facts.to !== undefined) return limitEntryText(rule, value, facts.from, facts.to);
  return limitClearText(rule, value, facts.from);
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
): string {
  const parts: string[] = [];
  const left = from === undefined ? undefined : levelSetting(rule, from);
  if (left && isEasing(from, to)) parts.push(missText(left, value, from));
  const entered = levelSetting(rule, to);
  if (entered) parts.push(holdText(entered, value, from));
  return parts.join('; ');
}

function limitClearText(rule: LimitRule, value: number, from: LimitLevel | undefined): string {
  const parts = heldLevels(from)
    .map((level) => levelSetting(rule, level))
    .filter((setting) => setting !== undefined)
    .map((setting) => missText(setting, value, from));
  return parts.length > 0 ? parts.join('; ') : `value ${formatValue(value)} is within every limit`;
}

/** States the plain limit when the value passes it, the deadband only when that is what kept the level. */
function holdText(setting: LevelSetting, value: number, current: LimitLevel | undefined): string {
  const high = isHighLevel(setting.level);
  const passesLimit = high ? value >= setting.limit : value <= setting.limit;
  return `value ${formatNumber(value)} ${high ? '>=' : '<='} ${thresholdText(setting, current, !passesLimit)}`;
}

function missText(setting: LevelSetting, value: number, current: LimitLevel | undefined): string {
  const high = isHighLevel(setting.level);
  return `value ${formatNumber(value)} ${high ? '<' : '>'} ${thresholdText(setting, current, true)}`;
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

/**
 * Builds the event of one transition from what the engine decided; every
 * field of the contract is filled here and nowhere else. It never throws on
 * what a device sent: a time no RFC 3339 time can hold (adapters screen
 * them out, but a new adapter may not) gives way to the gateway's time, and
 * the reason says so.
 */

import { isRepresentableTime } from '../adapters/reading.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { LimitLevel, Priority } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import {
  type AlarmEventDraft,
  type AlarmReason,
  type AlarmStateFlags,
  EVENT_SCHEMA,
  SEVERITY,
  type Transition,
} from './event.ts';
import { isoTime, utcDate } from './format.ts';
import { isaStateOf } from './isa-state.ts';
import { limitsOf } from './limit-rules.ts';
import { type LevelSetting, levelSetting } from './limits.ts';
import { messageOf } from './message.ts';
import type { Sample } from './state.ts';

export interface DecidedTransition {
  transition: Transition;
  /** The flags after the transition. */
  flags: AlarmStateFlags;
  /** Level entered, or left for a clear (limit alarms). */
  level?: LimitLevel;
  /** Level before a level change. */
  previousLevel?: LimitLevel;
  /** The sample whose value the event reports; none for an operator transition on an alarm not read yet. */
  sample?: Sample;
  /** Epoch ms the transition happened at: the sample's time, or when a delay elapsed. */
  at: number;
  /** Every sample that decided it, oldest first. */
  samples: Sample[];
  text: string;
  /** The on-delay (raise) or off-delay (clear) the transition waited for, if any. */
  delayMs?: number;
  /** Whether the rule's condition holds, shown or not: tells a latched alarm from an active one. */
  processActive: boolean;
  /** Operator transitions: who, why, by which command. */
  operator?: { actor: string; comment?: string; commandId?: string };
  /** Reason fields beyond the rule's thresholds (chatter, suppression). */
  reason?: Partial<AlarmReason>;
}

export function eventDraft(
  def: AlarmDefinition,
  decided: DecidedTransition,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const limits = limitsOf(def);
  const setting = decided.level === undefined || !limits ? undefined : levelSetting(limits, decided.level);
  const priority = priorityOf(def, setting);
  const gatewayTime = isRepresentableTime(now) ? now : Date.now();
  const unusable = [decided.at, ...decided.samples.map((sample) => sample.time)].find(
    (time) => !isRepresentableTime(time),
  );
  const timeNote =
    unusable === undefined ? '' : ` (device time ${unusable} is no valid time; gateway time used)`;
  const timeOf = (time: number) => isoTime(isRepresentableTime(time) ? time : gatewayTime);
  const sourceTime = timeOf(decided.at);
  return {
    event_id: newId(),
    schema: EVENT_SCHEMA,
    gateway_id: def.gatewayId,
    site: def.site,
    area: def.area,
    line: def.line,
    asset: def.asset,
    device: def.device,
    point: def.point,
    alarm: def.rule.id,
    condition_id: def.conditionId,
    kind: def.kind,
    transition: decided.transition,
    state: { ...decided.flags, isa_state: isaStateOf(decided.flags, decided.processActive) },
    priority,
    severity: SEVERITY[priority],
    value: decided.sample?.value ?? null,
    ...(def.unit === undefined ? {} : { unit: def.unit }),
    quality: decided.sample?.quality ?? 'good',
    ...(setting ? { limit: setting.limit, deadband: setting.deadband } : {}),
    source_time: sourceTime,
    gateway_time: isoTime(gatewayTime),
    event_date: utcDate(sourceTime),
    message: messageOf(def, {
      transition: decided.transition,
      value: decided.sample?.value ?? null,
      ...(decided.level === undefined ? {} : { level: decided.level }),
      ...(decided.previousLevel === undefined ? {} : { previousLevel: decided.previousLevel }),
      ...(setting ? { limit: setting.limit } : {}),
    }),
    reason: reasonOf(def, decided, setting, timeOf, timeNote),
    ...(decided.operator
      ? {
          actor: decided.operator.actor,
          ...(decided.operator.comment === undefined ? {} : { comment: decided.operator.comment }),
          ...(decided.operator.commandId === undefined ? {} : { command_id: decided.operator.commandId }),
        }
      : {}),
  };
}

/** The level's priority, else the rule's, else the site default. */
export function priorityOf(def: AlarmDefinition, setting: LevelSetting | undefined): Priority {
  return setting?.priority ?? def.rule.priority ?? DEFAULTS.priority;
}

/** Only a delay the transition waited for is named: an on-delay never explains a clear. */
function reasonOf(
  def: AlarmDefinition,
  decided: DecidedTransition,
  setting: LevelSetting | undefined,
  timeOf: (time: number) => string,
  timeNote: string,
): AlarmReason {
  const delayKey = decided.transition === 'raise' ? 'on_delay_ms' : 'off_delay_ms';
  return {
    rule: def.rule.id,
    text: `${decided.text}${timeNote}`,
    ...(setting ? { threshold: setting.limit, deadband: setting.deadband } : {}),
    ...(decided.delayMs === undefined ? {} : { [delayKey]: decided.delayMs }),
    samples: decided.samples.map((sample) => ({
      value: sample.value,
      quality: sample.quality,
      time: timeOf(sample.time),
      ...(sample.measure === undefined ? {} : { measure: sample.measure }),
    })),
    ...decided.reason,
  };
}

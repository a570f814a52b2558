/**
 * Alarms the device keeps itself (OPC UA Alarms & Conditions) as events of
 * the contract. Pure, like the engine: the server decides when a condition is
 * active or acknowledged; this module only turns a change of those flags into
 * transitions, against the state the gateway committed last, so a condition
 * re-reported by a ConditionRefresh in the state already published yields no
 * event at all, and one that changed while the gateway was away yields the
 * transitions it missed, marked `reason.refresh`.
 */
import type { ConditionReport } from '../adapters/condition-report.ts';
import type { Priority } from '../config/schema.ts';
import { conditionIdOf } from './definition.ts';
import { type AlarmEventDraft, type AlarmStateFlags, type AlarmTransition, EVENT_SCHEMA } from './event.ts';
import { isoTime, utcDate } from './format.ts';

/** Where a device's native conditions sit in the plant. */
export interface NativePlace {
  gatewayId: string;
  site: string;
  area: string;
  line: string;
  asset: string;
  device: string;
}

/** The persisted state of one native condition; `native` tells it apart from rule states in the state table. */
export interface NativeState {
  native: true;
  device: string;
  point: string;
  alarm: string;
  flags: AlarmStateFlags;
  severity: number;
  message: string;
}

export interface NativeEvaluation {
  state: NativeState;
  events: AlarmEventDraft[];
}

/** OPC UA severity bands onto the priorities of the contract. */
export function priorityOfSeverity(severity: number): Priority {
  if (severity >= 800) return 'critical';
  if (severity >= 600) return 'high';
  if (severity >= 400) return 'medium';
  if (severity >= 200) return 'low';
  return 'diagnostic';
}

/** Server names may hold characters ids cannot ("/", spaces); they become "_". */
export function idOf(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'unnamed').slice(0, 64);
}

export function nativeConditionId(
  place: NativePlace,
  report: Pick<ConditionReport, 'sourceName' | 'conditionName'>,
) {
  const point = idOf(report.sourceName);
  const alarm = idOf(report.conditionName);
  return { point, alarm, conditionId: conditionIdOf({ ...place, point, alarm }) };
}

const NORMAL: AlarmStateFlags = {
  active: false,
  acked: true,
  latched: false,
  shelved: false,
  suppressed: false,
  out_of_service: false,
};

export function evaluateNative(
  place: NativePlace,
  previous: NativeState | undefined,
  report: ConditionReport,
  refresh: boolean,
  now: number,
  newId: () => string,
): NativeEvaluation {
  const { point, alarm } = nativeConditionId(place, report);
  const target: AlarmStateFlags = {
    ...NORMAL,
    active: report.active,
    acked: report.acked,
    ...(report.confirmed === undefined ? {} : { confirmed: report.confirmed }),
  };
  const state: NativeState = {
    native: true,
    device: place.device,
    point,
    alarm,
    flags: target,
    severity: report.severity,
    message: report.message,
  };
  const before = previous?.flags ?? NORMAL;
  const steps: AlarmTransition[] = [];
  if (!before.active && target.active) steps.push('raise');
  // An ack is news only about an alarm downstream saw raised (or returned unacknowledged).
  if (previous !== undefined && !before.acked && target.acked) steps.push('ack');
  if (before.confirmed === false && target.confirmed === true) steps.push('confirm');
  if (before.active && !target.active) steps.push('clear');

  const events: AlarmEventDraft[] = [];
  let flags: AlarmStateFlags = { ...before };
  for (const transition of steps) {
    flags = flagsAfter(flags, transition, target);
    events.push(draft(place, state, transition, flags, report.time, now, refresh, newId));
  }
  return { state, events };
}

/**
 * A condition the gateway holds as active that a complete ConditionRefresh
 * did not mention any more: it went back to normal and was forgotten by the
 * server (not retained) while the gateway was away.
 */
export function vanishedNative(
  place: NativePlace,
  previous: NativeState,
  now: number,
  newId: () => string,
): NativeEvaluation {
  const state: NativeState = { ...previous, flags: { ...previous.flags, active: false, acked: true } };
  if (!previous.flags.active) return { state, events: [] };
  const flags = { ...previous.flags, active: false };
  return {
    state,
    events: [
      draft(place, state, 'clear', flags, now, now, true, newId, 'not reported by ConditionRefresh any more'),
    ],
  };
}

const WORDS: Record<AlarmTransition, string> = {
  raise: 'active',
  clear: 'inactive',
  level_change: 'at another level',
  ack: 'acknowledged',
  confirm: 'confirmed',
};

function flagsAfter(
  flags: AlarmStateFlags,
  transition: AlarmTransition,
  target: AlarmStateFlags,
): AlarmStateFlags {
  switch (transition) {
    case 'raise':
      return { ...flags, active: true, acked: target.acked, ...confirmedOf(target) };
    case 'ack':
      return { ...flags, acked: true };
    case 'confirm':
      return { ...flags, ...confirmedOf(target) };
    default:
      return { ...flags, active: false, acked: target.acked, ...confirmedOf(target) };
  }
}

function confirmedOf(target: AlarmStateFlags): Partial<AlarmStateFlags> {
  return target.confirmed === undefined ? {} : { confirmed: target.confirmed };
}

function draft(
  place: NativePlace,
  state: NativeState,
  transition: AlarmTransition,
  flags: AlarmStateFlags,
  at: number,
  now: number,
  refresh: boolean,
  newId: () => string,
  why?: string,
): AlarmEventDraft {
  const priority = priorityOfSeverity(state.severity);
  const sourceTime = isoTime(at);
  const text = why ?? `the server reported condition ${state.alarm} of ${state.point} ${WORDS[transition]}`;
  return {
    event_id: newId(),
    schema: EVENT_SCHEMA,
    gateway_id: place.gatewayId,
    site: place.site,
    area: place.area,
    line: place.line,
    asset: place.asset,
    device: place.device,
    point: state.point,
    alarm: state.alarm,
    condition_id: conditionIdOf({ ...place, point: state.point, alarm: state.alarm }),
    kind: 'native',
    transition,
    state: flags,
    priority,
    severity: state.severity,
    value: flags.active,
    quality: 'good',
    source_time: sourceTime,
    gateway_time: isoTime(now),
    event_date: utcDate(sourceTime),
    message: state.message || `${state.point} ${state.alarm}`,
    reason: { rule: 'native', text, ...(refresh ? { refresh: true } : {}) },
  };
}

/** A native state read back from the state table, or undefined when the row is something else. */
export function restoreNativeState(saved: unknown): NativeState | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const s = saved as Record<string, unknown>;
  if (s.native !== true || typeof s.device !== 'string' || typeof s.point !== 'string') return undefined;
  if (typeof s.alarm !== 'string' || typeof s.flags !== 'object' || s.flags === null) return undefined;
  const flags = s.flags as Record<string, unknown>;
  if (typeof flags.active !== 'boolean' || typeof flags.acked !== 'boolean') return undefined;
  return {
    native: true,
    device: s.device,
    point: s.point,
    alarm: s.alarm,
    flags: {
      ...NORMAL,
      active: flags.active,
      acked: flags.acked,
      ...(typeof flags.confirmed === 'boolean' ? { confirmed: flags.confirmed } : {}),
    },
    severity: typeof s.severity === 'number' ? s.severity : 500,
    message: typeof s.message === 'string' ? s.message : '',
  };
}

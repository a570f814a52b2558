/**
 * Alarms the device keeps itself (OPC UA Alarms & Conditions) as events of
 * the contract. Pure, like the engine: the server decides when a condition is
 * active or acknowledged; this module only turns a change of those flags into
 * transitions, against the state the gateway committed last, so a condition
 * re-reported by a ConditionRefresh in the state already published yields no
 * event at all, and one that changed while the gateway was away yields the
 * transitions it missed, marked `reason.refresh`.
 *
 * A server that refuses ConditionRefresh gets its condition nodes read
 * instead: what was read is compared like a refresh; an active condition that
 * could not be read is unconfirmed, and the server's next event about it
 * decides from scratch, so a raise after a clear the gateway never saw is
 * published rather than taken for the activation downstream already has.
 *
 * A branch (OPC UA BranchId: an earlier state the server keeps apart so it can
 * still be acknowledged) is tracked as a condition of its own, named after
 * the condition with a suffix, and yields only `ack` and `confirm`: the
 * raise and clear of the state it preserves were already published under the
 * condition itself, and publishing them again would count the alarm twice.
 */
import { createHash } from 'node:crypto';
import type { ConditionReport, ConditionSync } from '../adapters/condition-report.ts';
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
  /** A branch: its BranchId and the condition_id of the condition it belongs to. */
  branch?: { id: string; of: string };
  /**
   * Held only in memory: the server refused ConditionRefresh and the
   * condition could not be read, so whether it is still in this state is not
   * known; its next event decides.
   */
  unconfirmed?: true;
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

/** The characters of the alarm id a branch suffix takes, so a branch id fits in the 64 of an id. */
const BRANCH_SUFFIX_LENGTH = '.branch-'.length + 8;

/**
 * The identity of a condition, or of one of its branches: `<alarm>.branch-<8
 * hex digits>`, derived from the BranchId so that every report of the branch
 * (and a ConditionRefresh after a restart) lands on the same identity, short
 * and of id characters whatever NodeId the server uses for branches.
 */
export function nativeConditionId(
  place: NativePlace,
  report: Pick<ConditionReport, 'sourceName' | 'conditionName' | 'branch'>,
) {
  const point = idOf(report.sourceName);
  const trunk = idOf(report.conditionName);
  const trunkId = conditionIdOf({ ...place, point, alarm: trunk });
  if (report.branch === undefined) return { point, alarm: trunk, conditionId: trunkId };
  const alarm = `${trunk.slice(0, 64 - BRANCH_SUFFIX_LENGTH)}.branch-${branchHash(report.branch)}`;
  return {
    point,
    alarm,
    conditionId: conditionIdOf({ ...place, point, alarm }),
    branch: { id: report.branch, of: trunkId },
  };
}

function branchHash(branchId: string): string {
  return createHash('sha256').update(branchId).digest('hex').slice(0, 8);
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
  sync: ConditionSync,
  now: number,
  newId: () => string,
): NativeEvaluation {
  const { point, alarm, branch } = nativeConditionId(place, report);
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
    ...(branch === undefined ? {} : { branch }),
  };
  // An unconfirmed state may have cleared and been raised again unseen: an active report is a raise again.
  const unconfirmed = sync === 'live' && previous?.unconfirmed === true;
  const known = unconfirmed ? undefined : previous;
  const before = known?.flags ?? NORMAL;
  const steps: AlarmTransition[] = [];
  if (!before.active && target.active) steps.push('raise');
  // An ack is news only about an alarm downstream saw raised (or returned unacknowledged).
  if (known !== undefined && !before.acked && target.acked) steps.push('ack');
  if (before.confirmed === false && target.confirmed === true) steps.push('confirm');
  if (previous?.flags.active === true && !target.active) steps.push('clear');
  // A branch preserves a state whose raise and clear downstream already has; only its acknowledgement is news.
  const news = branch === undefined ? steps : steps.filter((step) => step === 'ack' || step === 'confirm');

  const events: AlarmEventDraft[] = [];
  let flags: AlarmStateFlags = { ...before };
  for (const transition of steps) {
    flags = flagsAfter(flags, transition, target);
    if (!news.includes(transition)) continue;
    const text = reportedText(state, transition, sync, unconfirmed);
    events.push(draft(place, state, transition, flags, report.time, now, sync !== 'live', newId, text));
  }
  return { state, events };
}

/**
 * A condition the gateway holds as active that a complete set of reports
 * left out: after a ConditionRefresh it went back to normal and was
 * forgotten by the server; after a read (the server refused the refresh) it
 * could not be found or read, so it is unconfirmed until the server's next
 * event about it.
 */
export function unreportedNative(
  place: NativePlace,
  previous: NativeState,
  sync: Exclude<ConditionSync, 'live'>,
  now: number,
  newId: () => string,
): NativeEvaluation {
  if (sync === 'refresh') return vanishedNative(place, previous, now, newId);
  // A branch never raises; its acknowledgement arrives as an event all the same.
  if (!previous.flags.active || previous.branch !== undefined) return { state: previous, events: [] };
  return { state: { ...previous, unconfirmed: true }, events: [] };
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
  // The refresh was complete: nothing about this condition is in doubt any more.
  delete state.unconfirmed;
  // A branch the server no longer mentions was acknowledged and deleted; its state was never raised here.
  if (!previous.flags.active || previous.branch !== undefined) return { state, events: [] };
  const flags = { ...previous.flags, active: false };
  return {
    state,
    events: [
      draft(place, state, 'clear', flags, now, now, true, newId, 'not reported by ConditionRefresh any more'),
    ],
  };
}

/** Why a reported transition happened, as the event's reason text says it. */
function reportedText(
  state: NativeState,
  transition: AlarmTransition,
  sync: ConditionSync,
  unconfirmed: boolean,
): string {
  const what = state.branch === undefined ? 'condition' : 'an earlier state (branch) of condition';
  const seen = `${what} ${state.alarm} of ${state.point} ${WORDS[transition]}`;
  if (sync === 'read') {
    return `the server's condition node showed ${seen}: state reconciled by reading, because the server refused ConditionRefresh`;
  }
  const text = `the server reported ${seen}`;
  if (!unconfirmed) return text;
  return `${text}; the state published before was unconfirmed (the server refused ConditionRefresh and the condition could not be read), so this event decided it`;
}

/** The transitions a server reports of its own conditions. */
const WORDS: Partial<Record<AlarmTransition, string>> = {
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
  text: string,
): AlarmEventDraft {
  const priority = priorityOfSeverity(state.severity);
  const sourceTime = isoTime(at);
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
    reason: {
      rule: 'native',
      text,
      ...(refresh ? { refresh: true } : {}),
      ...(state.branch === undefined ? {} : { branch_id: state.branch.id, branch_of: state.branch.of }),
    },
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
    ...branchOf(s.branch),
  };
}

function branchOf(saved: unknown): Pick<NativeState, 'branch'> {
  if (typeof saved !== 'object' || saved === null) return {};
  const { id, of } = saved as Record<string, unknown>;
  return typeof id === 'string' && typeof of === 'string' ? { branch: { id, of } } : {};
}

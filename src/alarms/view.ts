/**
 * What an alarm looks like from outside the engine right now: where it is,
 * its priority and its flags. The status page and the metrics read these; the
 * engine never needs them.
 */
import type { Priority } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmKind, AlarmStateFlags } from './event.ts';
import { activePriority } from './kpis.ts';
import { type NativePlace, type NativeState, priorityOfSeverity } from './native.ts';
import type { AlarmState } from './state.ts';

export interface AlarmView {
  conditionId: string;
  kind: AlarmKind;
  area: string;
  asset: string;
  device: string;
  point: string;
  alarm: string;
  priority: Priority;
  flags: AlarmStateFlags;
  /** When it last became active as shown (epoch ms), if the engine knows. */
  activeSince?: number;
}

/** Normal, acknowledged and in service: nothing an operator needs to see. */
export function isQuiet(flags: AlarmStateFlags): boolean {
  return (
    !flags.active &&
    flags.acked &&
    !flags.latched &&
    !flags.shelved &&
    !flags.suppressed &&
    !flags.out_of_service
  );
}

/** A rule's alarm: a limit alarm takes the priority of the level it is at. */
export function ruleAlarmView(def: AlarmDefinition, state: AlarmState): AlarmView {
  const { flags } = state;
  return {
    conditionId: def.conditionId,
    kind: def.kind,
    area: def.area,
    asset: def.asset,
    device: def.device,
    point: def.point,
    alarm: def.rule.id,
    priority: activePriority(def, state),
    flags,
    ...(flags.active && state.activeSince !== undefined ? { activeSince: state.activeSince } : {}),
  };
}

export function nativeAlarmView(conditionId: string, place: NativePlace, state: NativeState): AlarmView {
  return {
    conditionId,
    kind: 'native',
    area: place.area,
    asset: place.asset,
    device: state.device,
    point: state.point,
    alarm: state.alarm,
    priority: priorityOfSeverity(state.severity),
    flags: state.flags,
  };
}

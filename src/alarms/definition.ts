/**
 * One alarm as the engine sees it: a rule bound to its point and to the place
 * of that point in the plant, so every event can name where it happened.
 */
import type { AlarmRule, ChatterSetting, DiscreteRule } from '../config/schema.ts';
import type { Expression } from './expression.ts';

export type DefinitionKind = AlarmRule['kind'] | 'comm';

export interface AlarmDefinition {
  /** `${site}/${area}/${line}/${asset}/${point}/${alarm}`: the key of the alarm state and of its events. */
  conditionId: string;
  kind: DefinitionKind;
  /** A communication-loss alarm is a discrete rule on a synthetic point named after its device. */
  rule: AlarmRule | DiscreteRule;
  gatewayId: string;
  site: string;
  area: string;
  line: string;
  asset: string;
  device: string;
  point: string;
  unit?: string;
  /** The other point the rule compares with (command point, setpoint), as a point key. */
  reference?: string;
  /** Suppressed by design while this holds (the rule's, and its device's). */
  suppressWhen?: Expression;
  /** The suppression condition as written, for the reason of the events. */
  suppressWhenText?: string;
  /** Chattering detection, the rule's own or the site's. */
  chatter?: ChatterSetting;
}

/** Ids never contain "/", so the joined path is unambiguous. */
export function conditionIdOf(parts: {
  site: string;
  area: string;
  line: string;
  asset: string;
  point: string;
  alarm: string;
}): string {
  return [parts.site, parts.area, parts.line, parts.asset, parts.point, parts.alarm].join('/');
}

/** The key under which readings of one point find their alarms. */
export function pointKey(deviceId: string, pointId: string): string {
  return `${deviceId}/${pointId}`;
}

/** A point reference of the site file: `point` on the same device, or `device/point`. */
export function resolvePointRef(deviceId: string, ref: string): string {
  return ref.includes('/') ? ref : pointKey(deviceId, ref);
}

/**
 * One alarm as the engine sees it: a rule bound to its point and to the place
 * of that point in the plant, so every event can name where it happened.
 */
import type { DiscreteRule, LimitRule } from '../config/schema.ts';

export type DefinitionKind = 'limit' | 'discrete' | 'comm';

export interface AlarmDefinition {
  /** `${site}/${area}/${line}/${asset}/${point}/${alarm}`: the key of the alarm state and of its events. */
  conditionId: string;
  kind: DefinitionKind;
  /** A communication-loss alarm is a discrete rule on a synthetic point named after its device. */
  rule: LimitRule | DiscreteRule;
  gatewayId: string;
  site: string;
  area: string;
  line: string;
  asset: string;
  device: string;
  point: string;
  unit?: string;
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

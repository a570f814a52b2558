/**
 * Alarm rules that read other points: a state-mismatch rule its command
 * point, a deviation rule its setpoint, and suppression conditions (of a rule
 * or of a whole device) the points they name. Each reference must name a
 * point of the site file, and a condition must parse; both are reported at
 * the key that holds them.
 */
import { resolvePointRef } from '../alarms/definition.ts';
import { ExpressionError, parseExpression } from '../alarms/expression.ts';
import { type CheckContext, entries } from './check-context.ts';
import type { Path } from './paths.ts';

type Located = { item: Record<string, unknown>; path: Path };

export function checkAlarmReferences(context: CheckContext, devices: readonly Located[]): void {
  const points = new Set<string>();
  for (const { item: device } of devices) {
    for (const { item: point } of entries(device.points, [])) {
      if (typeof device.id === 'string' && typeof point.id === 'string' && !point.id.includes('{')) {
        points.add(`${device.id}/${point.id}`);
      }
    }
  }
  const known = (deviceId: string, ref: string, path: Path, what: string): void => {
    const key = resolvePointRef(deviceId, ref);
    if (points.has(key)) return;
    const hint = ref.includes('/') ? 'device/point' : `a point of device ${deviceId}, or device/point`;
    context.report(
      'CONFIG_REFERENCE',
      path,
      'value',
      `${what} "${ref}" is not a point of this site file (${hint})`,
    );
  };
  const condition = (deviceId: string, text: unknown, path: Path): void => {
    if (typeof text !== 'string' || !context.clean(path)) return;
    const refs: string[] = [];
    try {
      parseExpression(text, (ref) => {
        refs.push(ref);
        return ref;
      });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      context.report('CONFIG_SCHEMA', path, 'value', `condition "${text}": ${error.message}`);
      return;
    }
    for (const ref of refs) known(deviceId, ref, path, 'condition names point');
  };

  for (const { item: device, path: devicePath } of devices) {
    if (typeof device.id !== 'string') continue;
    condition(device.id, device.suppress_when, [...devicePath, 'suppress_when']);
    for (const { item: point, path: pointPath } of entries(device.points, [...devicePath, 'points'])) {
      for (const { item: rule, path } of entries(point.alarms, [...pointPath, 'alarms'])) {
        condition(device.id, rule.suppress_when, [...path, 'suppress_when']);
        for (const key of ['command_point', 'setpoint_point'] as const) {
          const ref = rule[key];
          if (typeof ref === 'string' && context.clean([...path, key])) {
            known(device.id, ref, [...path, key], key.replace('_', ' '));
          }
        }
      }
    }
  }
}

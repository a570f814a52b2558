/**
 * An alarm is known by site/area/line/asset/point/rule id, not by device (the
 * alarm engine keys its state and events so). Two devices of one asset with
 * equally named points would therefore share one alarm; the engine refuses
 * that at start-up, and this check reports it with a line number beforehand.
 */
import { conditionIdOf } from '../alarms/definition.ts';
import { type CheckContext, cleanKeys, entries } from './check-context.ts';
import { formatPath, type Path } from './paths.ts';

export function checkAlarmIdentities(
  context: CheckContext,
  site: Record<string, unknown>,
  devices: readonly { item: Record<string, unknown>; path: Path }[],
): void {
  if (typeof site.site !== 'string' || !context.clean(['site'])) return;
  const first = new Map<string, { rule: Path; device: Path }>();
  for (const { item: device, path: devicePath } of devices) {
    const { area, line, asset } = device;
    if (typeof area !== 'string' || typeof line !== 'string' || typeof asset !== 'string') continue;
    if (!cleanKeys(context, devicePath, 'area', 'line', 'asset')) continue;
    for (const { item: point, path: pointPath } of entries(device.points, [...devicePath, 'points'])) {
      if (typeof point.id !== 'string' || !cleanKeys(context, pointPath, 'id', 'asset')) continue;
      const pointAsset = typeof point.asset === 'string' ? point.asset : asset;
      for (const { item: rule, path } of entries(point.alarms, [...pointPath, 'alarms'])) {
        if (typeof rule.id !== 'string' || !cleanKeys(context, path, 'id')) continue;
        const parts = { site: site.site, area, line, asset: pointAsset, point: point.id, alarm: rule.id };
        const id = conditionIdOf(parts);
        const earlier = first.get(id);
        if (earlier === undefined) {
          first.set(id, { rule: path, device: devicePath });
          continue;
        }
        // Within one device the repeated point or rule id has been reported already.
        if (formatPath(earlier.device) === formatPath(devicePath)) continue;
        const message =
          `same alarm ${id} as ${formatPath(earlier.rule)} (first defined at line ` +
          `${context.lineOf([...earlier.rule, 'id'])}); give the points distinct ids or assets`;
        context.report('CONFIG_REFERENCE', [...path, 'id'], 'value', message);
      }
    }
  }
}

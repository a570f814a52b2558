/**
 * Turns the site file into the alarm definitions the engine evaluates: every
 * rule of every point, plus one communication-loss alarm per device.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { Device, DiscreteRule, SiteFile } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { type AlarmDefinition, conditionIdOf, pointKey } from './definition.ts';
import type { NativePlace } from './native.ts';

export const COMM_LOSS_ALARM = 'comm_loss';

export interface CompiledAlarms {
  /** Alarms of each point, by `pointKey(device, point)`; points without alarms are absent. */
  byPoint: Map<string, AlarmDefinition[]>;
  /** The communication-loss alarm of each device, by device id. */
  commByDevice: Map<string, AlarmDefinition>;
  /** Every definition, point alarms of a device before its communication alarm. */
  all: AlarmDefinition[];
  /** Devices whose own alarms (OPC UA conditions) the gateway passes on, by device id. */
  nativeByDevice: Map<string, NativePlace>;
}

export function compileAlarms(site: SiteFile): CompiledAlarms {
  const byPoint = new Map<string, AlarmDefinition[]>();
  const commByDevice = new Map<string, AlarmDefinition>();
  const all: AlarmDefinition[] = [];
  const nativeByDevice = new Map<string, NativePlace>();

  for (const device of site.devices) {
    if (device.protocol === 'opcua' && device.native_conditions !== undefined) {
      nativeByDevice.set(device.id, { ...placeOf(site, device), asset: device.asset });
    }
    for (const point of device.points) {
      const asset = point.asset ?? device.asset;
      const definitions = (point.alarms ?? []).map(
        (rule): AlarmDefinition => ({
          ...placeOf(site, device),
          conditionId: conditionIdOf({ ...placeOf(site, device), asset, point: point.id, alarm: rule.id }),
          kind: rule.kind,
          rule,
          asset,
          point: point.id,
          ...(point.unit === undefined ? {} : { unit: point.unit }),
        }),
      );
      if (definitions.length === 0) continue;
      byPoint.set(pointKey(device.id, point.id), definitions);
      all.push(...definitions);
    }
    const comm = commAlarmOf(site, device);
    commByDevice.set(device.id, comm);
    all.push(comm);
  }

  rejectSharedConditions(all);
  return { byPoint, commByDevice, all, nativeByDevice };
}

function placeOf(site: SiteFile, device: Device) {
  return {
    gatewayId: site.gateway.id,
    site: site.site,
    area: device.area,
    line: device.line,
    device: device.id,
  };
}

function commAlarmOf(site: SiteFile, device: Device): AlarmDefinition {
  const rule: DiscreteRule = {
    id: COMM_LOSS_ALARM,
    kind: 'discrete',
    alarm_when: true,
    priority: device.comm_priority ?? DEFAULTS.commPriority,
  };
  const place = { ...placeOf(site, device), asset: device.asset, point: device.id };
  return { ...place, conditionId: conditionIdOf({ ...place, alarm: rule.id }), kind: 'comm', rule };
}

/**
 * Two alarms with one condition id would share one persisted state and one
 * event stream, e.g. two devices of one asset with equally named points.
 */
function rejectSharedConditions(all: readonly AlarmDefinition[]): void {
  const seen = new Map<string, AlarmDefinition>();
  for (const def of all) {
    const first = seen.get(def.conditionId);
    if (first) {
      throw new GatewayError(
        'CONFIG_REFERENCE',
        `alarm ${def.conditionId} is defined twice (device ${first.device} point ${first.point}, device ${def.device} point ${def.point}); give the points distinct ids or assets`,
      );
    }
    seen.set(def.conditionId, def);
  }
}

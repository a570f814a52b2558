/**
 * Turns the site file into the alarm definitions the engine evaluates: every
 * rule of every point, plus one communication-loss alarm per device. A point
 * whose id names topic segments (`{asset}.temp`, MQTT) is a template: its
 * alarms exist once per concrete point id the device reports.
 */
import { ALARM_DEFAULTS } from '../config/alarm-defaults.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { AlarmRule, Device, DiscreteRule, LimitLevel, SiteFile } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { type AlarmDefinition, conditionIdOf, pointKey, resolvePointRef } from './definition.ts';
import { type Expression, ExpressionError, parseExpression } from './expression.ts';
import type { NativePlace } from './native.ts';

export const COMM_LOSS_ALARM = 'comm_loss';

export interface CompiledAlarms {
  /** Alarms of each point, by `pointKey(device, point)`; points without alarms are absent. */
  byPoint: Map<string, AlarmDefinition[]>;
  /** The communication-loss alarm of each device, by device id. */
  commByDevice: Map<string, AlarmDefinition>;
  /** Every definition, point alarms of a device before its communication alarm. */
  all: AlarmDefinition[];
  /** Point templates by device id, tried in order for a point id not in byPoint. */
  templates: Map<string, PointTemplate[]>;
  /** Devices whose own alarms (OPC UA conditions) the gateway passes on, by device id. */
  nativeByDevice: Map<string, NativePlace>;
}

export interface PointTemplate {
  /** Matches the concrete point ids of the template. */
  readonly pattern: RegExp;
  /** The alarms of one concrete point id. */
  instantiate(pointId: string): AlarmDefinition[];
}

const SEGMENT = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;

export function isPointTemplate(pointId: string): boolean {
  return pointId.includes('{');
}

/** The alarms of a concrete point id that one of its device's templates matches; none otherwise. */
export function templateAlarms(alarms: CompiledAlarms, deviceId: string, pointId: string): AlarmDefinition[] {
  const template = alarms.templates.get(deviceId)?.find((candidate) => candidate.pattern.test(pointId));
  return template?.instantiate(pointId) ?? [];
}

export function compileAlarms(site: SiteFile): CompiledAlarms {
  const byPoint = new Map<string, AlarmDefinition[]>();
  const commByDevice = new Map<string, AlarmDefinition>();
  const all: AlarmDefinition[] = [];
  const templates = new Map<string, PointTemplate[]>();
  const nativeByDevice = new Map<string, NativePlace>();

  for (const device of site.devices) {
    if (device.protocol === 'opcua' && device.native_conditions !== undefined) {
      nativeByDevice.set(device.id, { ...placeOf(site, device), asset: device.asset });
    }
    for (const point of device.points) {
      const asset = ('asset' in point ? point.asset : undefined) ?? device.asset;
      const definitionsOf = (pointId: string) =>
        (point.alarms ?? []).flatMap(splitLevels).map(
          (rule): AlarmDefinition => ({
            ...placeOf(site, device),
            conditionId: conditionIdOf({ ...placeOf(site, device), asset, point: pointId, alarm: rule.id }),
            kind: rule.kind,
            rule,
            asset,
            point: pointId,
            ...(point.unit === undefined ? {} : { unit: point.unit }),
            ...referenceOf(device.id, rule),
            ...suppressionOf(device, rule),
            chatter: rule.chatter ?? site.gateway.alarms?.chatter ?? ALARM_DEFAULTS.chatter,
          }),
        );
      if (isPointTemplate(point.id)) {
        if ((point.alarms ?? []).length === 0) continue;
        const list = templates.get(device.id) ?? [];
        list.push({ pattern: templatePattern(point.id), instantiate: definitionsOf });
        templates.set(device.id, list);
        continue;
      }
      const definitions = definitionsOf(point.id);
      if (definitions.length === 0) continue;
      byPoint.set(pointKey(device.id, point.id), definitions);
      all.push(...definitions);
    }
    const comm = commAlarmOf(site, device);
    commByDevice.set(device.id, comm);
    all.push(comm);
  }

  rejectSharedConditions(all);
  return { byPoint, commByDevice, all, templates, nativeByDevice };
}

const LEVEL_NAMES: readonly LimitLevel[] = ['HH', 'H', 'L', 'LL'];

/** A non-exclusive limit rule is one alarm per level, each with its own state and acknowledgement. */
function splitLevels(rule: AlarmRule): AlarmRule[] {
  if (rule.kind !== 'limit' || rule.levels !== 'non_exclusive') return [rule];
  const { HH, H, L, LL, levels: _levels, ...common } = rule;
  const settings = { HH, H, L, LL };
  return LEVEL_NAMES.flatMap((level) => {
    const setting = settings[level];
    return setting ? [{ ...common, id: `${rule.id}.${level}`, [level]: setting }] : [];
  });
}

function referenceOf(deviceId: string, rule: AlarmRule): { reference?: string } {
  const ref =
    rule.kind === 'discrete'
      ? rule.command_point
      : rule.kind === 'deviation'
        ? rule.setpoint_point
        : undefined;
  return ref === undefined ? {} : { reference: resolvePointRef(deviceId, ref) };
}

/** The device's condition and the rule's: either one suppresses the alarm. */
function suppressionOf(
  device: Device,
  rule: AlarmRule,
): { suppressWhen?: Expression; suppressWhenText?: string } {
  const sources = [device.suppress_when, rule.suppress_when].filter((text) => text !== undefined);
  if (sources.length === 0) return {};
  const parsed = sources.map((text) => parseCondition(device.id, text));
  return {
    suppressWhen: parsed.length === 1 ? (parsed[0] as Expression) : { type: 'or', items: parsed },
    suppressWhenText: sources.map((text) => (sources.length > 1 ? `(${text})` : text)).join(' or '),
  };
}

export function parseCondition(deviceId: string, text: string): Expression {
  try {
    return parseExpression(text, (ref) => resolvePointRef(deviceId, ref));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    throw new GatewayError(
      'CONFIG_REFERENCE',
      `suppress_when "${text}" of device ${deviceId}: ${error.message}`,
    );
  }
}

/** `{name}` stands for one topic level, which never contains "/". */
function templatePattern(template: string): RegExp {
  const parts = template.split(SEGMENT).map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
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

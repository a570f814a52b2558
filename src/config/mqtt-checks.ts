/**
 * Consistency of MQTT devices that JSON Schema cannot express: topic filters
 * that parse, point ids that name only levels their filter names, Sparkplug
 * metrics only on Sparkplug devices, secrets from exactly one place, TLS keys
 * in pairs, and one client id per broker (two sessions with one id would
 * throw each other off the broker in turn).
 */
import { type CheckContext, checkUniqueIds, cleanKeys, entries } from './check-context.ts';
import { isRecord, type Path } from './paths.ts';
import { checkRuleOn } from './rule-checks.ts';
import { checkSecret } from './secret-checks.ts';
import { parseTopicFilter, templateNames } from './topic-filters.ts';

type Entry = { item: Record<string, unknown>; path: Path };

export function checkMqttDevices(
  context: CheckContext,
  site: Record<string, unknown>,
  devices: readonly Entry[],
): void {
  for (const device of devices) checkMqttDevice(context, device);
  checkClientIds(context, site, devices);
}

function checkMqttDevice(context: CheckContext, { item: device, path }: Entry): void {
  const points = entries(device.points, [...path, 'points']);
  checkUniqueIds(context, points, 'point');
  const sparkplug = device.sparkplug !== undefined;
  for (const point of points) checkMqttPoint(context, point, sparkplug);
  checkSecret(context, device.password, [...path, 'password']);
  checkTls(context, device, path);
}

function checkMqttPoint(context: CheckContext, { item: point, path }: Entry, sparkplugDevice: boolean): void {
  if (cleanKeys(context, path, 'format')) {
    if (point.format === 'sparkplug' && !sparkplugDevice) {
      const message = 'format sparkplug needs a "sparkplug" block on the device (group_id, edge_node_id)';
      context.report('CONFIG_SCHEMA', [...path, 'format'], 'value', message);
    } else if (point.format !== 'sparkplug' && sparkplugDevice && typeof point.format === 'string') {
      const message = 'the points of a Sparkplug device are metrics: use format sparkplug with a metric name';
      context.report('CONFIG_SCHEMA', [...path, 'format'], 'value', message);
    }
  }
  const names = typeof point.id === 'string' && cleanKeys(context, path, 'id') ? templateNames(point.id) : [];
  if (typeof point.topic === 'string' && cleanKeys(context, path, 'topic')) {
    const parsed = parseTopicFilter(point.topic);
    if ('problem' in parsed) {
      context.report(
        'CONFIG_SCHEMA',
        [...path, 'topic'],
        'value',
        `not a valid topic filter: ${parsed.problem}`,
      );
    } else {
      for (const name of names.filter((name) => !parsed.names.includes(name))) {
        const message = `{${name}} is not a named level of the topic filter (name a level "+${name}")`;
        context.report('CONFIG_SCHEMA', [...path, 'id'], 'value', message);
      }
    }
  } else if (point.format === 'sparkplug' && names.length > 0) {
    const message = 'a Sparkplug metric has no topic levels to name: use a plain id';
    context.report('CONFIG_SCHEMA', [...path, 'id'], 'value', message);
  }
  const boolean = point.type === 'boolean';
  const typeName = typeof point.type === 'string' ? point.type : 'number (the default)';
  for (const rule of entries(point.alarms, [...path, 'alarms'])) {
    const type = { boolean, name: typeName, booleanKinds: 'a boolean', discreteFix: ' or type: boolean' };
    if (cleanKeys(context, path, 'type')) checkRuleOn(context, type, rule.item, rule.path);
  }
  const rules = entries(point.alarms, [...path, 'alarms']);
  checkUniqueIds(context, rules, 'alarm rule');
}

function checkTls(context: CheckContext, device: Record<string, unknown>, path: Path): void {
  const tls = device.tls;
  if (!isRecord(tls) || !context.clean([...path, 'tls'])) return;
  if (typeof device.url === 'string' && cleanKeys(context, path, 'url') && device.url.startsWith('mqtt://')) {
    const message = 'tls settings need an mqtts:// url';
    context.report('CONFIG_SCHEMA', [...path, 'tls'], 'key', message);
  }
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    const message = 'a client certificate needs both cert_file and key_file';
    context.report('CONFIG_SCHEMA', [...path, 'tls'], 'container', message);
  }
}

function checkClientIds(
  context: CheckContext,
  site: Record<string, unknown>,
  devices: readonly Entry[],
): void {
  const gateway = isRecord(site.gateway) ? site.gateway.id : undefined;
  const first = new Map<string, Path>();
  for (const { item, path } of devices) {
    if (typeof item.url !== 'string' || typeof item.id !== 'string') continue;
    if (!cleanKeys(context, path, 'url', 'client_id', 'id')) continue;
    const clientId = typeof item.client_id === 'string' ? item.client_id : `${String(gateway)}-${item.id}`;
    const key = `${item.url.replace(/\/$/, '').toLowerCase()} ${clientId}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, path);
      continue;
    }
    const message =
      `client id "${clientId}" is already used on ${item.url} by the device at line ` +
      `${context.lineOf([...earlier, 'id'])}; the broker would disconnect one session for the other`;
    const at = typeof item.client_id === 'string' ? [...path, 'client_id'] : [...path, 'id'];
    context.report('CONFIG_REFERENCE', at, 'value', message);
  }
}

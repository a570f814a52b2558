/**
 * Rules of a site file that JSON Schema cannot express: unique ids, one
 * device per endpoint, one alarm per identity, points that fit their device
 * and alarm rules that fit their point. They run on whatever passed the schema, so a file with schema
 * errors still gets these findings for its sound parts.
 */
import { checkAlarmIdentities } from './alarm-identity-checks.ts';
import { checkAlarmReferences } from './alarm-reference-checks.ts';
import { type CheckContext, checkUniqueIds, cleanKeys, entries } from './check-context.ts';
import { checkCommandTopic } from './command-checks.ts';
import { DEFAULTS } from './defaults.ts';
import { checkKafkaSettings } from './kafka-checks.ts';
import { checkMqttDevices } from './mqtt-checks.ts';
import { checkOpcuaDevice } from './opcua-checks.ts';
import { checkOutput } from './output-checks.ts';
import { isRecord, type Path } from './paths.ts';
import { checkPoint } from './point-checks.ts';
import { checkSecret } from './secret-checks.ts';
import { checkSerialLines } from './serial-line-checks.ts';

const PROTOCOLS = new Set<unknown>(['modbus-tcp', 'modbus-rtu', 'opcua', 'mqtt']);

export function crossCheck(site: unknown, context: CheckContext): void {
  if (!isRecord(site)) return;
  // A device whose protocol is missing or unknown was not checked against any device schema.
  const devices = entries(site.devices, ['devices']).filter(({ item }) => PROTOCOLS.has(item.protocol));
  const modbus = devices.filter(
    ({ item }) => item.protocol === 'modbus-tcp' || item.protocol === 'modbus-rtu',
  );
  checkUniqueIds(context, devices, 'device');
  checkEndpoints(
    context,
    modbus.filter(({ item }) => item.protocol === 'modbus-tcp'),
  );
  checkSerialLines(
    context,
    modbus.filter(({ item }) => item.protocol === 'modbus-rtu'),
  );
  for (const { item: device, path } of modbus) {
    const points = entries(device.points, [...path, 'points']);
    checkUniqueIds(context, points, 'point');
    for (const point of points) checkPoint(context, device, path, point.item, point.path);
  }
  for (const { item: device, path } of devices) {
    if (device.protocol === 'opcua') checkOpcuaDevice(context, device, path);
  }
  checkMqttDevices(
    context,
    site,
    devices.filter(({ item }) => item.protocol === 'mqtt'),
  );
  checkAlarmIdentities(context, site, devices);
  checkAlarmReferences(context, devices);
  checkKafkaSettings(context, site);
  checkOutput(context, site);
  checkListenerSecret(context, site);
  checkCommandTopic(context, site);
}

function checkListenerSecret(context: CheckContext, site: Record<string, unknown>): void {
  const gateway = site.gateway;
  const listener = isRecord(gateway) ? gateway.listener : undefined;
  if (isRecord(listener) && listener.operator_token !== undefined) {
    checkSecret(context, listener.operator_token, ['gateway', 'listener', 'operator_token']);
  }
}

/** Two devices on one host, port and unit id would be one device polled twice. */
function checkEndpoints(
  context: CheckContext,
  devices: { item: Record<string, unknown>; path: Path }[],
): void {
  const first = new Map<string, { id: unknown; path: Path }>();
  for (const { item, path } of devices) {
    if (typeof item.host !== 'string' || !cleanKeys(context, path, 'host', 'port', 'unit_id')) continue;
    const port = typeof item.port === 'number' ? item.port : DEFAULTS.modbusPort;
    const unit = typeof item.unit_id === 'number' ? item.unit_id : DEFAULTS.unitId;
    const endpoint = `${item.host.trim().toLowerCase()}:${port}`;
    const key = `${endpoint}/${unit}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, { id: item.id, path });
      continue;
    }
    const message =
      `same host, port and unit_id (${endpoint}, unit ${unit}) as device ` +
      `${JSON.stringify(earlier.id)} at line ${context.lineOf(earlier.path)}`;
    context.report('CONFIG_REFERENCE', [...path, 'host'], 'value', message);
  }
}

/**
 * A site of MQTT devices for integration tests, against a Mosquitto of the
 * harness: a JSON sensor device (user and password file), a Sparkplug B edge
 * node, and optionally a device whose password is wrong.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { MqttDevice, SiteFile } from '../../src/config/schema.ts';
import type { Mosquitto } from './mosquitto.ts';

export const MQTT_USERS = { gateway: 'gateway-secret', plc: 'plc-secret' };
export const MQTT_ACL = ['user gateway', 'topic readwrite #', 'user plc', 'topic readwrite #', ''].join('\n');

export interface MqttSiteOptions {
  dir: string;
  broker: Mosquitto;
  brokers: string;
  topic: string;
  gatewayId?: string;
  /** Adds a device with a wrong password, to show it does not affect the others. */
  withWrongPassword?: boolean;
  withSparkplug?: boolean;
}

export function jsonSensors(url: string, passwordFile: string): MqttDevice {
  return {
    id: 'tank-sensors',
    protocol: 'mqtt',
    url,
    username: 'gateway',
    password: { file: passwordFile },
    qos: 1,
    area: 'utilities',
    line: 'water',
    asset: 'tank-1',
    connect_timeout_ms: 2000,
    points: [
      {
        id: 'level',
        format: 'json',
        topic: 'plant/tank-1/level',
        value_path: 'data.level',
        timestamp_path: 'ts',
        unit: 'm',
        alarms: [{ id: 'high_level', kind: 'limit', H: { value: 8, priority: 'high' } }],
      },
      {
        id: '{pump}.running',
        format: 'plain',
        topic: 'plant/pumps/+pump/running',
        type: 'boolean',
        alarms: [{ id: 'stopped', kind: 'discrete', alarm_when: false, priority: 'low' }],
      },
    ],
  };
}

export function edgeNode(url: string): MqttDevice {
  return {
    id: 'filler-edge',
    protocol: 'mqtt',
    url,
    username: 'gateway',
    password: { env: 'TEST_MQTT_PASSWORD' },
    area: 'packaging',
    line: 'line-2',
    asset: 'filler-1',
    sparkplug: { group_id: 'plant', edge_node_id: 'filler-edge-1', birth_timeout_ms: 2000 },
    points: [
      {
        id: 'pressure',
        format: 'sparkplug',
        metric: 'Filler/Pressure',
        unit: 'bar',
        alarms: [{ id: 'pressure', kind: 'limit', HH: { value: 10, priority: 'critical' } }],
      },
    ],
  };
}

export function writeMqttSite(options: MqttSiteOptions): {
  site: SiteFile;
  file: string;
  passwordFile: string;
} {
  const passwordFile = join(options.dir, 'mqtt.password');
  writeFileSync(passwordFile, `${MQTT_USERS.gateway}\n`);
  const wrongFile = join(options.dir, 'wrong.password');
  writeFileSync(wrongFile, 'wrong\n');
  const devices: MqttDevice[] = [jsonSensors(options.broker.url, passwordFile)];
  if (options.withSparkplug) devices.push(edgeNode(options.broker.url));
  if (options.withWrongPassword) {
    devices.push({
      ...jsonSensors(options.broker.url, wrongFile),
      id: 'locked-out',
      asset: 'tank-9',
      auth_retry_ms: 60_000,
    });
  }
  const site: SiteFile = {
    site: 'mqtt-site',
    gateway: {
      id: options.gatewayId ?? 'gw-mqtt',
      state_dir: join(options.dir, 'state'),
      // A free port each: test gateways run side by side.
      listener: { port: 0 },
      kafka: { brokers: options.brokers.split(','), topic: options.topic, partitions: 1 },
      // The fault tests flap one alarm on purpose and count its raises and clears one to one.
      alarms: { chatter: { max_raises: 1_000_000, window_ms: 1000 }, flood: { max_alarms: 1_000_000 } },
    },
    devices,
  };
  const file = join(options.dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return { site, file, passwordFile };
}

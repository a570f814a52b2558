/**
 * The options of one connection attempt, built afresh each time: secrets and
 * certificates are read again (so a rotated password or certificate is
 * picked up on the next reconnect), and no attempt shares an object with
 * another.
 */
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../../config/defaults.ts';
import type { MqttDevice } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import { readSecret } from '../../system/secret.ts';
import type { MqttConnectOptions } from './client.ts';

export function defaultClientId(gatewayId: string, deviceId: string): string {
  return `${gatewayId}-${deviceId}`;
}

export function connectionOptions(
  device: MqttDevice,
  gatewayId: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): MqttConnectOptions {
  const tls = device.tls;
  const password =
    device.password === undefined ? undefined : readSecret(device.password, env, 'MQTT_SECRET');
  return {
    url: device.url,
    clientId: device.client_id ?? defaultClientId(gatewayId, device.id),
    clean: device.clean_session ?? false,
    keepaliveS: device.keepalive_s ?? DEFAULTS.mqttKeepaliveS,
    connectTimeoutMs: device.connect_timeout_ms ?? DEFAULTS.mqttConnectTimeoutMs,
    ...(device.username === undefined ? {} : { username: device.username }),
    ...(password === undefined ? {} : { password }),
    ...(tls?.ca_file === undefined ? {} : { ca: readTlsFile(tls.ca_file, 'tls.ca_file') }),
    ...(tls?.cert_file === undefined ? {} : { cert: readTlsFile(tls.cert_file, 'tls.cert_file') }),
    ...(tls?.key_file === undefined ? {} : { key: readTlsFile(tls.key_file, 'tls.key_file') }),
    ...(tls?.server_name === undefined ? {} : { servername: tls.server_name }),
  };
}

function readTlsFile(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new GatewayError('MQTT_TLS', `${key} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Picks the adapter for a device by its protocol; the only place that knows
 * every adapter. An adapter's module, and its protocol library, load at the
 * device's first connect: a Modbus-only site never loads the OPC UA stack
 * (about 90 MB), and a reload that adds the first OPC UA device loads it then.
 */

import { opcuaPolls } from '../config/opcua-mode.ts';
import type { Device } from '../config/schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { DeviceAdapter, DeviceSession, PushLink, PushSession } from './adapter.ts';

export interface AdapterContext {
  logger: Logger;
  gatewayId: string;
  /** Where secrets named by environment variable are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The gateway's certificate store (state directory/pki), for OPC UA. */
  pkiDir: string;
}

async function loadAdapter(device: Device, context: AdapterContext): Promise<DeviceAdapter> {
  switch (device.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return (await import('./modbus/adapter.ts')).createModbusAdapter(device, context.logger);
    case 'opcua':
      return (await import('./opcua/adapter.ts')).createOpcuaAdapter(device, context.logger, {
        pkiDir: context.pkiDir,
        env: context.env,
      });
    case 'mqtt':
      return (await import('./mqtt/adapter.ts')).createMqttAdapter(device, context);
  }
}

/** How the runner drives the device, known from the site file before the adapter loads. */
function modeOf(device: Device): 'poll' | 'push' {
  if (device.protocol === 'mqtt') return 'push';
  if (device.protocol === 'opcua') return opcuaPolls(device) ? 'poll' : 'push';
  return 'poll';
}

export function createAdapter(device: Device, context: AdapterContext): DeviceAdapter {
  let loaded: Promise<DeviceAdapter> | undefined;
  const protocolAdapter = async (): Promise<DeviceAdapter> => {
    // A failed load (a missing native addon) is retried with the next connect.
    loaded ??= loadAdapter(device, context).catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  // Known from the site file: a device's points count as bad before it ever connected.
  const pointIds = device.points.map((point) => point.id);
  if (modeOf(device) === 'push') {
    return {
      deviceId: device.id,
      mode: 'push',
      pointIds,
      connect: async (link: PushLink): Promise<PushSession> => {
        const inner = await protocolAdapter();
        if (inner.mode !== 'push') throw new Error(`${device.id}: the adapter does not push`);
        return inner.connect(link);
      },
    };
  }
  return {
    deviceId: device.id,
    mode: 'poll',
    pointIds,
    connect: async (): Promise<DeviceSession> => {
      const inner = await protocolAdapter();
      if (inner.mode === 'push') throw new Error(`${device.id}: the adapter does not poll`);
      return inner.connect();
    },
  };
}

/**
 * Picks the adapter for a device by its protocol; the only place that knows
 * every adapter. An adapter's module, and its protocol library, load at the
 * device's first connect: a Modbus-only site never loads the OPC UA stack
 * (about 90 MB), and a reload that adds the first OPC UA device loads it then.
 */
import type { Device } from '../config/schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { DeviceDriver, DeviceSession, PushLink, PushSession } from './runner.ts';

export interface DriverContext {
  logger: Logger;
  gatewayId: string;
  /** Where secrets named by environment variable are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The gateway's certificate store (state directory/pki), for OPC UA. */
  pkiDir: string;
}

async function loadDriver(device: Device, context: DriverContext): Promise<DeviceDriver> {
  switch (device.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return (await import('./modbus/driver.ts')).createModbusDriver(device, context.logger);
    case 'opcua':
      return (await import('./opcua/driver.ts')).createOpcuaDriver(device, context.logger, {
        pkiDir: context.pkiDir,
        env: context.env,
      });
    case 'mqtt':
      return (await import('./mqtt/driver.ts')).createMqttDriver(device, context);
  }
}

/** How the runner drives the device, known from the site file before the adapter loads. */
function modeOf(device: Device): 'poll' | 'push' {
  if (device.protocol === 'mqtt') return 'push';
  if (device.protocol === 'opcua') return (device.mode ?? 'subscribe') === 'poll' ? 'poll' : 'push';
  return 'poll';
}

export function createDriver(device: Device, context: DriverContext): DeviceDriver {
  let loaded: Promise<DeviceDriver> | undefined;
  const driver = async (): Promise<DeviceDriver> => {
    // A failed load (a missing native addon) is retried with the next connect.
    loaded ??= loadDriver(device, context).catch((error: unknown) => {
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
        const inner = await driver();
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
      const inner = await driver();
      if (inner.mode === 'push') throw new Error(`${device.id}: the adapter does not poll`);
      return inner.connect();
    },
  };
}

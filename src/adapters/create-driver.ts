/** Picks the adapter for a device by its protocol; the only place that knows every adapter. */
import type { Device } from '../config/schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import { createModbusDriver } from './modbus/driver.ts';
import { createMqttDriver } from './mqtt/driver.ts';
import { createOpcuaDriver } from './opcua/driver.ts';
import type { DeviceDriver } from './runner.ts';

export interface DriverContext {
  logger: Logger;
  gatewayId: string;
  /** Where secrets named by environment variable are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The gateway's certificate store (state directory/pki), for OPC UA. */
  pkiDir: string;
}

export function createDriver(device: Device, context: DriverContext): DeviceDriver {
  switch (device.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return createModbusDriver(device, context.logger);
    case 'opcua':
      return createOpcuaDriver(device, context.logger, { pkiDir: context.pkiDir, env: context.env });
    case 'mqtt':
      return createMqttDriver(device, context);
  }
}

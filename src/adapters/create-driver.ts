/** Picks the adapter for a device by its protocol; the only place that knows every adapter. */
import type { Device } from '../config/schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import { createModbusDriver } from './modbus/driver.ts';
import { createMqttDriver } from './mqtt/driver.ts';
import type { DeviceDriver } from './runner.ts';

export function createDriver(device: Device, logger: Logger, gatewayId: string): DeviceDriver {
  switch (device.protocol) {
    case 'modbus-tcp':
      return createModbusDriver(device, logger);
    case 'mqtt':
      return createMqttDriver(device, { logger, gatewayId });
  }
}

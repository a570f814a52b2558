import type { ModbusPoint, ModbusTcpDevice } from '../../../src/config/schema.ts';

/** A Modbus TCP device on loopback with the given points; tests set the port of their simulator. */
export function modbusDevice(
  points: ModbusPoint[],
  overrides: Partial<ModbusTcpDevice> = {},
): ModbusTcpDevice {
  return {
    id: 'plc',
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    port: 0,
    area: 'a',
    line: 'l',
    asset: 'x',
    points,
    ...overrides,
  };
}

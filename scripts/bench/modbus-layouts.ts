/** The register maps the Modbus read-rate runs poll: 500 holding registers, two ways. */
import type { ModbusPoint, ModbusTcpDevice } from '../../src/config/schema.ts';

export interface Layout {
  name: string;
  device: ModbusTcpDevice;
  /** Registers the points occupy (what a poll must bring in, whatever the plan). */
  registers: number;
}

function device(id: string, points: ModbusPoint[]): ModbusTcpDevice {
  return {
    id,
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    port: 0,
    area: 'bench',
    line: 'line-1',
    asset: id,
    timeout_ms: 1000,
    points,
  };
}

/** 500 uint16 points on holding registers 0..499. */
export function uint16Layout(): Layout {
  const points = Array.from(
    { length: 500 },
    (_, address): ModbusPoint => ({ id: `u${address}`, register: 'holding', address, type: 'uint16' }),
  );
  return { name: '500 × uint16', device: device('plc-uint16', points), registers: 500 };
}

/** 200 uint16 points on 0..199, then 150 float32 points on 200..499: the same 500 registers in 350 points. */
export function mixedLayout(): Layout {
  const words = Array.from(
    { length: 200 },
    (_, address): ModbusPoint => ({ id: `u${address}`, register: 'holding', address, type: 'uint16' }),
  );
  const floats = Array.from(
    { length: 150 },
    (_, i): ModbusPoint => ({ id: `f${i}`, register: 'holding', address: 200 + 2 * i, type: 'float32' }),
  );
  return {
    name: '200 × uint16 + 150 × float32',
    device: device('plc-mixed', [...words, ...floats]),
    registers: 500,
  };
}

/**
 * A poll as the Modbus adapter does it, minus the planner: one request per
 * point, decoded with the same codec. The adapter always plans its reads, so
 * the comparison needs this stand-in; it only lives in the benchmarks.
 */
import { connectModbusTcp } from '../../src/adapters/modbus/client.ts';
import { decodeBits, decodeRegisters } from '../../src/adapters/modbus/codec.ts';
import { plannedPoint, planWithoutCoalescing } from '../../src/adapters/modbus/planner.ts';
import type { Reading } from '../../src/adapters/reading.ts';
import { isBitRegister } from '../../src/config/data-types.ts';
import type { ModbusPoint, ModbusTcpDevice } from '../../src/config/schema.ts';

export interface Poller {
  /** Requests and registers (or bits) one poll transfers. */
  requestsPerPoll: number;
  registersPerPoll: number;
  poll(): Promise<Reading[]>;
  close(): Promise<void>;
}

export async function connectUnplanned(device: ModbusTcpDevice, port: number): Promise<Poller> {
  const points = new Map(device.points.map((point) => [point.id, point]));
  const plan = planWithoutCoalescing(device.points.map(plannedPoint));
  const connection = await connectModbusTcp({
    host: device.host,
    port,
    unitId: device.unit_id ?? 1,
    timeoutMs: device.timeout_ms ?? 1000,
  });
  return {
    requestsPerPoll: plan.length,
    registersPerPoll: plan.reduce((sum, request) => sum + request.count, 0),
    async poll() {
      const readings: Reading[] = [];
      for (const request of plan) {
        const data = await connection.read(request.register, request.start, request.count);
        const at = Date.now();
        for (const { id, offset, words } of request.points) {
          const point = points.get(id) as ModbusPoint;
          const slice = data.slice(offset, offset + words);
          const decoded = isBitRegister(point.register)
            ? decodeBits(slice as boolean[], point)
            : decodeRegisters(slice as number[], point);
          readings.push(
            decoded.ok
              ? { deviceId: device.id, pointId: id, value: decoded.value, quality: 'good', gatewayTime: at }
              : {
                  deviceId: device.id,
                  pointId: id,
                  value: null,
                  quality: 'bad',
                  qualityReason: decoded.reason,
                  gatewayTime: at,
                },
          );
        }
      }
      return readings;
    },
    close: () => connection.close(),
  };
}

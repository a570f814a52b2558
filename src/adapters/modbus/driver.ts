/**
 * The Modbus adapter (TCP, and RTU over a serial line): one poll executes the planned reads in order over one
 * connection and decodes every point. A point the device refuses or that holds
 * garbage becomes a bad reading; only a failure of the device as a whole
 * (timeout, lost connection) fails the poll, which the runner then handles.
 */
import { isBitRegister } from '../../config/data-types.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import type { ModbusDevice, ModbusPoint, SerialLine } from '../../config/schema.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { qualityLog } from '../quality-log.ts';
import type { Reading } from '../reading.ts';
import type { DeviceSession, PollingDriver } from '../runner.ts';
import {
  connectModbusRtu,
  connectModbusTcp,
  type ModbusConnection,
  ModbusExceptionError,
  type SerialSettings,
} from './client.ts';
import { type DecodeResult, decodeBits, decodeRegisters } from './codec.ts';
import { planLimits, plannedPoint, planReads, type ReadRequest } from './planner.ts';

export interface ModbusCounters {
  requests: number;
  exceptions: number;
  badValues: number;
}

export interface ModbusDriver extends PollingDriver {
  readonly counters: ModbusCounters;
  /** The reads one poll makes; a read the device refused is replaced by one read per point. */
  readonly plan: readonly ReadRequest[];
}

/** The serial settings of a line with the defaults filled in. */
export function serialSettingsOf(serial: SerialLine): SerialSettings {
  return {
    port: serial.port,
    baudRate: serial.baud_rate ?? DEFAULTS.baudRate,
    parity: serial.parity ?? DEFAULTS.parity,
    dataBits: (serial.data_bits ?? DEFAULTS.dataBits) as SerialSettings['dataBits'],
    stopBits: (serial.stop_bits ?? DEFAULTS.stopBits) as SerialSettings['stopBits'],
    interFrameDelayMs: serial.inter_frame_delay_ms ?? DEFAULTS.interFrameDelayMs,
  };
}

/** One connection per TCP device; RTU devices on one port share its line. */
function connectDevice(device: ModbusDevice): Promise<ModbusConnection> {
  const unitId = device.unit_id ?? DEFAULTS.unitId;
  const timeoutMs = device.timeout_ms ?? DEFAULTS.timeoutMs;
  if (device.protocol === 'modbus-rtu') {
    return connectModbusRtu({ serial: serialSettingsOf(device.serial), unitId, timeoutMs });
  }
  return connectModbusTcp({ host: device.host, port: device.port ?? DEFAULTS.modbusPort, unitId, timeoutMs });
}

export function createModbusDriver(device: ModbusDevice, logger: Logger): ModbusDriver {
  const points = new Map(device.points.map((point) => [point.id, point]));
  const counters: ModbusCounters = { requests: 0, exceptions: 0, badValues: 0 };
  const plan = planReads(device.points.map(plannedPoint), planLimits(device));
  const noteQuality = qualityLog(logger, 'POINT_DECODE');

  function readingsOf(request: ReadRequest, data: readonly (number | boolean)[], at: number): Reading[] {
    return request.points.map(({ id, offset, words }) => {
      const point = points.get(id) as ModbusPoint;
      const slice = data.slice(offset, offset + words);
      const decoded: DecodeResult = isBitRegister(point.register)
        ? decodeBits(slice as boolean[], point)
        : decodeRegisters(slice as number[], point);
      if (decoded.ok) {
        noteQuality(id, undefined);
        return { deviceId: device.id, pointId: id, value: decoded.value, quality: 'good', gatewayTime: at };
      }
      counters.badValues += 1;
      noteQuality(id, decoded.reason);
      return badReading(id, decoded.reason, at);
    });
  }

  function badReading(pointId: string, reason: string, at: number): Reading {
    return {
      deviceId: device.id,
      pointId,
      value: null,
      quality: 'bad',
      qualityReason: reason,
      gatewayTime: at,
    };
  }

  async function execute(connection: ModbusConnection, request: ReadRequest): Promise<Reading[]> {
    counters.requests += 1;
    try {
      const data = await connection.read(request.register, request.start, request.count);
      return readingsOf(request, data, Date.now());
    } catch (error) {
      if (!(error instanceof ModbusExceptionError)) throw error;
      counters.exceptions += 1;
      if (request.points.length === 1) {
        const pointId = request.points[0]?.id as string;
        noteQuality(pointId, error.message, 'MODBUS_EXCEPTION');
        return [badReading(pointId, error.message, Date.now())];
      }
      // One refused address spoils a merged read: isolate the culprit by reading its points one by one from now on.
      const split = request.points.map((p) => ({
        register: request.register,
        start: request.start + p.offset,
        count: p.words,
        points: [{ id: p.id, offset: 0, words: p.words }],
      }));
      plan.splice(plan.indexOf(request), 1, ...split);
      logger.warn(
        { register: request.register, start: request.start, count: request.count },
        `a merged read was refused (${error.message}); reading its ${split.length} points one by one`,
      );
      const readings: Reading[] = [];
      for (const single of split) readings.push(...(await execute(connection, single)));
      return readings;
    }
  }

  return {
    deviceId: device.id,
    counters,
    plan,
    async connect(): Promise<DeviceSession> {
      const connection = await connectDevice(device);
      return {
        async poll() {
          const readings: Reading[] = [];
          for (const request of [...plan]) readings.push(...(await execute(connection, request)));
          return readings;
        },
        close: () => connection.close(),
      };
    },
  };
}

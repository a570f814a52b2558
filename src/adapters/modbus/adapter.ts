/**
 * The Modbus adapter (TCP, and RTU over a serial line): one poll executes the
 * planned reads in order over one connection and decodes every point. A point
 * the device refuses or that holds garbage becomes a bad reading; only a
 * failure of the device as a whole (timeout, lost connection, an answer that
 * does not fit its request) fails the poll, which the runner then handles.
 */
import { isBitRegister } from '../../config/data-types.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import type { ModbusDevice, ModbusPoint, SerialLine } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { DeviceSession, PollingAdapter } from '../adapter.ts';
import { qualityLog } from '../quality-log.ts';
import type { Reading } from '../reading.ts';
import {
  connectModbusRtu,
  connectModbusTcp,
  type ModbusConnection,
  ModbusExceptionError,
  type SerialSettings,
} from './client.ts';
import { type DecodeResult, decodeBits, decodeRegisters } from './codec.ts';
import { planLimits, plannedPoint, planReads, type ReadRequest } from './planner.ts';
import { ReadPlan } from './read-plan.ts';
import { RefusalLog } from './refusal-log.ts';

export interface ModbusCounters {
  requests: number;
  exceptions: number;
  /** Answers that did not fit their request (MODBUS_FRAME). */
  frameErrors: number;
  badValues: number;
}

export interface ModbusAdapter extends PollingAdapter {
  readonly counters: ModbusCounters;
  /** The reads one poll makes; a read the device refused is replaced by one read per point for a while. */
  readonly plan: readonly ReadRequest[];
}

export interface ModbusAdapterOptions {
  /** The clock of the read plan's back-off. */
  now?: () => number;
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

export function createModbusAdapter(
  device: ModbusDevice,
  logger: Logger,
  options: ModbusAdapterOptions = {},
): ModbusAdapter {
  const points = new Map(device.points.map((point) => [point.id, point]));
  const counters: ModbusCounters = { requests: 0, exceptions: 0, frameErrors: 0, badValues: 0 };
  const plan = new ReadPlan(planReads(device.points.map(plannedPoint), planLimits(device)), options.now);
  const noteDecoding = qualityLog(logger, 'POINT_DECODE');
  const refusals = new RefusalLog(logger);

  function readingsOf(request: ReadRequest, data: readonly (number | boolean)[], at: number): Reading[] {
    return request.points.map(({ id, offset, words }) => {
      const point = points.get(id) as ModbusPoint;
      const slice = data.slice(offset, offset + words);
      const decoded: DecodeResult = isBitRegister(point.register)
        ? decodeBits(slice as boolean[], point)
        : decodeRegisters(slice as number[], point);
      if (decoded.ok) {
        noteDecoding(id, undefined);
        return { deviceId: device.id, pointId: id, value: decoded.value, quality: 'good', gatewayTime: at };
      }
      counters.badValues += 1;
      noteDecoding(id, decoded.reason);
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
    let data: number[] | boolean[];
    try {
      data = await connection.read(request.register, request.start, request.count);
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'MODBUS_FRAME') counters.frameErrors += 1;
      if (!(error instanceof ModbusExceptionError)) throw error;
      counters.exceptions += 1;
      return refused(connection, request, error);
    }
    if (plan.answered(request)) {
      logger.info(
        { register: request.register, start: request.start, count: request.count },
        `the merged read ${describe(request)} is answered again: its ${request.points.length} points are read together again`,
      );
    }
    refusals.answered(request);
    return readingsOf(request, data, Date.now());
  }

  async function refused(
    connection: ModbusConnection,
    request: ReadRequest,
    error: ModbusExceptionError,
  ): Promise<Reading[]> {
    const wasSplit = plan.retryIn(request) !== undefined;
    const singles = plan.refused(request);
    if (singles === undefined) {
      refusals.refused(request, error);
      const pointId = request.points[0]?.id as string;
      return [badReading(pointId, error.message, Date.now())];
    }
    // One refused address spoils a merged read: its points are read one by one, which isolates the culprit.
    const retryS = Math.round((plan.retryIn(request) ?? 0) / 1000);
    const fields = { register: request.register, start: request.start, count: request.count };
    if (wasSplit) {
      logger.debug(
        fields,
        `the merged read ${describe(request)} is still refused; tried again in ${retryS} s`,
      );
    } else {
      logger.info(
        fields,
        `the merged read ${describe(request)} was refused with ${error.exception}; its ${singles.length} points are read one by one, and together again in ${retryS} s`,
      );
    }
    const readings: Reading[] = [];
    for (const single of singles) readings.push(...(await execute(connection, single)));
    return readings;
  }

  return {
    deviceId: device.id,
    pointIds: device.points.map((point) => point.id),
    counters,
    get plan() {
      return plan.steady;
    },
    async connect(): Promise<DeviceSession> {
      const connection = await connectDevice(device);
      return {
        async poll() {
          const readings: Reading[] = [];
          try {
            for (const request of plan.reads()) readings.push(...(await execute(connection, request)));
          } finally {
            refusals.endPoll();
          }
          return readings;
        },
        close: () => connection.close(),
      };
    },
  };
}

/** `holding 0+3 (a, b, c)` */
function describe(request: ReadRequest): string {
  return `${request.register} ${request.start}+${request.count} (${request.points.map((p) => p.id).join(', ')})`;
}

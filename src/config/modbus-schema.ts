/** Modbus devices (TCP, and RTU over serial lines) and their points in the site file. */
import { type Static, Type } from '@sinclair/typebox';
import { AlarmRule, DeviceSuppressWhen } from './alarm-schema.ts';
import { DEFAULTS } from './defaults.ts';
import { Id, Milliseconds, Priority, strict } from './schema-common.ts';

export const RegisterType = Type.Union([
  Type.Literal('holding'),
  Type.Literal('input'),
  Type.Literal('coil'),
  Type.Literal('discrete'),
]);
export type RegisterType = Static<typeof RegisterType>;

export const DataType = Type.Union([
  Type.Literal('int16'),
  Type.Literal('uint16'),
  Type.Literal('int32'),
  Type.Literal('uint32'),
  Type.Literal('float32'),
  Type.Literal('float64'),
  Type.Literal('bool'),
  Type.Literal('bit'),
]);
export type DataType = Static<typeof DataType>;

export const ByteOrder = Type.Union(
  [Type.Literal('ABCD'), Type.Literal('CDAB'), Type.Literal('BADC'), Type.Literal('DCBA')],
  {
    description:
      'Order of the bytes on the wire, A being the most significant: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA little-endian.',
  },
);
export type ByteOrder = Static<typeof ByteOrder>;

export const ModbusPoint = strict({
  id: Type.String({ ...Id, description: 'Point id, unique within its device.' }),
  register: RegisterType,
  address: Type.Integer({ minimum: 0, maximum: 65535, description: 'Zero-based protocol address.' }),
  type: Type.Optional(DataType),
  bit: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 15,
      description: 'Bit of the word, 0 = least significant (type bit).',
    }),
  ),
  order: Type.Optional(ByteOrder),
  scale: Type.Optional(Type.Number({ description: 'value = raw * scale + offset; default 1.' })),
  offset: Type.Optional(Type.Number({ description: 'value = raw * scale + offset; default 0.' })),
  unit: Type.Optional(Type.String({ description: 'Engineering unit, carried in events as it is.' })),
  description: Type.Optional(Type.String()),
  asset: Type.Optional(Type.String({ ...Id, description: "Overrides the device's asset for this point." })),
  alarms: Type.Optional(Type.Array(AlarmRule)),
});
export type ModbusPoint = Static<typeof ModbusPoint>;

/** What TCP and RTU devices have alike: the unit, the ISA-95 place, polling and read planning, points. */
const modbusDeviceFields = {
  unit_id: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 255,
      default: DEFAULTS.unitId,
      description:
        'Modbus unit (slave) id; tells apart devices on one serial line or behind one serial gateway (1..247 on a serial line).',
    }),
  ),
  area: Type.String({ ...Id, description: 'Plant area (ISA-95), part of every event of this device.' }),
  line: Type.String({ ...Id, description: 'Production line or process unit within the area.' }),
  asset: Type.String({
    ...Id,
    description: 'Equipment the points belong to unless a point names its own.',
  }),
  poll_interval_ms: Type.Optional(Milliseconds('Time between polls.', 10, DEFAULTS.pollIntervalMs)),
  timeout_ms: Type.Optional(Milliseconds('Timeout of one request.', 10, DEFAULTS.timeoutMs)),
  max_gap: Type.Optional(
    Type.Integer({
      minimum: 0,
      default: DEFAULTS.maxGap,
      description:
        'Unused registers (or coils) a read may span to merge two neighbours; 0 reads only contiguous runs.',
    }),
  ),
  max_registers_per_read: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 125,
      default: DEFAULTS.maxRegistersPerRead,
      description: 'Lower than 125 for devices with small buffers.',
    }),
  ),
  max_bits_per_read: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2000, default: DEFAULTS.maxBitsPerRead }),
  ),
  highest_address: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: DEFAULTS.highestAddress,
      description: 'The last address the device serves.',
    }),
  ),
  comm_loss_after: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: DEFAULTS.commLossAfter,
      description: 'Failed polls in a row before the communication-loss alarm.',
    }),
  ),
  comm_priority: Type.Optional(Priority),
  suppress_when: Type.Optional(DeviceSuppressWhen),
  description: Type.Optional(Type.String()),
  points: Type.Array(ModbusPoint, { minItems: 1 }),
};

export const ModbusTcpDevice = strict(
  {
    id: Type.String({ ...Id, description: 'Device id, unique within the site.' }),
    protocol: Type.Literal('modbus-tcp'),
    host: Type.String({ minLength: 1, description: 'IP address or host name of the PLC or Modbus gateway.' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: DEFAULTS.modbusPort })),
    ...modbusDeviceFields,
  },
  { title: 'Modbus TCP device' },
);
export type ModbusTcpDevice = Static<typeof ModbusTcpDevice>;

export const SerialLine = strict(
  {
    port: Type.String({
      minLength: 1,
      description:
        'Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...; the service user needs the dialout group.',
    }),
    baud_rate: Type.Optional(
      Type.Integer({
        minimum: 300,
        maximum: 921_600,
        default: DEFAULTS.baudRate,
        description: 'Bits per second.',
      }),
    ),
    parity: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], {
        default: DEFAULTS.parity,
        description: 'The Modbus standard asks for even; many devices use none with two stop bits.',
      }),
    ),
    data_bits: Type.Optional(Type.Integer({ minimum: 7, maximum: 8, default: DEFAULTS.dataBits })),
    stop_bits: Type.Optional(Type.Integer({ minimum: 1, maximum: 2, default: DEFAULTS.stopBits })),
    inter_frame_delay_ms: Type.Optional(
      Milliseconds(
        'Silence kept on the line after each answer (or timeout) before the next request; slow devices and RS-485 converters need a few ms.',
        0,
        DEFAULTS.interFrameDelayMs,
      ),
    ),
  },
  {
    title: 'Serial line',
    description:
      'One RS-232/RS-485 line. Devices on the same port share it, one request at a time, and must give the same settings (a YAML anchor keeps them in one place).',
  },
);
export type SerialLine = Static<typeof SerialLine>;

export const ModbusRtuDevice = strict(
  {
    id: Type.String({ ...Id, description: 'Device id, unique within the site.' }),
    protocol: Type.Literal('modbus-rtu'),
    serial: SerialLine,
    ...modbusDeviceFields,
  },
  { title: 'Modbus RTU device' },
);
export type ModbusRtuDevice = Static<typeof ModbusRtuDevice>;

export type ModbusDevice = ModbusTcpDevice | ModbusRtuDevice;

/**
 * Modbus connections with a small promise-based surface, and the one place
 * that knows modbus-serial. The library is used for framing only (the PDU,
 * and the whole RTU frame): this module owns the TCP socket and the serial
 * port, the connect timeout, (in mbap-port.ts) the Modbus TCP header and
 * (in request-line.ts) one-request-at-a-time and the timeout of each read,
 * because the library leaves those gaps:
 *  - its TCP port takes answers with any protocol identifier, trusts the
 *    MBAP length field and drops answers to unknown transactions unheard;
 *  - a request in flight when the socket closes is never answered, only its
 *    timer (if one was set) ends it, and without a timer it waits forever;
 *  - its close() waits for a 'close' event that never comes when the socket
 *    was already destroyed, and leaves request timers running;
 *  - its port stops relaying 'close' once a socket error came first, so the
 *    loss of a device can go unnoticed;
 *  - connectTCP has no connect timeout of its own and its socket timeout also
 *    fires on idle connections between polls.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import modbusSerial from 'modbus-serial';
import type { RegisterType } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import { MbapPort } from './mbap-port.ts';
import { type FramingClient, messageOf, RequestLine, type RequestTarget } from './request-line.ts';
import { type SerialSettings, SharedSerialLines } from './serial-lines.ts';

export { ModbusExceptionError } from './request-line.ts';
export type { SerialSettings } from './serial-lines.ts';

// The package is CommonJS; seen from ESM its class sits on `.default` (which it points at itself).
const ModbusRTU = modbusSerial.default;
/** The CRC the library checks every frame it is handed with; it ships no types for it. */
const crc16 = createRequire(import.meta.url)('modbus-serial/utils/crc16') as (bytes: Buffer) => number;

export interface ModbusConnection {
  /**
   * Words for holding/input registers, booleans for coils/discrete inputs; exactly `count` of them.
   * Rejects with a GatewayError (MODBUS_EXCEPTION, MODBUS_TIMEOUT, MODBUS_CONNECT, MODBUS_FRAME), or
   * with a RangeError for a range no Modbus request can ask for.
   */
  read(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]>;
  close(): Promise<void>;
  /** False once the connection failed or was closed; the caller then closes it and connects anew. */
  readonly isOpen: boolean;
}

export interface ModbusTcpOptions {
  host: string;
  port: number;
  unitId: number;
  /** Bounds the connect and every request. */
  timeoutMs: number;
}

export interface ModbusRtuOptions {
  serial: SerialSettings;
  unitId: number;
  /** Bounds every request of this unit. */
  timeoutMs: number;
}

export async function connectModbusTcp(options: ModbusTcpOptions): Promise<ModbusConnection> {
  const socket = await openSocket(options);
  // The line is made once the port exists; a garbled answer before that has no read to fail.
  let line: RequestLine | undefined;
  const port = new MbapPort(socket, { crc16, onGarbled: (reason) => line?.markGarbled(reason) });
  const client = new ModbusRTU(port);
  // The library re-emits port errors as 'error' events, which would crash the process unheard.
  client.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) =>
      client.open((error: unknown) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    socket.destroy();
    throw new GatewayError('MODBUS_CONNECT', `${endpoint(options)}: ${messageOf(error)}`, { cause: error });
  }
  const connection = new TcpConnection(socket, client, port, options);
  line = connection.line;
  return connection;
}

function openSocket(options: ModbusTcpOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port });
    const fail = (detail: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      socket.destroy();
      reject(new GatewayError('MODBUS_CONNECT', `${endpoint(options)}: ${detail}`, { cause }));
    };
    const onError = (error: Error) => fail(messageOf(error), error);
    const onConnect = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      // Lets the kernel notice a peer that vanished without closing, between polls too.
      socket.setKeepAlive(true, 10_000);
      resolve(socket);
    };
    const timer = setTimeout(() => fail(`no connection within ${options.timeoutMs} ms`), options.timeoutMs);
    socket.on('error', onError);
    socket.once('connect', onConnect);
  });
}

class TcpConnection implements ModbusConnection {
  readonly #socket: net.Socket;
  readonly #client: InstanceType<typeof ModbusRTU>;
  readonly line: RequestLine;
  readonly #target: RequestTarget;
  #closed = false;

  constructor(
    socket: net.Socket,
    client: InstanceType<typeof ModbusRTU>,
    port: MbapPort,
    options: ModbusTcpOptions,
  ) {
    this.#socket = socket;
    this.#client = client;
    const where = endpoint(options);
    this.#target = { unitId: options.unitId, where, timeoutMs: options.timeoutMs };
    // Any malformed answer means the stream is out of step: the connection is given up.
    this.line = new RequestLine(client as FramingClient, where, {
      garbled: 'lost',
      onLost: () => socket.destroy(),
      incomplete: () => port.incomplete(),
    });
    socket.on('error', (error) => this.line.markLost(messageOf(error)));
    socket.once('close', () => this.line.markLost('connection closed by the device'));
  }

  get isOpen(): boolean {
    return !this.line.lost && !this.#closed;
  }

  read(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    return this.line.read(this.#target, register, start, count);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.line.markLost('connection closed');
    // destroy, not close: it lets go of the socket at once, and of any request the library still holds.
    this.#client.destroy(() => {});
    if (!this.#socket.closed) await once(this.#socket, 'close');
  }
}

/** Serial lines open in this process, shared by the units on each. */
const serialLines = new SharedSerialLines(async (settings) => {
  const client = new ModbusRTU();
  client.on('error', () => {});
  try {
    await client.connectRTUBuffered(settings.port, {
      baudRate: settings.baudRate,
      parity: settings.parity,
      dataBits: settings.dataBits,
      stopBits: settings.stopBits,
    });
  } catch (error) {
    client.destroy(() => {});
    throw new GatewayError('MODBUS_SERIAL', `${settings.port}: ${messageOf(error)}`, { cause: error });
  }
  return {
    client: client as FramingClient,
    onClose: (listener: () => void) => client.on('close', listener),
    close: () => new Promise<void>((resolve) => client.close(() => resolve())),
  };
});

/** A unit on a serial line; the line opens with its first unit and closes with its last. */
export async function connectModbusRtu(options: ModbusRtuOptions): Promise<ModbusConnection> {
  return serialLines.attach(options.serial, {
    unitId: options.unitId,
    where: `${options.serial.port} unit ${options.unitId}`,
    timeoutMs: options.timeoutMs,
  });
}

function endpoint(options: ModbusTcpOptions): string {
  return `${options.host}:${options.port} unit ${options.unitId}`;
}

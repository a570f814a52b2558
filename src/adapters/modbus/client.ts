/**
 * A Modbus TCP connection with a small promise-based surface, and the one
 * place that knows modbus-serial. The library is used for framing only: this
 * file owns the socket, the connect timeout, one-request-at-a-time and a
 * guard timer, because the library leaves those gaps:
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
import net from 'node:net';
import modbusSerial from 'modbus-serial';
import type { RegisterType } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';

// The package is CommonJS; seen from ESM its class sits on `.default` (which it points at itself).
const ModbusRTU = modbusSerial.default;
type ModbusClient = InstanceType<typeof ModbusRTU>;

export interface ModbusConnection {
  /**
   * Words for holding/input registers, booleans for coils/discrete inputs; exactly `count` of them.
   * Rejects with a GatewayError (MODBUS_EXCEPTION, MODBUS_TIMEOUT, MODBUS_CONNECT), or with a
   * RangeError for a range no Modbus request can ask for.
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

/** The device refused a request with a Modbus exception response. */
export class ModbusExceptionError extends GatewayError {
  readonly exceptionCode: number;

  constructor(exceptionCode: number, detail: string) {
    super('MODBUS_EXCEPTION', detail);
    this.name = 'ModbusExceptionError';
    this.exceptionCode = exceptionCode;
  }
}

const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/**
 * The library arms its own timer per request; this one only fires if that
 * somehow did not, so a read can never hang.
 */
const GUARD_MARGIN_MS = 250;

export async function connectModbusTcp(options: ModbusTcpOptions): Promise<ModbusConnection> {
  const socket = await openSocket(options);
  const client = new ModbusRTU();
  // The library re-emits port errors as 'error' events, which would crash the process unheard.
  client.on('error', () => {});
  try {
    await client.linkTCP(socket, { port: options.port });
  } catch (error) {
    socket.destroy();
    throw new GatewayError('MODBUS_CONNECT', `${endpoint(options)}: ${messageOf(error)}`, { cause: error });
  }
  // Set after linking so it arms request timers only, not an idle timer on the socket.
  client.setTimeout(options.timeoutMs);
  client.setID(options.unitId);
  return new TcpConnection(socket, client, options);
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
  readonly #client: ModbusClient;
  readonly #where: string;
  readonly #timeoutMs: number;
  /** Why the connection is no longer usable; set once, never cleared. */
  #lost: string | undefined;
  #closed = false;
  /** Ends the request in flight (there is at most one) when the connection is lost. */
  #abortInFlight: ((error: GatewayError) => void) | undefined;
  /** The tail of the request queue. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(socket: net.Socket, client: ModbusClient, options: ModbusTcpOptions) {
    this.#socket = socket;
    this.#client = client;
    this.#where = endpoint(options);
    this.#timeoutMs = options.timeoutMs;
    socket.on('error', (error) => this.#markLost(messageOf(error)));
    socket.once('close', () => this.#markLost('connection closed by the device'));
  }

  get isOpen(): boolean {
    return this.#lost === undefined && !this.#closed;
  }

  read(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    // Checked up front: the library would throw while framing, which would look like a broken stream.
    const invalid = checkRange(register, start, count);
    if (invalid !== undefined) return Promise.reject(new RangeError(invalid));
    const result = this.#queue.then(() => this.#readNow(register, start, count));
    this.#queue = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#markLost('connection closed');
    // destroy, not close: it also cancels the timers of requests the library still holds.
    this.#client.destroy(() => {});
    if (!this.#socket.closed) await once(this.#socket, 'close');
  }

  async #readNow(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    if (this.#lost !== undefined) throw this.#connectError(this.#lost);
    let guard: NodeJS.Timeout | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      this.#abortInFlight = reject;
      guard = setTimeout(
        () =>
          reject(new GatewayError('MODBUS_TIMEOUT', `${this.#describe(register, start, count)}: no answer`)),
        this.#timeoutMs + GUARD_MARGIN_MS,
      );
    });
    try {
      return await Promise.race([this.#request(register, start, count), interrupted]);
    } catch (error) {
      throw this.#translate(error, register, start, count);
    } finally {
      clearTimeout(guard);
      this.#abortInFlight = undefined;
    }
  }

  async #request(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    switch (register) {
      case 'holding':
        return (await this.#client.readHoldingRegisters(start, count)).data;
      case 'input':
        return (await this.#client.readInputRegisters(start, count)).data;
      // Bits come back padded to whole bytes.
      case 'coil':
        return (await this.#client.readCoils(start, count)).data.slice(0, count);
      case 'discrete':
        return (await this.#client.readDiscreteInputs(start, count)).data.slice(0, count);
    }
  }

  #translate(error: unknown, register: RegisterType, start: number, count: number): GatewayError {
    if (error instanceof GatewayError) return error;
    const what = this.#describe(register, start, count);
    const fields = (error ?? {}) as { modbusCode?: unknown; errno?: unknown; name?: unknown };
    if (typeof fields.modbusCode === 'number') {
      const name = EXCEPTION_NAMES[fields.modbusCode] ?? 'unknown exception';
      return new ModbusExceptionError(fields.modbusCode, `${what}: exception ${fields.modbusCode} (${name})`);
    }
    if (fields.name === 'TransactionTimedOutError' || fields.errno === 'ETIMEDOUT') {
      return new GatewayError('MODBUS_TIMEOUT', `${what}: no answer within ${this.#timeoutMs} ms`);
    }
    // Anything else is a closed port or a malformed answer (CRC, length, unit or function mismatch):
    // either way the stream cannot be trusted to be in step, so the connection is given up.
    const reason =
      fields.name === 'PortNotOpenError' ? 'port not open' : `invalid answer to ${what}: ${messageOf(error)}`;
    this.#markLost(reason);
    this.#socket.destroy();
    return this.#connectError(reason);
  }

  #markLost(reason: string): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    this.#abortInFlight?.(this.#connectError(reason));
  }

  #connectError(reason: string): GatewayError {
    return new GatewayError('MODBUS_CONNECT', `${this.#where}: ${reason}`);
  }

  #describe(register: RegisterType, start: number, count: number): string {
    return `${this.#where} read ${register} ${start}+${count}`;
  }
}

/** Most a single request may ask for, by the protocol. */
const MAX_PER_READ: Readonly<Record<RegisterType, number>> = {
  holding: 125,
  input: 125,
  coil: 2000,
  discrete: 2000,
};

function checkRange(register: RegisterType, start: number, count: number): string | undefined {
  const max = MAX_PER_READ[register];
  if (!Number.isInteger(count) || count < 1 || count > max) return `count must be 1..${max}, got ${count}`;
  if (!Number.isInteger(start) || start < 0 || start + count > 0x10000) {
    return `${count} ${register} from ${start} is outside addresses 0..65535`;
  }
  return undefined;
}

function endpoint(options: ModbusTcpOptions): string {
  return `${options.host}:${options.port} unit ${options.unitId}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

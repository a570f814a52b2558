/**
 * One Modbus request at a time over one framing client (a TCP connection or a
 * serial line shared by several units): a queue, a guard timer so that no read
 * can hang, a pause between exchanges where the line needs one, and the
 * translation of the library's failures into the gateway's errors.
 */
import type { RegisterType } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';

/** The part of the protocol library a line uses. */
export interface FramingClient {
  setID(id: number): void;
  setTimeout(ms: number): void;
  readHoldingRegisters(start: number, count: number): Promise<{ data: number[] }>;
  readInputRegisters(start: number, count: number): Promise<{ data: number[] }>;
  readCoils(start: number, count: number): Promise<{ data: boolean[] }>;
  readDiscreteInputs(start: number, count: number): Promise<{ data: boolean[] }>;
}

/** Who a request is for: the unit, how it is named in errors, how long it may take. */
export interface RequestTarget {
  unitId: number;
  where: string;
  timeoutMs: number;
}

export interface RequestLineOptions {
  /** Silence after every exchange, answered or not, before the next request (RTU inter-frame delay). */
  pauseMs?: number;
  /**
   * An answer that does not fit the request (CRC, length, unit or function):
   * 'lost' when the stream can no longer be trusted (TCP), 'failed' when only
   * this exchange failed and the line goes on (a serial line re-synchronizes
   * on its next silence).
   */
  garbled: 'lost' | 'failed';
  /** Called once when the line is lost, to let go of what carries it. */
  onLost?: (reason: string) => void;
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

/** Most a single request may ask for, by the protocol. */
const MAX_PER_READ: Readonly<Record<RegisterType, number>> = {
  holding: 125,
  input: 125,
  coil: 2000,
  discrete: 2000,
};

export class RequestLine {
  readonly #client: FramingClient;
  readonly #options: RequestLineOptions;
  readonly #name: string;
  /** Why the line is no longer usable; set once, never cleared. */
  #lost: string | undefined;
  /** Ends the request in flight (there is at most one) when the line is lost. */
  #abortInFlight: ((error: GatewayError) => void) | undefined;
  /** The tail of the request queue. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(client: FramingClient, name: string, options: RequestLineOptions) {
    this.#client = client;
    this.#name = name;
    this.#options = options;
  }

  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** Fails the request in flight and every later one with `reason`. */
  markLost(reason: string): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    this.#abortInFlight?.(this.#lostError(reason));
    this.#options.onLost?.(reason);
  }

  read(
    target: RequestTarget,
    register: RegisterType,
    start: number,
    count: number,
  ): Promise<number[] | boolean[]> {
    // Checked up front: the library would throw while framing, which would look like a broken stream.
    const invalid = checkRange(register, start, count);
    if (invalid !== undefined) return Promise.reject(new RangeError(invalid));
    const result = this.#queue.then(() => this.#readNow(target, register, start, count));
    this.#queue = result.catch(() => {}).then(() => this.#pause());
    return result;
  }

  async #pause(): Promise<void> {
    const ms = this.#options.pauseMs ?? 0;
    if (ms > 0 && this.#lost === undefined) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async #readNow(
    target: RequestTarget,
    register: RegisterType,
    start: number,
    count: number,
  ): Promise<number[] | boolean[]> {
    if (this.#lost !== undefined) throw this.#lostError(this.#lost);
    const what = `${target.where} read ${register} ${start}+${count}`;
    let guard: NodeJS.Timeout | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      this.#abortInFlight = reject;
      guard = setTimeout(
        () => reject(new GatewayError('MODBUS_TIMEOUT', `${what}: no answer`)),
        target.timeoutMs + GUARD_MARGIN_MS,
      );
    });
    try {
      this.#client.setID(target.unitId);
      this.#client.setTimeout(target.timeoutMs);
      return await Promise.race([this.#request(register, start, count), interrupted]);
    } catch (error) {
      throw this.#translate(error, what, target.timeoutMs);
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

  #translate(error: unknown, what: string, timeoutMs: number): GatewayError {
    if (error instanceof GatewayError) return error;
    const fields = (error ?? {}) as { modbusCode?: unknown; errno?: unknown; name?: unknown };
    if (typeof fields.modbusCode === 'number') {
      const name = EXCEPTION_NAMES[fields.modbusCode] ?? 'unknown exception';
      return new ModbusExceptionError(fields.modbusCode, `${what}: exception ${fields.modbusCode} (${name})`);
    }
    if (fields.name === 'TransactionTimedOutError' || fields.errno === 'ETIMEDOUT') {
      return new GatewayError('MODBUS_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`);
    }
    if (fields.name === 'PortNotOpenError') {
      this.markLost('port not open');
      return this.#lostError('port not open');
    }
    const reason = `invalid answer to ${what}: ${messageOf(error)}`;
    if (this.#options.garbled === 'failed') return new GatewayError('MODBUS_FRAME', reason);
    this.markLost(reason);
    return this.#lostError(reason);
  }

  #lostError(reason: string): GatewayError {
    return new GatewayError('MODBUS_CONNECT', `${this.#name}: ${reason}`);
  }
}

function checkRange(register: RegisterType, start: number, count: number): string | undefined {
  const max = MAX_PER_READ[register];
  if (!Number.isInteger(count) || count < 1 || count > max) return `count must be 1..${max}, got ${count}`;
  if (!Number.isInteger(start) || start < 0 || start + count > 0x10000) {
    return `${count} ${register} from ${start} is outside addresses 0..65535`;
  }
  return undefined;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

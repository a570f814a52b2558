/**
 * One Modbus request at a time over one framing client (a TCP connection or a
 * serial line shared by several units): a queue, the timeout of each read, a
 * pause between exchanges where the line needs one, and the translation of the
 * library's failures into the gateway's errors.
 */
import { isBitRegister } from '../../config/data-types.ts';
import type { RegisterType } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';

/** The part of the protocol library a line uses. */
export interface FramingClient {
  setID(id: number): void;
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
   * An answer that does not fit the request (CRC, length, unit or function)
   * fails that read with MODBUS_FRAME; then the line is 'lost' when the
   * stream can no longer be trusted (TCP), or goes on when 'failed' (a serial
   * line re-synchronizes on its next silence).
   */
  garbled: 'lost' | 'failed';
  /** Called once when the line is lost, to let go of what carries it. */
  onLost?: (reason: string) => void;
  /**
   * What arrived of an answer that never completed, if anything: a read that
   * times out with part of an answer is garbled, not unanswered.
   */
  incomplete?: () => string | undefined;
}

/** The device refused a request with a Modbus exception response. */
export class ModbusExceptionError extends GatewayError {
  readonly exceptionCode: number;
  /** The code and its name: `exception 2 (illegal data address)`. */
  readonly exception: string;

  constructor(exceptionCode: number, what: string) {
    const exception = `exception ${exceptionCode} (${EXCEPTION_NAMES[exceptionCode] ?? 'unknown exception'})`;
    super('MODBUS_EXCEPTION', `${what}: ${exception}`);
    this.name = 'ModbusExceptionError';
    this.exceptionCode = exceptionCode;
    this.exception = exception;
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
  /** The request in flight, as errors name it. */
  #inFlight: string | undefined;
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
  markLost(reason: string, inFlightError: GatewayError = this.#lostError(reason)): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    this.#abortInFlight?.(inFlightError);
    this.#options.onLost?.(reason);
  }

  /** What carries the line saw an answer that does not fit: the read in flight fails with MODBUS_FRAME. */
  markGarbled(reason: string): void {
    const error = this.#frameError(this.#inFlight ?? this.#name, reason);
    if (this.#options.garbled === 'lost') this.markLost(givenUp(reason), error);
    else this.#abortInFlight?.(error);
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
    this.#inFlight = what;
    const interrupted = new Promise<never>((_, reject) => {
      this.#abortInFlight = reject;
      // The line's timer, not the library's (which stays unset): a timer that fires late because the
      // event loop was busy must not beat an answer that came in time, so the answer gets one turn first.
      guard = setTimeout(() => {
        setImmediate(() =>
          reject(new GatewayError('MODBUS_TIMEOUT', `${what}: no answer within ${target.timeoutMs} ms`)),
        );
      }, target.timeoutMs);
    });
    try {
      this.#client.setID(target.unitId);
      return await Promise.race([this.#request(register, start, count), interrupted]);
    } catch (error) {
      throw this.#translate(error, what);
    } finally {
      clearTimeout(guard);
      this.#abortInFlight = undefined;
      this.#inFlight = undefined;
    }
  }

  async #request(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    const data = await this.#ask(register, start, count);
    // The library reads as many values as the answer's byte count claims; it must be what was asked for.
    const expected = isBitRegister(register) ? 8 * Math.ceil(count / 8) : count;
    if (data.length !== expected) throw new MisfitAnswer(`${data.length} values for ${count} asked`);
    // Bits come back padded to whole bytes.
    return isBitRegister(register) ? data.slice(0, count) : data;
  }

  async #ask(register: RegisterType, start: number, count: number): Promise<number[] | boolean[]> {
    switch (register) {
      case 'holding':
        return (await this.#client.readHoldingRegisters(start, count)).data;
      case 'input':
        return (await this.#client.readInputRegisters(start, count)).data;
      case 'coil':
        return (await this.#client.readCoils(start, count)).data;
      case 'discrete':
        return (await this.#client.readDiscreteInputs(start, count)).data;
    }
  }

  #translate(error: unknown, what: string): GatewayError {
    if (error instanceof GatewayError)
      return error.code === 'MODBUS_TIMEOUT' ? this.#timedOut(error, what) : error;
    const fields = (error ?? {}) as { modbusCode?: unknown; name?: unknown };
    if (typeof fields.modbusCode === 'number') return new ModbusExceptionError(fields.modbusCode, what);
    if (fields.name === 'PortNotOpenError') {
      this.markLost('port not open');
      return this.#lostError('port not open');
    }
    return this.#garbledNow(what, messageOf(error));
  }

  /** With part of an answer in hand at the timeout, the answer is garbled rather than missing. */
  #timedOut(timeout: GatewayError, what: string): GatewayError {
    const partial = this.#options.incomplete?.();
    return partial === undefined ? timeout : this.#garbledNow(what, partial);
  }

  /** The read in flight got an answer that does not fit; on a stream that means the line is given up. */
  #garbledNow(what: string, reason: string): GatewayError {
    const error = this.#frameError(what, reason);
    if (this.#options.garbled === 'lost') this.markLost(givenUp(reason), error);
    return error;
  }

  #frameError(what: string, reason: string): GatewayError {
    return new GatewayError('MODBUS_FRAME', `invalid answer to ${what}: ${reason}`);
  }

  #lostError(reason: string): GatewayError {
    return new GatewayError('MODBUS_CONNECT', `${this.#name}: ${reason}`);
  }
}

function givenUp(reason: string): string {
  return `given up after an answer that did not fit (${reason})`;
}

/** An answer the library took that does not fit the request all the same. */
class MisfitAnswer extends Error {}

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

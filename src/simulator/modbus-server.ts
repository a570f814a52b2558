/**
 * A simulated Modbus PLC serving the points of one device from the site
 * file, over TCP (or, for RTU, as one unit on a simulated serial line:
 * modbus-rtu-line.ts). Values are set in engineering units and encoded with the same codec
 * the adapter decodes with, so type, byte order, bit, scale and offset are
 * exercised end to end. Faults on demand: exceptions for chosen addresses, a
 * device that stops answering, a device that drops off the network.
 */
import net, { type AddressInfo } from 'node:net';
import { type IServiceVector, ServerTCP } from 'modbus-serial';
import {
  type DecodeResult,
  decodeBits,
  decodeRegisters,
  encodeValue,
  wordCount,
} from '../adapters/modbus/codec.ts';
import type { PointValue } from '../adapters/reading.ts';
import { effectiveDataType, isBitRegister } from '../config/data-types.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { ModbusDevice, ModbusPoint, RegisterType } from '../config/schema.ts';
import { type DropOut, isSilentAt } from './drop-out.ts';
import { type Scenario, valueAt } from './scenarios.ts';

export interface SimulatorOptions {
  /** Overrides the port of the site file; 0 picks a free one. */
  port?: number;
  /** Overrides the host of the site file. */
  host?: string;
}

/** How often values driven by a scenario are brought up to date. */
const SCENARIO_TICK_MS = 50;
const MAX_REGISTERS_PER_READ = 125;
const ILLEGAL_DATA_ADDRESS = 2;
const ILLEGAL_DATA_VALUE = 3;

type Reply = (error: Error | null, values: number[]) => void;

/** Answers one read for a unit; not calling back is how a unit stays silent. */
export type Serve = (
  register: RegisterType,
  address: number,
  count: number,
  unitId: number,
  reply: Reply,
) => void;

/**
 * The handlers modbus-serial's servers call, all in callback style (the
 * servers tell the styles apart by arity): not calling back keeps a muted
 * device silent.
 */
export function serviceVector(serve: Serve): IServiceVector {
  const words = (register: RegisterType) => (address: number, count: number, unitId: number, reply: Reply) =>
    serve(register, address, count, unitId, reply);
  const single =
    (register: RegisterType) =>
    (address: number, unitId: number, reply: (error: Error | null, value: number) => void) =>
      serve(register, address, 1, unitId, (error, values) => reply(error, values[0] ?? 0));
  const bit =
    (register: RegisterType) =>
    (address: number, unitId: number, reply: (error: Error | null, value: boolean) => void) =>
      serve(register, address, 1, unitId, (error, values) => reply(error, values[0] === 1));
  return {
    getMultipleHoldingRegisters: words('holding'),
    getMultipleInputRegisters: words('input'),
    getHoldingRegister: single('holding'),
    getInputRegister: single('input'),
    getCoil: bit('coil'),
    getDiscreteInput: bit('discrete'),
  };
}

export class SimulatedModbusDevice {
  readonly device: ModbusDevice;
  readonly host: string;
  #port: number;
  #server: ServerTCP | undefined;
  readonly #highestAddress: number;
  readonly #unitId: number;
  readonly #points: ReadonlyMap<string, ModbusPoint>;
  /** Words of holding/input registers, 0 or 1 for coils and discrete inputs; absent = 0. */
  readonly #tables: Record<RegisterType, Map<number, number>> = {
    holding: new Map(),
    input: new Map(),
    coil: new Map(),
    discrete: new Map(),
  };
  readonly #failures = new Map<string, number>();
  readonly #scenarios = new Map<string, { scenario: Scenario; startedAt: number }>();
  #ticker: NodeJS.Timeout | undefined;
  #muted = false;
  /** Served by a transport of another object (a serial line), not a TCP listener of its own. */
  #servedElsewhere = false;
  #dropOut: { schedule: DropOut; startedAt: number } | undefined;

  private constructor(device: ModbusDevice, options: SimulatorOptions) {
    this.device = device;
    const tcp = device.protocol === 'modbus-tcp' ? device : undefined;
    this.host = options.host ?? tcp?.host ?? '127.0.0.1';
    this.#port = options.port ?? tcp?.port ?? DEFAULTS.modbusPort;
    this.#highestAddress = device.highest_address ?? DEFAULTS.highestAddress;
    this.#unitId = device.unit_id ?? DEFAULTS.unitId;
    this.#points = new Map(device.points.map((point) => [point.id, point]));
  }

  /** Serves the device over Modbus TCP. */
  static async start(device: ModbusDevice, options: SimulatorOptions = {}): Promise<SimulatedModbusDevice> {
    const simulated = new SimulatedModbusDevice(device, options);
    await simulated.#listen();
    return simulated;
  }

  /** The device's registers without a listener of its own, for a transport that calls serve(). */
  static unit(device: ModbusDevice): SimulatedModbusDevice {
    const unit = new SimulatedModbusDevice(device, {});
    unit.#servedElsewhere = true;
    return unit;
  }

  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Client connections currently open. */
  get connections(): number {
    return this.#server?.socks.size ?? 0;
  }

  /** The open client connections themselves, to tell a kept connection from a new one. */
  openConnections(): Set<net.Socket> {
    return new Set(this.#server?.socks.keys() ?? []);
  }

  /** Sets a point in engineering units; a scenario driving it stops. */
  set(pointId: string, value: PointValue): void {
    const point = this.#point(pointId);
    this.#scenarios.delete(pointId);
    this.#write(point, value);
    this.#updateTicker();
  }

  /** The point's value as the adapter would decode it from the current registers. */
  read(pointId: string): DecodeResult {
    const point = this.#point(pointId);
    const table = this.#tables[point.register];
    const type = effectiveDataType(point.register, point.type);
    const words = Array.from({ length: wordCount(type) }, (_, i) => table.get(point.address + i) ?? 0);
    return isBitRegister(point.register)
      ? decodeBits([words[0] === 1], point)
      : decodeRegisters(words, point);
  }

  /** From now on the point follows the scenario, starting at its t = 0. */
  setScenario(pointId: string, scenario: Scenario): void {
    const point = this.#point(pointId);
    const frozen =
      scenario.kind === 'stuck' && scenario.value === undefined
        ? { kind: 'stuck' as const, value: this.#currentValue(pointId) }
        : scenario;
    this.#scenarios.set(pointId, { scenario: frozen, startedAt: Date.now() });
    this.#write(point, valueAt(frozen, 0));
    this.#updateTicker();
  }

  /** Writes raw words (holding/input) or bits (coil/discrete) from `address` on, bypassing any point. */
  setRaw(register: RegisterType, address: number, values: readonly number[] | readonly boolean[]): void {
    const table = this.#tables[register];
    values.forEach((value, i) => {
      const raw = typeof value === 'boolean' ? Number(value) : value;
      table.set(address + i, isBitRegister(register) ? Number(raw !== 0) : raw & 0xffff);
    });
  }

  /** Every read that covers this address answers with the exception until clearFailures(). */
  failAddress(register: RegisterType, address: number, exceptionCode: number = ILLEGAL_DATA_ADDRESS): void {
    this.#failures.set(failureKey(register, address), exceptionCode);
  }

  clearFailures(): void {
    this.#failures.clear();
  }

  /** Keeps connections open but answers nothing, so clients time out. */
  mute(): void {
    this.#muted = true;
  }

  unmute(): void {
    this.#muted = false;
  }

  /** Falls silent on a schedule (undefined: never), so a lost device and its recovery can be watched. */
  setDropOut(schedule: DropOut | undefined): void {
    this.#dropOut = schedule && { schedule, startedAt: Date.now() };
  }

  #silent(): boolean {
    if (this.#muted) return true;
    const dropOut = this.#dropOut;
    return dropOut !== undefined && isSilentAt(dropOut.schedule, Date.now() - dropOut.startedAt);
  }

  /** Stops listening and drops every open connection, as a PLC that went off the network. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    this.#updateTicker();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // ServerTCP destroys its client sockets on close; destroying them here as well costs nothing if it ever stops doing so.
    for (const socket of server.socks.keys()) socket.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    if (this.#server !== undefined) return;
    await this.#listen();
  }

  async #listen(): Promise<void> {
    const pickPort = this.#port === 0;
    for (let attempt = 1; ; attempt++) {
      // ServerTCP treats port 0 as "unset" and falls back to 502, so a free port is found first.
      const port = pickPort ? await freePort(this.host) : this.#port;
      try {
        this.#server = await listen(
          serviceVector((...request) => this.serve(...request)),
          this.host,
          port,
        );
        this.#port = port;
        this.#updateTicker();
        return;
      } catch (error) {
        // Another process may take a probed port before it is bound; probing again settles that.
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!pickPort || !inUse || attempt >= 5) throw error;
      }
    }
  }

  /** Answers a read as this device would; requests for another unit go unanswered. */
  serve(register: RegisterType, address: number, count: number, unitId: number, reply: Reply): void {
    // A request for another unit goes unanswered, as behind a serial gateway with no such device.
    if (this.#silent() || unitId !== this.#unitId) return;
    const failure = this.#failureWithin(register, address, count);
    if (failure !== undefined) {
      reply(modbusException(failure), []);
      return;
    }
    const table = this.#tables[register];
    reply(
      null,
      Array.from({ length: count }, (_, i) => table.get(address + i) ?? 0),
    );
  }

  #failureWithin(register: RegisterType, address: number, count: number): number | undefined {
    if (!isBitRegister(register) && count > MAX_REGISTERS_PER_READ) return ILLEGAL_DATA_VALUE;
    if (address + count - 1 > this.#highestAddress) return ILLEGAL_DATA_ADDRESS;
    if (this.#failures.size === 0) return undefined;
    for (let i = 0; i < count; i++) {
      const code = this.#failures.get(failureKey(register, address + i));
      if (code !== undefined) return code;
    }
    return undefined;
  }

  #write(point: ModbusPoint, value: PointValue): void {
    const table = this.#tables[point.register];
    const encoded = encodeValue(value, point);
    if (effectiveDataType(point.register, point.type) === 'bit') {
      // Several bit points can share a word; only this point's bit changes.
      const mask = 1 << (point.bit ?? 0);
      const word = table.get(point.address) ?? 0;
      table.set(point.address, (word & ~mask) | ((encoded[0] ?? 0) & mask));
      return;
    }
    encoded.forEach((word, i) => {
      table.set(point.address + i, word);
    });
  }

  #currentValue(pointId: string): PointValue {
    const current = this.read(pointId);
    return current.ok ? current.value : 0;
  }

  #tick(): void {
    const now = Date.now();
    for (const [pointId, { scenario, startedAt }] of this.#scenarios) {
      this.#write(this.#point(pointId), valueAt(scenario, now - startedAt));
    }
  }

  /** Runs the ticker only while it has something to do, and never keeps the process alive. */
  #updateTicker(): void {
    const needed = (this.#server !== undefined || this.#servedElsewhere) && this.#scenarios.size > 0;
    if (needed && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#tick(), SCENARIO_TICK_MS);
      this.#ticker.unref();
    } else if (!needed && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #point(pointId: string): ModbusPoint {
    const point = this.#points.get(pointId);
    if (point === undefined) throw new Error(`device ${this.device.id} has no point ${pointId}`);
    return point;
  }
}

function failureKey(register: RegisterType, address: number): string {
  return `${register}:${address}`;
}

/** ServerTCP answers with an exception response when a handler fails with `modbusErrorCode`. */
function modbusException(code: number): Error {
  return Object.assign(new Error(`Modbus exception ${code}`), { modbusErrorCode: code });
}

function listen(vector: IServiceVector, host: string, port: number): Promise<ServerTCP> {
  return new Promise((resolve, reject) => {
    // unitID 255 lets every request through; the handlers tell the units apart, so unit 0 works too.
    const server = new ServerTCP(vector, { host, port, unitID: 255 });
    // Without these listeners an 'error' event would crash the process.
    server.on('error', () => {});
    server.on('socketError', () => {});
    server.once('initialized', () => resolve(server));
    server.once('serverError', (error) => {
      server.close(() => {});
      reject(error);
    });
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The simulated PLCs both collectors read in the footprint comparison: the
 * project's simulator, one per device, each counting the read requests it
 * answers and noting when the first one arrived. Seen from the device, that
 * first request is the collector's first poll, whichever collector it is.
 * Every poll reads the device's lowest address, so the requests that cover it
 * mark when each poll started: the poll rate follows from the span between
 * the first and the last of them in a window, free of the error of up to one
 * poll per device that counting polls between two instants has.
 */
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';

export interface PlantCounts {
  requests: number;
  registers: number;
}

export class FootprintPlant {
  readonly simulators: readonly SimulatedModbusDevice[];
  #requests = 0;
  #registers = 0;
  #firstRequestAt: number | undefined;
  /** Per device, when each poll started (performance.now()). */
  readonly #pollStarts: number[][];

  private constructor(simulators: SimulatedModbusDevice[]) {
    this.simulators = simulators;
    this.#pollStarts = simulators.map(() => []);
    simulators.forEach((simulator, i) => {
      const serve = simulator.serve.bind(simulator);
      const lowest = Math.min(...simulator.device.points.map((point) => point.address));
      const starts = this.#pollStarts[i] as number[];
      // serve() is the simulator's public entry for every read its transport receives.
      simulator.serve = (register, address, count, unitId, reply) => {
        const now = performance.now();
        this.#firstRequestAt ??= now;
        this.#requests += 1;
        this.#registers += count;
        if (address <= lowest && lowest < address + count) starts.push(now);
        serve(register, address, count, unitId, reply);
      };
    });
  }

  static async start(devices: readonly ModbusTcpDevice[]): Promise<FootprintPlant> {
    const simulators = await Promise.all(
      devices.map((device) => SimulatedModbusDevice.start(device, { port: 0, host: '127.0.0.1' })),
    );
    return new FootprintPlant(simulators);
  }

  get ports(): number[] {
    return this.simulators.map((simulator) => simulator.port);
  }

  /** When the first request of any collector arrived (performance.now()), since the last reset. */
  get firstRequestAt(): number | undefined {
    return this.#firstRequestAt;
  }

  counts(): PlantCounts {
    return { requests: this.#requests, registers: this.#registers };
  }

  /**
   * Points read per second between two instants (performance.now()): per
   * device, the polls that started in between over the span from the first to
   * the last of them, times the device's points.
   */
  readsPerSecond(from: number, to: number): number {
    let reads = 0;
    this.#pollStarts.forEach((starts, i) => {
      const inside = starts.filter((at) => at >= from && at < to);
      const first = inside[0];
      const last = inside.at(-1);
      if (first === undefined || last === undefined || last === first) return;
      const points = this.simulators[i]?.device.points.length ?? 0;
      reads += (((inside.length - 1) * 1000) / (last - first)) * points;
    });
    return reads;
  }

  /** Before each collector starts: its first request is then its own. */
  reset(): void {
    this.#firstRequestAt = undefined;
    this.#requests = 0;
    this.#registers = 0;
    for (const starts of this.#pollStarts) starts.length = 0;
  }

  async stop(): Promise<void> {
    await Promise.all(this.simulators.map((simulator) => simulator.stop()));
  }
}

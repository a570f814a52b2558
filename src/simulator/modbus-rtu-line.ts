/**
 * A simulated RS-485 line: several Modbus RTU units behind one serial port
 * (one end of a pseudo-terminal pair), each answering only its own unit id,
 * as devices on a real bus do.
 */
import { ServerSerial } from 'modbus-serial';
import { serialSettingsOf } from '../adapters/modbus/adapter.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { ModbusRtuDevice } from '../config/schema.ts';
import { SimulatedModbusDevice, serviceVector } from './modbus-server.ts';

/** Silence after which the server takes a request as complete; shorter than the library's 30 ms default. */
const FRAME_GAP_MS = 10;

export class SimulatedRtuLine {
  readonly path: string;
  /** The simulated devices by id. */
  readonly devices: ReadonlyMap<string, SimulatedModbusDevice>;
  readonly #server: ServerSerial;

  private constructor(path: string, devices: Map<string, SimulatedModbusDevice>, server: ServerSerial) {
    this.path = path;
    this.devices = devices;
    this.#server = server;
  }

  /** Serves the devices (all on one line, with the line settings of the first) on the serial port at `path`. */
  static start(path: string, devices: readonly ModbusRtuDevice[]): Promise<SimulatedRtuLine> {
    const first = devices[0];
    if (first === undefined) throw new Error('a simulated serial line needs at least one device');
    const units = new Map<number, SimulatedModbusDevice>();
    const byId = new Map<string, SimulatedModbusDevice>();
    for (const device of devices) {
      const unit = SimulatedModbusDevice.unit(device);
      units.set(device.unit_id ?? DEFAULTS.unitId, unit);
      byId.set(device.id, unit);
    }
    const settings = serialSettingsOf(first.serial);
    return new Promise((resolve, reject) => {
      const vector = serviceVector((register, address, count, unitId, reply) =>
        units.get(unitId)?.serve(register, address, count, unitId, reply),
      );
      const server = new ServerSerial(vector, {
        path,
        baudRate: settings.baudRate,
        parity: settings.parity,
        dataBits: settings.dataBits,
        stopBits: settings.stopBits,
        interval: FRAME_GAP_MS,
        unitID: 255,
        openCallback: (error) => {
          if (error) reject(error);
        },
      } as ConstructorParameters<typeof ServerSerial>[1]);
      server.on('error', () => {});
      server.on('socketError', () => {});
      server.once('initialized', () => resolve(new SimulatedRtuLine(path, byId, server)));
    });
  }

  device(id: string): SimulatedModbusDevice {
    const device = this.devices.get(id);
    if (device === undefined) throw new Error(`no simulated unit ${id} on ${this.path}`);
    return device;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

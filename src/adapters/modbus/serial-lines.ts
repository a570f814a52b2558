/**
 * Serial lines shared by the Modbus RTU units on them. A line is opened with
 * its first unit and closed with its last; every unit's requests go through
 * the line's one queue, so a half-duplex RS-485 bus only ever carries one
 * exchange, followed by the line's inter-frame silence.
 */
import type { RegisterType } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { ModbusConnection } from './client.ts';
import { type FramingClient, RequestLine, type RequestTarget } from './request-line.ts';

export interface SerialSettings {
  port: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  interFrameDelayMs: number;
}

/** An open serial port as the protocol library gives it. */
export interface OpenedPort {
  client: FramingClient;
  onClose(listener: () => void): void;
  close(): Promise<void>;
}

interface SharedLine {
  settings: SerialSettings;
  line: RequestLine;
  port: OpenedPort;
  users: number;
}

export class SharedSerialLines {
  readonly #open: (settings: SerialSettings) => Promise<OpenedPort>;
  readonly #lines = new Map<string, Promise<SharedLine>>();

  constructor(open: (settings: SerialSettings) => Promise<OpenedPort>) {
    this.#open = open;
  }

  async attach(settings: SerialSettings, target: RequestTarget): Promise<ModbusConnection> {
    const shared = await this.#lineFor(settings);
    if (!sameSettings(shared.settings, settings)) {
      throw new GatewayError(
        'MODBUS_SERIAL',
        `${settings.port} is open with other settings (${describe(shared.settings)}); every device on a line needs the same serial settings`,
      );
    }
    shared.users += 1;
    let closed = false;
    return {
      read: (register: RegisterType, start: number, count: number) =>
        shared.line.read(target, register, start, count),
      get isOpen() {
        return !closed && !shared.line.lost;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        shared.users -= 1;
        if (shared.users > 0) return;
        this.#forget(shared);
        shared.line.markLost('serial port closed');
        await shared.port.close();
      },
    };
  }

  /** Synchronous up to the map lookup, so units connecting at the same moment share one opening. */
  #lineFor(settings: SerialSettings): Promise<SharedLine> {
    const pending = this.#lines.get(settings.port);
    if (pending === undefined) return this.#reopen(settings, undefined);
    return pending.then(
      (shared) => (shared.line.lost ? this.#reopen(settings, pending) : shared),
      () => this.#reopen(settings, pending),
    );
  }

  /** Opens the port anew unless another unit already did since `stale` was seen. */
  #reopen(settings: SerialSettings, stale: Promise<SharedLine> | undefined): Promise<SharedLine> {
    const current = this.#lines.get(settings.port);
    if (current !== undefined && current !== stale) return current;
    const opening = this.#openLine(settings);
    this.#lines.set(settings.port, opening);
    opening.catch(() => {
      if (this.#lines.get(settings.port) === opening) this.#lines.delete(settings.port);
    });
    return opening;
  }

  async #openLine(settings: SerialSettings): Promise<SharedLine> {
    const port = await this.#open(settings);
    const shared: SharedLine = {
      settings,
      port,
      users: 0,
      // A garbled answer on a serial line is noise or a collision: that exchange fails, the line goes on.
      line: new RequestLine(port.client, settings.port, {
        garbled: 'failed',
        pauseMs: settings.interFrameDelayMs,
      }),
    };
    port.onClose(() => {
      shared.line.markLost('serial port closed');
      this.#forget(shared);
    });
    return shared;
  }

  #forget(shared: SharedLine): void {
    const port = shared.settings.port;
    void this.#lines.get(port)?.then(
      (current) => {
        if (current === shared) this.#lines.delete(port);
      },
      () => {},
    );
  }
}

function sameSettings(a: SerialSettings, b: SerialSettings): boolean {
  return describe(a) === describe(b) && a.interFrameDelayMs === b.interFrameDelayMs;
}

function describe(settings: SerialSettings): string {
  return `${settings.baudRate} baud, ${settings.dataBits}${settings.parity[0]?.toUpperCase()}${settings.stopBits}`;
}

/**
 * Modbus RTU devices that share a serial port share one line: they must give
 * the same line settings, and their unit ids must differ and be addressable.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CheckContext } from './check-context.ts';
import { DEFAULTS } from './defaults.ts';
import { isRecord, type Path } from './paths.ts';

/** Unit 0 is broadcast (never answered) and 248..255 are reserved on a serial line. */
const HIGHEST_SERIAL_UNIT = 247;

export function checkSerialLines(
  context: CheckContext,
  devices: readonly { item: Record<string, unknown>; path: Path }[],
): void {
  const firstOnPort = new Map<string, { id: unknown; path: Path; serial: Record<string, unknown> }>();
  const units = new Map<string, { id: unknown; path: Path }>();
  for (const { item, path } of devices) {
    const serial = item.serial;
    if (!isRecord(serial) || !context.clean([...path, 'serial']) || typeof serial.port !== 'string') continue;
    const first = firstOnPort.get(serial.port);
    if (first === undefined) firstOnPort.set(serial.port, { id: item.id, path, serial });
    else if (!isDeepStrictEqual(withDefaults(serial), withDefaults(first.serial))) {
      context.report(
        'CONFIG_REFERENCE',
        [...path, 'serial'],
        'value',
        `${serial.port} is shared with device ${JSON.stringify(first.id)} (line ${context.lineOf(first.path)}) but with other settings; devices on one port need the same serial settings (a YAML anchor keeps them in one place)`,
      );
    }

    if (!context.clean([...path, 'unit_id'])) continue;
    const unit = typeof item.unit_id === 'number' ? item.unit_id : DEFAULTS.unitId;
    if (unit < 1 || unit > HIGHEST_SERIAL_UNIT) {
      context.report(
        'CONFIG_REFERENCE',
        [...path, 'unit_id'],
        'value',
        `unit_id ${unit} cannot be polled on a serial line; use 1..${HIGHEST_SERIAL_UNIT}`,
      );
      continue;
    }
    const key = `${serial.port}/${unit}`;
    const earlier = units.get(key);
    if (earlier === undefined) units.set(key, { id: item.id, path });
    else
      context.report(
        'CONFIG_REFERENCE',
        [...path, 'unit_id'],
        'value',
        `same serial port and unit_id (${serial.port}, unit ${unit}) as device ${JSON.stringify(earlier.id)} at line ${context.lineOf(earlier.path)}`,
      );
  }
}

function withDefaults(serial: Record<string, unknown>): Record<string, unknown> {
  return {
    baud_rate: serial.baud_rate ?? DEFAULTS.baudRate,
    parity: serial.parity ?? DEFAULTS.parity,
    data_bits: serial.data_bits ?? DEFAULTS.dataBits,
    stop_bits: serial.stop_bits ?? DEFAULTS.stopBits,
    inter_frame_delay_ms: serial.inter_frame_delay_ms ?? DEFAULTS.interFrameDelayMs,
  };
}

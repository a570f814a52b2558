/**
 * OPC UA status codes to reading quality. The two top bits of a status code
 * are its severity (Part 4, 7.39): 00 good, 01 uncertain, 10 and 11 bad.
 */
import type { PointValue, Quality } from '../reading.ts';

export function qualityOf(status: number): Quality {
  const severity = (status >>> 30) & 0b11;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

export type Converted = { ok: true; value: PointValue } | { ok: false; reason: string };

/**
 * What a node delivered, as a point value: numbers and booleans pass,
 * 64-bit integers (node-opcua hands them over as [high, low] words) become
 * numbers, anything else is refused with a reason.
 */
export function convertValue(value: unknown): Converted {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? { ok: true, value }
      : { ok: false, reason: `not a finite number (${value})` };
  }
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'bigint') return { ok: true, value: Number(value) };
  if (Array.isArray(value) && value.length === 2 && value.every((word) => typeof word === 'number')) {
    const [high, low] = value as [number, number];
    return { ok: true, value: high * 0x1_0000_0000 + (low >>> 0) };
  }
  const shown = value === null || value === undefined ? String(value) : typeof value;
  return { ok: false, reason: `the node holds ${shown}, not a number or boolean` };
}

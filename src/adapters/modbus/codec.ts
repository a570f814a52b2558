/**
 * Turns the raw 16-bit words (or bits) a device answers with into engineering
 * values, and back. Pure: the adapter decodes with it, the simulator encodes
 * with it, so both sides agree on type, byte order, bit, scale and offset.
 */
import { effectiveDataType, isBooleanType, WORDS } from '../../config/data-types.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import type { ByteOrder, DataType, ModbusPoint } from '../../config/schema.ts';
import type { PointValue } from '../reading.ts';

export type DecodeResult = { ok: true; value: PointValue } | { ok: false; reason: string };

/** The fields of a point that decide how its words are read. */
export type CodecPoint = Pick<ModbusPoint, 'register' | 'type' | 'bit' | 'order' | 'scale' | 'offset'>;

/** 16-bit registers a value of this type occupies; a bool on a coil or discrete input is one bit. */
export function wordCount(type: DataType): number {
  return WORDS[type];
}

export function decodeRegisters(words: readonly number[], point: CodecPoint): DecodeResult {
  const type = effectiveDataType(point.register, point.type);
  if (type === 'bool') {
    return {
      ok: false,
      reason: 'type bool is for coils and discrete inputs; one bit of a register is type bit',
    };
  }
  const expected = WORDS[type];
  if (words.length !== expected) {
    return { ok: false, reason: `${type} needs ${expected} register(s), got ${words.length}` };
  }
  const bad = words.find((word) => !Number.isInteger(word) || word < 0 || word > 0xffff);
  if (bad !== undefined) return { ok: false, reason: `register value ${bad} is not a 16-bit word` };

  if (type === 'bit') {
    const bit = point.bit ?? 0;
    return { ok: true, value: (((words[0] ?? 0) >> bit) & 1) === 1 };
  }
  const raw = readRaw(toBigEndian(words, orderOf(type, point.order)), type);
  if (!Number.isFinite(raw)) return { ok: false, reason: `${type} holds ${raw}, not a usable number` };
  const value = raw * (point.scale ?? 1) + (point.offset ?? 0);
  if (!Number.isFinite(value)) {
    return { ok: false, reason: `${raw} scaled by ${point.scale} and offset ${point.offset} is ${value}` };
  }
  return { ok: true, value };
}

/** A coil or discrete input point reads exactly one bit. */
export function decodeBits(bits: readonly boolean[], point: CodecPoint): DecodeResult {
  const type = effectiveDataType(point.register, point.type);
  if (type !== 'bool') return { ok: false, reason: `a single bit cannot hold ${type}` };
  if (bits.length !== 1) return { ok: false, reason: `a bool needs 1 bit, got ${bits.length}` };
  return { ok: true, value: bits[0] === true };
}

/**
 * The inverse of decoding: an engineering value to the words (or the one bit,
 * as 0 or 1) a device would hold. Integer types round and clamp to their range
 * so any value yields valid words. For type bit the word carries only that bit;
 * merging it with the other bits of the word is up to the caller.
 */
export function encodeValue(value: PointValue, point: CodecPoint): number[] {
  const type = effectiveDataType(point.register, point.type);
  if (isBooleanType(type)) {
    const on = typeof value === 'boolean' ? value : value !== 0;
    if (type === 'bool') return [on ? 1 : 0];
    return [on ? 1 << (point.bit ?? 0) : 0];
  }
  const engineering = typeof value === 'boolean' ? Number(value) : value;
  const scale = point.scale ?? 1;
  const raw = scale === 0 ? 0 : (engineering - (point.offset ?? 0)) / scale;
  return fromBigEndian(writeRaw(raw, type), orderOf(type, point.order));
}

/** A single register has no word order to choose (validation rejects `order` there), so it is read as it is. */
function orderOf(type: DataType, order: ByteOrder | undefined): ByteOrder {
  return WORDS[type] > 1 ? (order ?? DEFAULTS.byteOrder) : 'ABCD';
}

/**
 * Each order is its own inverse, so one function serves both directions:
 * ABCD keeps the wire bytes, CDAB reverses the words, BADC swaps the bytes of
 * each word, DCBA does both (fully little-endian).
 */
function reorder(bytes: Uint8Array, order: ByteOrder): Uint8Array {
  const wordReversed = order === 'CDAB' || order === 'DCBA';
  const byteSwapped = order === 'BADC' || order === 'DCBA';
  const out = new Uint8Array(bytes.length);
  const last = bytes.length - 1;
  for (let i = 0; i < bytes.length; i++) {
    let from = wordReversed ? last - i : i;
    // Reversing all bytes already swaps the bytes within each word; CDAB has to swap them back.
    if (byteSwapped !== wordReversed) from ^= 1;
    out[i] = bytes[from] ?? 0;
  }
  return out;
}

function toBigEndian(words: readonly number[], order: ByteOrder): Uint8Array {
  const wire = new Uint8Array(words.length * 2);
  words.forEach((word, i) => {
    wire[2 * i] = word >> 8;
    wire[2 * i + 1] = word & 0xff;
  });
  return reorder(wire, order);
}

function fromBigEndian(bytes: Uint8Array, order: ByteOrder): number[] {
  const wire = reorder(bytes, order);
  const words: number[] = [];
  for (let i = 0; i < wire.length; i += 2) words.push(((wire[i] ?? 0) << 8) | (wire[i + 1] ?? 0));
  return words;
}

function readRaw(bytes: Uint8Array, type: DataType): number {
  const view = new DataView(bytes.buffer);
  switch (type) {
    case 'int16':
      return view.getInt16(0);
    case 'int32':
      return view.getInt32(0);
    case 'uint32':
      return view.getUint32(0);
    case 'float32':
      return view.getFloat32(0);
    case 'float64':
      return view.getFloat64(0);
    default:
      return view.getUint16(0);
  }
}

const INTEGER_RANGE: Partial<Record<DataType, readonly [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
  uint32: [0, 0xffff_ffff],
};

function writeRaw(raw: number, type: DataType): Uint8Array {
  const bytes = new Uint8Array(WORDS[type] * 2);
  const view = new DataView(bytes.buffer);
  if (type === 'float32') view.setFloat32(0, raw);
  else if (type === 'float64') view.setFloat64(0, raw);
  else {
    const [min, max] = INTEGER_RANGE[type] ?? [0, 0xffff];
    const integer = Number.isNaN(raw) ? 0 : Math.min(max, Math.max(min, Math.round(raw)));
    if (type === 'int16') view.setInt16(0, integer);
    else if (type === 'int32') view.setInt32(0, integer);
    else if (type === 'uint32') view.setUint32(0, integer);
    else view.setUint16(0, integer);
  }
  return bytes;
}

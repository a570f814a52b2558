/**
 * What decoding one MQTT payload for one point yields: a value, or the class
 * of malformation that makes the point bad quality. Pure.
 */
import type { MqttValueType } from '../../config/schema.ts';
import type { PointValue, Quality } from '../reading.ts';

/** Every way a message can fail to yield a value; each has its own counter. */
export const MALFORMED_KINDS = [
  'bad_json',
  'missing_path',
  'wrong_type',
  'bad_protobuf',
  'unknown_alias',
  'before_birth',
  'unusable_topic',
  'bad_timestamp',
  'handling_failed',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export type Decoded =
  | {
      readonly ok: true;
      readonly value: PointValue;
      readonly sourceTime?: number;
      readonly quality?: Quality;
      readonly qualityReason?: string;
    }
  | { readonly ok: false; readonly kind: MalformedKind; readonly reason: string };

export function malformed(kind: MalformedKind, reason: string): Decoded {
  return { ok: false, kind, reason };
}

const TRUE_WORDS = new Set(['true', '1', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'off']);

/** A value as the point's type wants it; `what` names where it came from, for the reason. */
export function asPointValue(value: unknown, type: MqttValueType, what: string): Decoded {
  if (type === 'number') {
    if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
    return malformed('wrong_type', `${what} is ${describe(value)}, not a finite number`);
  }
  if (typeof value === 'boolean') return { ok: true, value };
  if (value === 0 || value === 1) return { ok: true, value: value === 1 };
  return malformed('wrong_type', `${what} is ${describe(value)}, not a boolean`);
}

/** Text as a plain payload carries it: a number, or true/false/1/0/on/off. */
export function parseText(text: string, type: MqttValueType): Decoded {
  const trimmed = text.trim();
  if (type === 'number') {
    const value = trimmed === '' ? Number.NaN : Number(trimmed);
    if (Number.isFinite(value)) return { ok: true, value };
    return malformed('wrong_type', `payload ${quote(trimmed)} is not a number`);
  }
  const word = trimmed.toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return malformed('wrong_type', `payload ${quote(trimmed)} is not a boolean (true, false, 1, 0, on, off)`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * JSON payloads: the value at a dotted path, with optional paths to a source
 * timestamp (epoch ms or RFC 3339) and to a quality (good/uncertain/bad or a
 * boolean). Pure; every failure is a classified malformation, never a throw.
 */
import type { MqttJsonPoint, MqttValueType } from '../../config/schema.ts';
import type { Quality } from '../reading.ts';
import { asPointValue, type Decoded, describe, malformed } from './decoded.ts';

export type ParsedJson = { ok: true; document: unknown } | { ok: false; decoded: Decoded };

/** Parsed once per message, then read by every point of the topic. */
export function parseJsonPayload(payload: Uint8Array): ParsedJson {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  try {
    return { ok: true, document: JSON.parse(text) };
  } catch (error) {
    return { ok: false, decoded: malformed('bad_json', `payload is not JSON: ${(error as Error).message}`) };
  }
}

type JsonPointPaths = Pick<MqttJsonPoint, 'value_path' | 'timestamp_path' | 'quality_path'> & {
  readonly type?: MqttValueType;
};

export function decodeJsonPoint(document: unknown, point: JsonPointPaths): Decoded {
  const found = lookup(document, point.value_path);
  if (!found.ok) return malformed('missing_path', `no value at ${point.value_path}`);
  const value = asPointValue(found.value, point.type ?? 'number', point.value_path);
  if (!value.ok) return value;

  let sourceTime: number | undefined;
  if (point.timestamp_path !== undefined) {
    const stamp = lookup(document, point.timestamp_path);
    if (!stamp.ok) return malformed('missing_path', `no timestamp at ${point.timestamp_path}`);
    sourceTime = timeOf(stamp.value);
    if (sourceTime === undefined) {
      const reason = `${point.timestamp_path} is ${describe(stamp.value)}, not epoch milliseconds or an RFC 3339 time`;
      return malformed('wrong_type', reason);
    }
  }

  let quality: Quality | undefined;
  if (point.quality_path !== undefined) {
    const stated = lookup(document, point.quality_path);
    if (!stated.ok) return malformed('missing_path', `no quality at ${point.quality_path}`);
    quality = qualityOf(stated.value);
    if (quality === undefined) {
      const reason = `${point.quality_path} is ${describe(stated.value)}, not good, uncertain, bad or a boolean`;
      return malformed('wrong_type', reason);
    }
  }
  return {
    ok: true,
    value: value.value,
    ...(sourceTime === undefined ? {} : { sourceTime }),
    ...(quality === undefined || quality === 'good'
      ? {}
      : { quality, qualityReason: `the device reports ${quality} quality` }),
  };
}

/** Keys separated by dots; a number indexes an array. */
export function lookup(document: unknown, path: string): { ok: true; value: unknown } | { ok: false } {
  let current: unknown = document;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      const index = Number(key);
      if (index >= current.length) return { ok: false };
      current = current[index];
    } else if (
      typeof current === 'object' &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, key)
    ) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { ok: false };
    }
  }
  return current === undefined ? { ok: false } : { ok: true, value: current };
}

function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function qualityOf(value: unknown): Quality | undefined {
  if (typeof value === 'boolean') return value ? 'good' : 'bad';
  if (typeof value !== 'string') return undefined;
  const word = value.toLowerCase();
  return word === 'good' || word === 'uncertain' || word === 'bad' ? word : undefined;
}

/**
 * The only module of the MQTT adapter that touches protobuf: Sparkplug B payloads to plain
 * objects and back. 64-bit fields are read as decimal strings and become
 * numbers here (beyond 2^53 they lose precision, as any engineering value
 * would in a double anyway).
 */
import protobuf from 'protobufjs';
import { SPARKPLUG_B_PROTO } from './sparkplug-b-proto.ts';

/** Sparkplug B metric data types (the ones the gateway turns into values). */
export const DataType = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
} as const;

export interface SparkplugMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isNull?: boolean;
  value?: number | boolean | string;
}

export interface SparkplugPayload {
  timestamp?: number;
  seq?: number;
  metrics: SparkplugMetric[];
}

const PayloadType = protobuf
  .parse(SPARKPLUG_B_PROTO, { keepCase: false })
  .root.lookupType('org.eclipse.tahu.protobuf.Payload');

type Decoded = Record<string, unknown>;

export function decodeSparkplug(
  bytes: Uint8Array,
): { ok: true; payload: SparkplugPayload } | { ok: false; reason: string } {
  let message: Decoded;
  try {
    message = PayloadType.toObject(PayloadType.decode(bytes), { longs: String }) as Decoded;
  } catch (error) {
    return { ok: false, reason: `not a Sparkplug B payload: ${(error as Error).message}` };
  }
  const metrics = ((message.metrics as Decoded[] | undefined) ?? []).map(metricOf);
  return {
    ok: true,
    payload: {
      metrics,
      ...(typeof message.timestamp === 'string' ? { timestamp: Number(message.timestamp) } : {}),
      ...(typeof message.seq === 'string' ? { seq: Number(message.seq) } : {}),
    },
  };
}

function metricOf(raw: Decoded): SparkplugMetric {
  const metric: SparkplugMetric = {};
  if (typeof raw.name === 'string') metric.name = raw.name;
  if (typeof raw.alias === 'string') metric.alias = Number(raw.alias);
  if (typeof raw.timestamp === 'string') metric.timestamp = Number(raw.timestamp);
  if (typeof raw.datatype === 'number') metric.datatype = raw.datatype;
  if (raw.isNull === true) metric.isNull = true;
  const value = metricValueOf(raw, metric.datatype);
  if (value !== undefined) metric.value = value;
  return metric;
}

/** Signed integer types travel as unsigned fields in two's complement. */
function metricValueOf(raw: Decoded, datatype: number | undefined): number | boolean | string | undefined {
  if (typeof raw.intValue === 'number') {
    const v = raw.intValue;
    if (datatype === DataType.Int8) return (v << 24) >> 24;
    if (datatype === DataType.Int16) return (v << 16) >> 16;
    if (datatype === DataType.Int32) return v | 0;
    return v >>> 0;
  }
  if (typeof raw.longValue === 'string') {
    const v = BigInt(raw.longValue);
    return Number(datatype === DataType.Int64 ? BigInt.asIntN(64, v) : v);
  }
  for (const key of ['floatValue', 'doubleValue', 'booleanValue', 'stringValue']) {
    const v = raw[key];
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  }
  return undefined;
}

export function encodeSparkplug(payload: SparkplugPayload): Uint8Array {
  const metrics = payload.metrics.map((metric) => {
    const out: Decoded = {};
    if (metric.name !== undefined) out.name = metric.name;
    if (metric.alias !== undefined) out.alias = metric.alias;
    if (metric.timestamp !== undefined) out.timestamp = metric.timestamp;
    if (metric.datatype !== undefined) out.datatype = metric.datatype;
    if (metric.isNull) out.isNull = true;
    const v = metric.value;
    if (typeof v === 'boolean') out.booleanValue = v;
    else if (typeof v === 'string') out.stringValue = v;
    else if (typeof v === 'number') {
      if (metric.datatype === DataType.Float) out.floatValue = v;
      else if (metric.datatype === DataType.Double || metric.datatype === undefined) out.doubleValue = v;
      else if (metric.datatype === DataType.Int64 || metric.datatype === DataType.UInt64)
        out.longValue = BigInt.asUintN(64, BigInt(Math.trunc(v))).toString();
      else out.intValue = v >>> 0;
    }
    return out;
  });
  const message = PayloadType.fromObject({
    metrics,
    ...(payload.timestamp === undefined ? {} : { timestamp: payload.timestamp }),
    ...(payload.seq === undefined ? {} : { seq: payload.seq }),
  });
  return PayloadType.encode(message).finish();
}

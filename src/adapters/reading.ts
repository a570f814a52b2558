/** What every adapter emits: one observation of one point. */
import { DEFAULTS } from '../config/defaults.ts';

export type Quality = 'good' | 'uncertain' | 'bad';

export type PointValue = number | boolean;

export interface Reading {
  readonly deviceId: string;
  readonly pointId: string;
  /** Engineering value; null when quality is bad and nothing usable was read. */
  readonly value: PointValue | null;
  readonly quality: Quality;
  /** Why the quality is not good (exception code, decode failure …). */
  readonly qualityReason?: string;
  /** Epoch ms from the device, when the protocol carries one: a time that passed `sourceTimeProblem`. */
  readonly sourceTime?: number;
  /** Epoch ms when the gateway received the value. */
  readonly gatewayTime: number;
  /**
   * The protocol delivered this reading before (an MQTT redelivery after a
   * lost acknowledgement): it may have been evaluated already.
   */
  readonly redelivered?: boolean;
}

/**
 * The times an event can carry. Events give times in RFC 3339, whose years
 * have four digits; a Date reaches further (to the year 275760) but writes
 * such years as "+275760-…", and beyond that it holds no time at all.
 */
/** 0000-01-01T00:00:00.000Z */
const EARLIEST_TIME_MS = -62_167_219_200_000;
/** 9999-12-31T23:59:59.999Z */
const LATEST_TIME_MS = 253_402_300_799_999;

/** Whether epoch ms is a time an event can carry: 0000-01-01 to 9999-12-31 UTC. */
export function isRepresentableTime(epochMs: number): boolean {
  return Number.isFinite(epochMs) && epochMs >= EARLIEST_TIME_MS && epochMs <= LATEST_TIME_MS;
}

/**
 * Why a device's timestamp cannot be the source time of a reading, or
 * undefined when it can. A device that sends seconds, microseconds or
 * nanoseconds where milliseconds belong, a clock that was never set, or a
 * garbled field would otherwise date events decades away, put them in the
 * wrong lakehouse partition and make later redeliveries look older than
 * the state; so a source time further than `toleranceMs` from the gateway's
 * clock, either way, makes the reading bad. One rule for every adapter.
 */
export function sourceTimeProblem(
  sourceTime: number,
  gatewayTime: number,
  toleranceMs: number = DEFAULTS.sourceTimeToleranceMs,
): string | undefined {
  if (!isRepresentableTime(sourceTime)) {
    return `source time ${sourceTime} is no time between the years 0000 and 9999 in epoch milliseconds`;
  }
  const offset = sourceTime - gatewayTime;
  if (Math.abs(offset) <= toleranceMs) return undefined;
  const side = offset > 0 ? 'ahead of' : 'behind';
  return `source time ${new Date(sourceTime).toISOString()} is ${roughly(Math.abs(offset))} ${side} the gateway clock (tolerance ${roughly(toleranceMs)})`;
}

/**
 * The reading as an adapter hands it on: unchanged when its source time
 * passes `sourceTimeProblem`, else bad quality saying why, without that time.
 */
export function screenSourceTime(reading: Reading, toleranceMs?: number): Reading {
  if (reading.sourceTime === undefined) return reading;
  const problem = sourceTimeProblem(reading.sourceTime, reading.gatewayTime, toleranceMs);
  if (problem === undefined) return reading;
  const { sourceTime: _dropped, ...rest } = reading;
  return { ...rest, value: null, quality: 'bad', qualityReason: problem };
}

const UNITS: [string, number][] = [
  ['years', 365.25 * 86_400_000],
  ['days', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** 3 days, 41 years: the size of an offset, for a person. */
function roughly(ms: number): string {
  for (const [unit, size] of UNITS) if (ms >= 2 * size) return `${Math.round(ms / size)} ${unit}`;
  return `${Math.round(ms)} ms`;
}

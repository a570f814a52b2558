/**
 * Plans the reads of one poll: points close to each other are fetched with a
 * single request, because on a real PLC every request costs a round trip
 * while a few unused registers in between cost almost nothing.
 */
import { effectiveDataType, isBitRegister, WORDS } from '../../config/data-types.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import type { ModbusDevice, ModbusPoint, RegisterType } from '../../config/schema.ts';

/** Where a point lives: `words` registers (or bits) from `address` on. */
export interface PlannedPoint {
  readonly id: string;
  readonly register: RegisterType;
  readonly address: number;
  readonly words: number;
}

export interface PlanLimits {
  /** Unused registers (or bits) one request may span to take in the next point. */
  readonly maxGap: number;
  /** Registers per holding/input request; the protocol allows 125. */
  readonly maxRegistersPerRead: number;
  /** Bits per coil/discrete request; the protocol allows 2000. */
  readonly maxBitsPerRead: number;
}

export interface ReadRequest {
  readonly register: RegisterType;
  readonly start: number;
  readonly count: number;
  /** The points the answer holds, `offset` registers (or bits) from `start`. */
  readonly points: readonly { readonly id: string; readonly offset: number; readonly words: number }[];
}

export const PROTOCOL_LIMITS = { registers: 125, bits: 2000 } as const;

/** Request order follows the function codes: coils (1), discrete inputs (2), holding (3), input (4). */
const REGISTER_ORDER: readonly RegisterType[] = ['coil', 'discrete', 'holding', 'input'];

export function plannedPoint(point: ModbusPoint): PlannedPoint {
  const words = WORDS[effectiveDataType(point.register, point.type)];
  return { id: point.id, register: point.register, address: point.address, words };
}

export function planLimits(device: ModbusDevice): PlanLimits {
  return {
    maxGap: device.max_gap ?? DEFAULTS.maxGap,
    maxRegistersPerRead: device.max_registers_per_read ?? DEFAULTS.maxRegistersPerRead,
    maxBitsPerRead: device.max_bits_per_read ?? DEFAULTS.maxBitsPerRead,
  };
}

/**
 * Sweeps each register type in address order and keeps extending the current
 * request while the hole to the next point is at most `maxGap` and the span
 * stays within the limit. Points that overlap (several bits of one word, a
 * float and its low word) share a request. A point is never split; one wider
 * than the limit gets a request of its own, as that is the only way to read it.
 */
export function planReads(points: readonly PlannedPoint[], limits: PlanLimits): ReadRequest[] {
  checkLimits(limits);
  const requests: ReadRequest[] = [];
  for (const register of REGISTER_ORDER) {
    const limit = isBitRegister(register) ? limits.maxBitsPerRead : limits.maxRegistersPerRead;
    const sorted = points
      .filter((point) => point.register === register)
      .sort((a, b) => a.address - b.address || b.words - a.words);
    let group: PlannedPoint[] = [];
    let start = 0;
    let end = 0; // one past the last register the group needs
    for (const point of sorted) {
      const pointEnd = point.address + point.words;
      const hole = point.address - end;
      const joinable = group.length > 0 && hole <= limits.maxGap && Math.max(end, pointEnd) - start <= limit;
      if (!joinable) {
        if (group.length > 0) requests.push(request(register, start, end, group));
        group = [];
        start = point.address;
        end = pointEnd;
      }
      group.push(point);
      end = Math.max(end, pointEnd);
    }
    if (group.length > 0) requests.push(request(register, start, end, group));
  }
  return requests;
}

/** One request per point: what polling costs without planning. */
export function planWithoutCoalescing(points: readonly PlannedPoint[]): ReadRequest[] {
  return points.map((point) => request(point.register, point.address, point.address + point.words, [point]));
}

function request(
  register: RegisterType,
  start: number,
  end: number,
  group: readonly PlannedPoint[],
): ReadRequest {
  return {
    register,
    start,
    count: end - start,
    points: group.map((point) => ({ id: point.id, offset: point.address - start, words: point.words })),
  };
}

function checkLimits(limits: PlanLimits): void {
  const within = (value: number, max: number) => Number.isInteger(value) && value >= 1 && value <= max;
  if (!Number.isInteger(limits.maxGap) || limits.maxGap < 0) {
    throw new RangeError(`maxGap must be a whole number >= 0, got ${limits.maxGap}`);
  }
  if (!within(limits.maxRegistersPerRead, PROTOCOL_LIMITS.registers)) {
    throw new RangeError(
      `maxRegistersPerRead must be 1..${PROTOCOL_LIMITS.registers}, got ${limits.maxRegistersPerRead}`,
    );
  }
  if (!within(limits.maxBitsPerRead, PROTOCOL_LIMITS.bits)) {
    throw new RangeError(`maxBitsPerRead must be 1..${PROTOCOL_LIMITS.bits}, got ${limits.maxBitsPerRead}`);
  }
}

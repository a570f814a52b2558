/**
 * The sites of the footprint comparison and the product's targets for them.
 * Every Modbus point is an alarmed int16 holding register resting at 0 (its
 * high limit is 100), so at rest the gateway does all its work per reading
 * and produces no event.
 */
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import { latencyDevice } from './latency-site.ts';

export interface Targets {
  /** Steady RSS (the largest VmRSS sample of the window). */
  rssMiB?: number;
  /** Spawn → /readyz answering 200. */
  startupMs?: number;
  /** CPU over the window, percent of one core. */
  cpuPercent?: number;
  /** Reads achieved, percent of nominal. */
  readsPercent?: number;
}

interface CaseBase {
  name: string;
  targets: Targets;
}

export interface ModbusCase extends CaseBase {
  kind: 'modbus';
  devices: number;
  pointsPerDevice: number;
  pollIntervalMs: number;
  /** Alarm events per second the plant causes; 0 keeps every value at rest. */
  eventsPerSecond: number;
  /** Whether Telegraf reads the same plant (false: the gateway alone). */
  telegraf: boolean;
}

export interface OpcuaCase extends CaseBase {
  kind: 'opcua';
  items: number;
  samplingMs: number;
}

export type FootprintCase = ModbusCase | OpcuaCase;

/** About what a plant in upset produces: 7 raises and 7 clears a second. */
export const MOVING_EVENTS_PER_SECOND = 14;

export const FOOTPRINT_CASES: readonly FootprintCase[] = [
  {
    kind: 'modbus',
    name: '10 points at 1 s',
    devices: 1,
    pointsPerDevice: 10,
    pollIntervalMs: 1000,
    eventsPerSecond: 0,
    telegraf: true,
    targets: { rssMiB: 60, startupMs: 500, cpuPercent: 0.5 },
  },
  {
    kind: 'modbus',
    name: '1,000 points at 100 ms (4 × 250)',
    devices: 4,
    pointsPerDevice: 250,
    pollIntervalMs: 100,
    eventsPerSecond: 0,
    telegraf: true,
    targets: { rssMiB: 90, startupMs: 1000, readsPercent: 99.5 },
  },
  {
    kind: 'modbus',
    name: '1,000 points at 1 s (4 × 250)',
    devices: 4,
    pointsPerDevice: 250,
    pollIntervalMs: 1000,
    eventsPerSecond: 0,
    telegraf: true,
    targets: { startupMs: 1000 },
  },
  {
    kind: 'modbus',
    name: '10,000 points at 1 s (4 × 2,500)',
    devices: 4,
    pointsPerDevice: 2500,
    pollIntervalMs: 1000,
    eventsPerSecond: 0,
    telegraf: true,
    targets: { rssMiB: 150 },
  },
  {
    kind: 'opcua',
    name: '1,000 OPC UA items sampled every 1 s',
    items: 1000,
    samplingMs: 1000,
    targets: { rssMiB: 150 },
  },
  {
    kind: 'modbus',
    name: `1,000 points at 100 ms with ${MOVING_EVENTS_PER_SECOND} alarm events/s`,
    devices: 4,
    pointsPerDevice: 250,
    pollIntervalMs: 100,
    eventsPerSecond: MOVING_EVENTS_PER_SECOND,
    telegraf: false,
    targets: { readsPercent: 99.5 },
  },
];

export function modbusDevices(plan: ModbusCase): ModbusTcpDevice[] {
  return Array.from({ length: plan.devices }, (_, i) =>
    latencyDevice(i + 1, plan.pointsPerDevice, plan.pollIntervalMs),
  );
}

/** Register values read per second when every poll happens on time. */
export function nominalReadsPerSecond(plan: ModbusCase): number {
  return (plan.devices * plan.pointsPerDevice * 1000) / plan.pollIntervalMs;
}

/** `start-up ≤ 500 ms: meets`, for a figure beside its target. */
export function verdict(value: number, limit: number | undefined, atMost: boolean, unit: string): string {
  if (limit === undefined) return '';
  const ok = atMost ? value <= limit : value >= limit;
  return ` (target ${atMost ? '≤' : '≥'} ${limit}${unit}: ${ok ? 'meets' : 'misses'})`;
}

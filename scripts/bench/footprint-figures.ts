/** What one collector (the gateway or Telegraf) showed in one footprint case, and the waits both share. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FootprintPlant, PlantCounts } from './footprint-plc.ts';
import type { ProcessFootprint } from './footprint-watch.ts';

export interface CollectorFigures {
  footprint: ProcessFootprint;
  /** Spawn → first read request at any simulated PLC. */
  firstPollMs: number | undefined;
  /** Gateway: spawn → /readyz answering 200. Telegraf: spawn → its first record fetched from Kafka. */
  readyMs: number | undefined;
  /** Spawn → the first line it wrote. */
  firstLogMs: number | undefined;
  /** Register values read per second over the window, as the collector itself counts them. */
  readsPerSecond: number | undefined;
  /**
   * Seen from the simulated PLCs over the window: requests and registers answered per second, and points
   * read per second from the poll rate (see FootprintPlant.readsPerSecond).
   */
  plc: { requestsPerSecond: number; registersPerSecond: number; readsPerSecond: number } | undefined;
  /** Gateway only, from its /metrics at the end of the window: V8 heap used and total, and external memory. */
  heap?: { used: number; total: number; external: number };
  /** Gateway only: alarm events committed per second over the window. */
  eventsPerSecond?: number;
  /** Gateway with an OPC UA device: subscription deliveries per second (batches of notifications). */
  deliveriesPerSecond?: number;
}

export interface WindowPlan {
  /** Time after start-up before the window opens, so start-up costs stay out of the steady figures. */
  settleSeconds: number;
  windowSeconds: number;
}

export function plcRates(
  plant: FootprintPlant,
  before: PlantCounts & { at: number },
  after: PlantCounts & { at: number },
): CollectorFigures['plc'] {
  const seconds = (after.at - before.at) / 1000;
  return {
    requestsPerSecond: (after.requests - before.requests) / seconds,
    registersPerSecond: (after.registers - before.registers) / seconds,
    readsPerSecond: plant.readsPerSecond(before.at, after.at),
  };
}

/** The plant's counters and the instant they were read, at one end of a window. */
export function plantMark(plant: FootprintPlant): PlantCounts & { at: number } {
  return { ...plant.counts(), at: performance.now() };
}

/** Polls `found` every few ms until it returns a value; fails early when the process ended. */
export async function waitFor<T>(
  found: () => T | undefined,
  what: string,
  timeoutMs: number,
  exited: () => string | undefined,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    const why = exited();
    if (why !== undefined) throw new Error(`${what}: the process ended first (${why})`);
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

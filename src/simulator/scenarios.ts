/**
 * How a simulated point changes over time. Pure: a value is a function of the
 * scenario and the time since it began, so tests can ask for any instant.
 */
import type { PointValue } from '../adapters/reading.ts';

export type Scenario =
  | { readonly kind: 'constant'; readonly value: PointValue }
  /** Triangle wave: min at t = 0, max half a period later, back to min after a period. */
  | {
      readonly kind: 'ramp';
      readonly min: number;
      readonly max: number;
      readonly period_ms: number;
      readonly phase_ms?: number;
    }
  /** Holds the value of the last step reached; before the first step, the first value. */
  | {
      readonly kind: 'step';
      readonly steps: readonly { readonly at_ms: number; readonly value: PointValue }[];
    }
  /** base ± amplitude, drifting smoothly to a new seeded random value every interval_ms. */
  | {
      readonly kind: 'noise';
      readonly base: number;
      readonly amplitude: number;
      readonly seed?: number;
      readonly interval_ms?: number;
    }
  /** A frozen sensor: holds `value`, or the value the point had when the scenario began. */
  | { readonly kind: 'stuck'; readonly value?: PointValue }
  /** Boolean toggle: true for the first `duty` fraction of each period. */
  | {
      readonly kind: 'square';
      readonly period_ms: number;
      readonly duty?: number;
      readonly phase_ms?: number;
    };

const DEFAULT_NOISE_INTERVAL_MS = 1000;

/** `current` is what a stuck scenario without a value of its own holds. */
export function valueAt(scenario: Scenario, tMs: number, current: PointValue = 0): PointValue {
  switch (scenario.kind) {
    case 'constant':
      return scenario.value;
    case 'ramp': {
      const position = cyclePosition(tMs + (scenario.phase_ms ?? 0), scenario.period_ms);
      const rising = position < 0.5 ? position * 2 : 2 - position * 2;
      return scenario.min + (scenario.max - scenario.min) * rising;
    }
    case 'step': {
      let value = scenario.steps[0]?.value ?? 0;
      for (const step of scenario.steps) if (step.at_ms <= tMs) value = step.value;
      return value;
    }
    case 'noise': {
      const interval = Math.max(1, scenario.interval_ms ?? DEFAULT_NOISE_INTERVAL_MS);
      const index = Math.floor(tMs / interval);
      const fraction = tMs / interval - index;
      const seed = scenario.seed ?? 1;
      const from = unitNoise(seed, index);
      const to = unitNoise(seed, index + 1);
      return scenario.base + scenario.amplitude * (from + (to - from) * fraction);
    }
    case 'stuck':
      return scenario.value ?? current;
    case 'square':
      return cyclePosition(tMs + (scenario.phase_ms ?? 0), scenario.period_ms) < (scenario.duty ?? 0.5);
  }
}

/** Where in its cycle `tMs` falls, 0 (inclusive) to 1 (exclusive); negative times wrap too. */
function cyclePosition(tMs: number, periodMs: number): number {
  if (!(periodMs > 0)) return 0;
  return (((tMs % periodMs) + periodMs) % periodMs) / periodMs;
}

/**
 * A repeatable pseudo-random number in [-1, 1] for each (seed, index): an
 * integer hash, so no generator state has to be carried between calls.
 */
export function unitNoise(seed: number, index: number): number {
  let h = Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return ((h >>> 0) / 0xffff_ffff) * 2 - 1;
}

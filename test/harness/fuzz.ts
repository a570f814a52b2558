/**
 * Time budget of the property-based fuzz tests (`*.fuzz.test.ts`). In the
 * suite each property runs for a few seconds so the whole fuzz set stays
 * within a minute or two; `npm run fuzz -- --minutes N` sets FUZZ_MINUTES and
 * each property then runs for N minutes. A failure prints fast-check's seed
 * and path, which replay it (`FUZZ_SEED`, `FUZZ_PATH`).
 */
import type fc from 'fast-check';

const SUITE_SECONDS_PER_PROPERTY = 6;

function secondsPerProperty(): number {
  const minutes = Number(process.env.FUZZ_MINUTES);
  return Number.isFinite(minutes) && minutes > 0 ? minutes * 60 : SUITE_SECONDS_PER_PROPERTY;
}

/** fast-check parameters for one fuzz property: as many runs as fit in the budget. */
export function fuzzBudget<T>(overrides: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seconds = secondsPerProperty();
  const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
  const path = process.env.FUZZ_PATH === undefined ? {} : { path: process.env.FUZZ_PATH };
  return {
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: seconds * 1000,
    markInterruptAsFailure: false,
    ...seed,
    ...path,
    ...overrides,
  };
}

/** The node:test timeout for a fuzz test: its budget plus room for set-up. */
export function fuzzTimeoutMs(properties = 1): number {
  return (secondsPerProperty() * properties + 60) * 1000;
}

/**
 * The current value of each simulated point: set directly, or driven by a
 * scenario from the moment it was set. Shared by the simulators that publish
 * (MQTT), which read every value at each publish.
 */
import type { PointValue } from '../adapters/reading.ts';
import { type Scenario, valueAt } from './scenarios.ts';

export class PointValues {
  readonly #values = new Map<string, PointValue>();
  readonly #scenarios = new Map<string, { scenario: Scenario; startedAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  set(pointId: string, value: PointValue): void {
    this.#scenarios.delete(pointId);
    this.#values.set(pointId, value);
  }

  setScenario(pointId: string, scenario: Scenario): void {
    // A stuck sensor holds what the point showed when it got stuck.
    const current = this.get(pointId);
    const frozen =
      scenario.kind === 'stuck' && scenario.value === undefined ? { ...scenario, value: current } : scenario;
    this.#scenarios.set(pointId, { scenario: frozen, startedAt: this.#now() });
  }

  get(pointId: string, fallback: PointValue = 0): PointValue {
    const driven = this.#scenarios.get(pointId);
    if (driven)
      return valueAt(driven.scenario, this.#now() - driven.startedAt, this.#values.get(pointId) ?? fallback);
    return this.#values.get(pointId) ?? fallback;
  }
}

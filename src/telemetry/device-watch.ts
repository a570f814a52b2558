/**
 * Watches each device's polls and readings for the metrics and the status
 * page: how long polls take, the latest quality of every point and when the
 * device last gave a good value. Implements the runner's observer, so the
 * runner never knows telemetry is there.
 */
import type { RunnerObserver } from '../adapters/adapter.ts';
import type { Quality, Reading } from '../adapters/reading.ts';

export interface DeviceReadings {
  /** Epoch ms of the last reading of good quality. */
  lastGoodReadAt?: number;
  /** How many points are good, uncertain or bad by their latest reading. */
  qualities: Record<Quality, number>;
}

export class DeviceWatch implements RunnerObserver {
  readonly #latest = new Map<string, Map<string, Quality>>();
  readonly #lastGood = new Map<string, number>();
  readonly #onPoll: (deviceId: string, durationMs: number, ok: boolean) => void;
  readonly #now: () => number;

  constructor(
    onPoll: (deviceId: string, durationMs: number, ok: boolean) => void = () => {},
    now: () => number = Date.now,
  ) {
    this.#onPoll = onPoll;
    this.#now = now;
  }

  polled(deviceId: string, durationMs: number, ok: boolean): void {
    this.#onPoll(deviceId, durationMs, ok);
  }

  /** Points not read yet count as bad, so a device never reached shows all of its points bad. */
  points(deviceId: string, pointIds: readonly string[]): void {
    const latest = this.#latest.get(deviceId) ?? new Map<string, Quality>();
    this.#latest.set(deviceId, latest);
    for (const pointId of pointIds) if (!latest.has(pointId)) latest.set(pointId, 'bad');
  }

  readings(deviceId: string, readings: readonly Reading[]): void {
    let points = this.#latest.get(deviceId);
    if (!points) {
      points = new Map();
      this.#latest.set(deviceId, points);
    }
    for (const reading of readings) {
      points.set(reading.pointId, reading.quality);
      if (reading.quality === 'good') this.#lastGood.set(deviceId, this.#now());
    }
  }

  /**
   * A device that is down has no current value for any point: its points
   * count as bad, whatever their last reading was.
   */
  of(deviceId: string, up = true): DeviceReadings {
    const qualities: Record<Quality, number> = { good: 0, uncertain: 0, bad: 0 };
    for (const quality of this.#latest.get(deviceId)?.values() ?? []) qualities[up ? quality : 'bad'] += 1;
    const lastGoodReadAt = this.#lastGood.get(deviceId);
    return lastGoodReadAt === undefined ? { qualities } : { qualities, lastGoodReadAt };
  }
}

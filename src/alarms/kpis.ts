/**
 * Alarm performance figures (ISA-18.2 / EEMUA 191) for the metrics endpoint:
 * alarms annunciated per 10 minutes per area, the share of time each area
 * spent in flood, the most frequent alarms, standing (active longer than a
 * day) and shelved alarms, and the alarms active now by priority. Counted
 * since the gateway started; the flags come from the alarm states.
 */
import { ALARM_DEFAULTS } from '../config/alarm-defaults.ts';
import type { Priority } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import { priorityOf } from './event-draft.ts';
import type { FloodState } from './flood.ts';
import { limitsOf } from './limit-rules.ts';
import { levelSetting } from './limits.ts';
import { type AlarmState, isHidden } from './state.ts';

const TEN_MINUTES = 600_000;
const TOP = 10;

export interface KpiSnapshot {
  /** Annunciated alarms in the last 10 minutes, per area. */
  annunciatedPer10Min: Record<string, number>;
  /** Percent of the time since start each area spent in flood. */
  floodPercent: Record<string, number>;
  /** Areas in flood now. */
  inFlood: string[];
  /** The alarms annunciated most often since start. */
  topAlarms: { condition_id: string; count: number }[];
  /** Active (shown) alarms by priority. */
  activeByPriority: Record<Priority, number>;
  unacknowledged: number;
  /** Active longer than 24 hours. */
  standing: number;
  shelved: number;
  suppressed: number;
  outOfService: number;
}

export class AlarmKpis {
  readonly #startedAt: number;
  readonly #recent = new Map<string, number[]>();
  readonly #counts = new Map<string, number>();
  readonly #floodSince = new Map<string, number>();
  readonly #floodMs = new Map<string, number>();

  constructor(startedAt: number) {
    this.#startedAt = startedAt;
  }

  annunciated(conditionId: string, area: string, now: number): void {
    this.#counts.set(conditionId, (this.#counts.get(conditionId) ?? 0) + 1);
    const recent = (this.#recent.get(area) ?? []).filter((time) => time > now - TEN_MINUTES);
    recent.push(now);
    this.#recent.set(area, recent);
  }

  floodStarted(area: string, at: number): void {
    // A flood restored from the buffer counts from the gateway's start: the time before is not this run's.
    this.#floodSince.set(area, Math.max(at, this.#startedAt));
  }

  floodEnded(area: string, at: number): void {
    const since = this.#floodSince.get(area);
    if (since === undefined) return;
    this.#floodMs.set(area, (this.#floodMs.get(area) ?? 0) + (at - since));
    this.#floodSince.delete(area);
  }

  snapshot(
    now: number,
    states: ReadonlyMap<string, AlarmState>,
    definitions: ReadonlyMap<string, AlarmDefinition>,
    floods: ReadonlyMap<string, FloodState>,
  ): KpiSnapshot {
    const annunciatedPer10Min: Record<string, number> = {};
    for (const [area, times] of this.#recent) {
      annunciatedPer10Min[area] = times.filter((time) => time > now - TEN_MINUTES).length;
    }
    const elapsed = Math.max(1, now - this.#startedAt);
    const floodPercent: Record<string, number> = {};
    for (const area of new Set([...this.#floodMs.keys(), ...this.#floodSince.keys()])) {
      const running = this.#floodSince.has(area) ? now - (this.#floodSince.get(area) as number) : 0;
      floodPercent[area] = (((this.#floodMs.get(area) ?? 0) + running) / elapsed) * 100;
    }
    const snapshot: KpiSnapshot = {
      annunciatedPer10Min,
      floodPercent,
      inFlood: [...floods].filter(([, flood]) => flood.since !== undefined).map(([area]) => area),
      topAlarms: [...this.#counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP)
        .map(([condition_id, count]) => ({ condition_id, count })),
      activeByPriority: { critical: 0, high: 0, medium: 0, low: 0, diagnostic: 0 },
      unacknowledged: 0,
      standing: 0,
      shelved: 0,
      suppressed: 0,
      outOfService: 0,
    };
    for (const [conditionId, state] of states) {
      const { flags } = state;
      if (flags.shelved) snapshot.shelved += 1;
      if (flags.suppressed) snapshot.suppressed += 1;
      if (flags.out_of_service) snapshot.outOfService += 1;
      if (!flags.acked) snapshot.unacknowledged += 1;
      if (!flags.active || isHidden(flags)) continue;
      const def = definitions.get(conditionId);
      if (def) snapshot.activeByPriority[activePriority(def, state)] += 1;
      if (state.activeSince !== undefined && now - state.activeSince >= ALARM_DEFAULTS.standingMs)
        snapshot.standing += 1;
    }
    return snapshot;
  }
}

/** The priority of the level the alarm is in, else the rule's. */
export function activePriority(def: AlarmDefinition, state: AlarmState): Priority {
  const limits = limitsOf(def);
  const setting = limits && state.flags.level ? levelSetting(limits, state.flags.level) : undefined;
  return priorityOf(def, setting);
}

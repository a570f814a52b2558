/**
 * The flood state of every area of the site: counts the raises each commit
 * annunciates, and turns a flood starting or ending into its event, to be
 * committed with them. flood.ts decides; this keeps the areas and their
 * performance figures.
 */
import type { AlarmEventDraft } from './event.ts';
import { type FloodBounds, type FloodState, floodStep } from './flood.ts';
import type { AlarmKpis } from './kpis.ts';
import { floodDraft, type GatewayIdentity } from './system-event.ts';

/** Area flood states are kept with the alarm states, under an id no alarm can have. */
const PREFIX = '_flood/';

export function floodKey(area: string): string {
  return `${PREFIX}${area}`;
}

/** The area of a stored flood state, or undefined for a key that is not one. */
export function floodArea(key: string): string | undefined {
  return key.startsWith(PREFIX) ? key.slice(PREFIX.length) : undefined;
}

export interface FloodOutcome {
  /** Flood states to commit, by key. */
  changes: Map<string, FloodState>;
  /** flood_start and flood_end events. */
  drafts: AlarmEventDraft[];
  /** Areas whose flood ended: their flood-suppressed alarms show again. */
  ended: string[];
  /** The states before, to roll back if the commit fails. */
  previous: Map<string, FloodState>;
}

export class AreaFloods {
  readonly #floods = new Map<string, FloodState>();
  readonly #bounds: FloodBounds;
  readonly #identity: GatewayIdentity;
  readonly #kpis: AlarmKpis;

  constructor(bounds: FloodBounds, identity: GatewayIdentity, kpis: AlarmKpis) {
    this.#bounds = bounds;
    this.#identity = identity;
    this.#kpis = kpis;
  }

  restore(area: string, state: FloodState): void {
    this.#floods.set(area, state);
    if (state.since !== undefined) this.#kpis.floodStarted(area, state.since);
  }

  inFlood(area: string): boolean {
    return this.#floods.get(area)?.since !== undefined;
  }

  get states(): ReadonlyMap<string, FloodState> {
    return this.#floods;
  }

  /** Counts the raises among `drafts`; with none it only lets the windows slide. */
  note(drafts: readonly AlarmEventDraft[], now: number, newId: () => string): FloodOutcome {
    const outcome: FloodOutcome = { changes: new Map(), drafts: [], ended: [], previous: new Map() };
    const raises = new Map<string, number[]>();
    for (const draft of drafts) {
      if (draft.kind === 'system' || (draft.transition !== 'raise' && draft.transition !== 'realarm'))
        continue;
      this.#kpis.annunciated(draft.condition_id, draft.area, now);
      raises.set(draft.area, [...(raises.get(draft.area) ?? []), now]);
    }
    const sliding = [...this.#floods].filter(([, flood]) => flood.raises.length > 0).map(([area]) => area);
    for (const area of new Set([...raises.keys(), ...sliding])) {
      const before = this.#floods.get(area) ?? { raises: [] };
      const step = floodStep(before, raises.get(area) ?? [], now, this.#bounds);
      this.#floods.set(area, step.state);
      outcome.previous.set(area, before);
      if (raises.has(area) || step.change || step.state.raises.length !== before.raises.length) {
        outcome.changes.set(floodKey(area), step.state);
      }
      if (!step.change) continue;
      const { started, alarms } = step.change;
      outcome.drafts.push(floodDraft(this.#identity, area, started, { alarms, ...this.#bounds }, now, newId));
      if (started) this.#kpis.floodStarted(area, now);
      else {
        this.#kpis.floodEnded(area, now);
        outcome.ended.push(area);
      }
    }
    return outcome;
  }

  rollBack(previous: ReadonlyMap<string, FloodState>): void {
    for (const [area, state] of previous) this.#floods.set(area, state);
  }
}

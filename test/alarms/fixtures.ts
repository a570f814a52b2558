import assert from 'node:assert/strict';
import type { PointValue, Quality, Reading } from '../../src/adapters/reading.ts';
import type { AlarmDefinition } from '../../src/alarms/definition.ts';
import { type Evaluation, evaluate, tick } from '../../src/alarms/engine.ts';
import type { AlarmEventDraft } from '../../src/alarms/event.ts';
import { NO_CONTEXT, type ReadingContext } from '../../src/alarms/observe.ts';
import { applyCommand, type CommandRequest } from '../../src/alarms/operator.ts';
import { type AlarmState, initialState, type SuppressionCause } from '../../src/alarms/state.ts';
import { setSuppression } from '../../src/alarms/suppression.ts';
import type { AlarmRule, DiscreteRule, LimitRule } from '../../src/config/schema.ts';

/** 2026-01-02T03:04:05.000Z: a round time so expected timestamps read easily. */
export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);

const place = {
  gatewayId: 'gw-1',
  site: 'plant',
  area: 'utilities',
  line: 'steam',
  asset: 'boiler-1',
  device: 'boiler-plc',
};

/**
 * A limit alarm on drum_pressure (bar): HH 12, H 10, L 2, LL 1 unless the test
 * says otherwise; `unit: null` for a point without a unit.
 */
export function limitDef(rule: Partial<LimitRule> = {}, unit: string | null = 'bar'): AlarmDefinition {
  const full: LimitRule = {
    id: 'pressure',
    kind: 'limit',
    HH: { value: 12 },
    H: { value: 10 },
    L: { value: 2 },
    LL: { value: 1 },
    ...rule,
  };
  return {
    ...place,
    conditionId: `plant/utilities/steam/boiler-1/drum_pressure/${full.id}`,
    kind: 'limit',
    rule: full,
    point: 'drum_pressure',
    ...(unit === null ? {} : { unit }),
  };
}

export function discreteDef(rule: Partial<DiscreteRule> = {}): AlarmDefinition {
  const full: DiscreteRule = { id: 'trip', kind: 'discrete', ...rule };
  return {
    ...place,
    conditionId: `plant/utilities/steam/boiler-1/burner_trip/${full.id}`,
    kind: 'discrete',
    rule: full,
    point: 'burner_trip',
  };
}

/** Any rule on the drum_pressure point, with extra definition fields (reference, chatter …). */
export function ruleDef(rule: AlarmRule, extra: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    ...place,
    conditionId: `plant/utilities/steam/boiler-1/drum_pressure/${rule.id}`,
    kind: rule.kind,
    rule,
    point: 'drum_pressure',
    ...extra,
  };
}

export function commDef(): AlarmDefinition {
  return {
    ...place,
    conditionId: 'plant/utilities/steam/boiler-1/boiler-plc/comm_loss',
    kind: 'comm',
    rule: { id: 'comm_loss', kind: 'discrete', alarm_when: true, priority: 'high' },
    point: 'boiler-plc',
  };
}

export interface ReadingOptions {
  quality?: Quality;
  /** Absolute epoch ms, like the device would send. */
  sourceTime?: number;
  /** Absolute epoch ms; the step time unless given. */
  gatewayTime?: number;
}

export function reading(value: PointValue | null, at: number, options: ReadingOptions = {}): Reading {
  return {
    deviceId: 'boiler-plc',
    pointId: 'drum_pressure',
    value,
    quality: options.quality ?? 'good',
    gatewayTime: options.gatewayTime ?? at,
    ...(options.sourceTime === undefined ? {} : { sourceTime: options.sourceTime }),
  };
}

/** Ids that tell the order they were drawn in: id-1, id-2 … */
export function sequentialIds(start = 0): () => string {
  let next = start;
  return () => {
    next += 1;
    return `id-${next}`;
  };
}

/**
 * Drives one alarm through a scenario. Every step also runs on the state after
 * a JSON round trip and on a frozen state: a persisted state must decide
 * exactly what the live one decides, and the engine must never modify its input.
 */
export class Scenario {
  readonly def: AlarmDefinition;
  state: AlarmState;
  readonly events: AlarmEventDraft[] = [];
  #ids = 0;

  constructor(def: AlarmDefinition, state: AlarmState = initialState(def)) {
    this.def = def;
    this.state = state;
  }

  /** Feeds a reading at `at` ms after T0 (gateway time and now) and returns the events it produced. */
  read(
    value: PointValue | null,
    at: number,
    options: ReadingOptions = {},
    context: ReadingContext = NO_CONTEXT,
  ): AlarmEventDraft[] {
    const r = reading(value, T0 + at, options);
    return this.#step((state, newId) => evaluate(this.def, state, r, T0 + at, newId, context));
  }

  /** Ticks at `at` (offset from T0). */
  tick(at: number): AlarmEventDraft[] {
    return this.#step((state, newId) => tick(this.def, state, T0 + at, newId));
  }

  /** Applies an operator command at `at`; returns the refusal reason, or the events. */
  command(
    request: Omit<CommandRequest, 'actor'> & { actor?: string; comment?: string },
    at: number,
    maxShelveMs = 3_600_000,
  ): AlarmEventDraft[] | string {
    const actor = { actor: request.actor ?? 'op', ...(request.comment ? { comment: request.comment } : {}) };
    const full: CommandRequest = { ...request, actor };
    const probe = applyCommand(this.def, this.state, full, T0 + at, sequentialIds(this.#ids), maxShelveMs);
    if (!probe.accepted) return probe.reason;
    return this.#step((state, newId) => {
      const result = applyCommand(this.def, state, full, T0 + at, newId, maxShelveMs);
      if (!result.accepted) throw new Error(result.reason);
      return result.evaluation;
    });
  }

  /** Sets or lifts one cause of suppression at `at`. */
  suppress(cause: SuppressionCause, on: boolean, at: number): AlarmEventDraft[] {
    return this.#step((state, newId) => setSuppression(this.def, state, cause, on, T0 + at, newId, 'test'));
  }

  /** The transitions so far, as `transition:level` (level only for limit alarms). */
  get transitions(): string[] {
    return this.events.map((event) =>
      event.state.level ? `${event.transition}:${event.state.level}` : event.transition,
    );
  }

  #step(run: (state: AlarmState, newId: () => string) => Evaluation): AlarmEventDraft[] {
    const before = JSON.stringify(this.state);
    const live = run(deepFreeze(structuredClone(this.state)), sequentialIds(this.#ids));
    const restored = run(JSON.parse(before) as AlarmState, sequentialIds(this.#ids));
    assert.deepEqual(restored, live, 'a JSON round trip of the state changes the outcome');
    assert.deepEqual(JSON.parse(JSON.stringify(live.state)), live.state, 'the state is not plain JSON');
    this.#ids += live.events.length;
    this.state = live.state;
    this.events.push(...live.events);
    return live.events;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

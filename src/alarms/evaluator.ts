/**
 * Feeds readings to the pure alarm engine and hands what it decided to the
 * store in one commit: the states that changed together with their events.
 * State that produced no event (a running on-delay, the last sample) stays in
 * memory; losing it on a crash only restarts a delay.
 */
import type { Reading } from '../adapters/reading.ts';
import type { StateChange } from '../buffer/outbox.ts';
import { GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type CompiledAlarms, templateAlarms } from './compile.ts';
import type { AlarmDefinition } from './definition.ts';
import { pointKey } from './definition.ts';
import { type Evaluation, evaluate, tick } from './engine.ts';
import type { AlarmEvent, AlarmEventDraft } from './event.ts';
import { type AlarmState, initialState, restoreState } from './state.ts';

export interface AlarmEvaluatorOptions {
  alarms: CompiledAlarms;
  /** States restored from the buffer, by condition id. */
  restored: ReadonlyMap<string, unknown>;
  commit: (changes: StateChange[], drafts: AlarmEventDraft[]) => AlarmEvent[];
  newId: () => string;
  logger: Logger;
  now?: () => number;
}

export class AlarmEvaluator {
  readonly #options: AlarmEvaluatorOptions;
  readonly #now: () => number;
  readonly #states = new Map<string, AlarmState>();
  /** Alarms of concrete points of templates, created on their first reading. */
  readonly #instantiated = new Map<string, AlarmDefinition[]>();
  readonly #definitions: AlarmDefinition[];
  #committed = 0;

  constructor(options: AlarmEvaluatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#definitions = [...options.alarms.all];
    for (const def of options.alarms.all) this.#restore(def);
  }

  #restore(def: AlarmDefinition): void {
    const saved = this.#options.restored.get(def.conditionId);
    const restored = saved === undefined ? undefined : restoreState(def, saved);
    if (saved !== undefined && restored === undefined) {
      const error = new GatewayError('ALARM_STATE', def.conditionId);
      this.#options.logger.warn({ code: error.code, condition_id: def.conditionId }, error.describe());
    }
    this.#states.set(def.conditionId, restored ?? initialState(def));
  }

  #definitionsOf(deviceId: string, pointId: string): readonly AlarmDefinition[] {
    const key = pointKey(deviceId, pointId);
    const known = this.#options.alarms.byPoint.get(key) ?? this.#instantiated.get(key);
    if (known) return known;
    if (!this.#options.alarms.templates.has(deviceId)) return [];
    const defs = templateAlarms(this.#options.alarms, deviceId, pointId);
    for (const def of defs) this.#restore(def);
    this.#definitions.push(...defs);
    this.#instantiated.set(key, defs);
    return defs;
  }

  get eventsCommitted(): number {
    return this.#committed;
  }

  /** Returns false when the events these readings produced could not be committed. */
  readings(readings: readonly Reading[]): boolean {
    const now = this.#now();
    const batch = new Batch();
    for (const reading of readings) {
      const time = reading.sourceTime ?? reading.gatewayTime;
      for (const def of this.#definitionsOf(reading.deviceId, reading.pointId)) {
        if (reading.redelivered && time < (this.#states.get(def.conditionId)?.sampleTime ?? time)) continue;
        this.#apply(batch, def, (state) =>
          stamped(evaluate(def, state, reading, now, this.#options.newId), time),
        );
      }
    }
    return this.#flush(batch);
  }

  communication(deviceId: string, lost: boolean, _detail: string, at: number): void {
    const def = this.#options.alarms.commByDevice.get(deviceId);
    if (!def) return;
    const reading: Reading = { deviceId, pointId: def.point, value: lost, quality: 'good', gatewayTime: at };
    const batch = new Batch();
    this.#apply(batch, def, (state) => evaluate(def, state, reading, this.#now(), this.#options.newId));
    this.#flush(batch);
  }

  /** Fires on-delays and off-delays that came due without a new reading. */
  tick(): void {
    const now = this.#now();
    const batch = new Batch();
    for (const def of this.#definitions) {
      this.#apply(batch, def, (state) => tick(def, state, now, this.#options.newId));
    }
    this.#flush(batch);
  }

  #apply(batch: Batch, def: AlarmDefinition, step: (state: AlarmState) => Evaluation): void {
    const current = this.#states.get(def.conditionId) ?? initialState(def);
    const { state, events } = step(current);
    this.#states.set(def.conditionId, state);
    if (events.length > 0) {
      if (!batch.previous.has(def.conditionId)) batch.previous.set(def.conditionId, current);
      batch.changes.set(def.conditionId, state);
      batch.drafts.push(...events);
    }
  }

  #flush(batch: Batch): boolean {
    if (batch.drafts.length === 0) return true;
    const changes = [...batch.changes].map(([conditionId, state]) => ({ conditionId, state }));
    let events: AlarmEvent[];
    try {
      events = this.#options.commit(changes, batch.drafts);
    } catch (error) {
      // Not committed means not happened: roll the states back so the next
      // reading or tick decides the same transitions again, and nothing is lost.
      for (const [conditionId, state] of batch.previous) this.#states.set(conditionId, state);
      const described = error instanceof GatewayError ? error.describe() : String(error);
      this.#options.logger.error({ events: batch.drafts.length }, described);
      return false;
    }
    this.#committed += events.length;
    for (const event of events) {
      this.#options.logger.info(
        {
          seq: event.seq,
          condition_id: event.condition_id,
          transition: event.transition,
          priority: event.priority,
          value: event.value,
        },
        event.message,
      );
    }
    return true;
  }
}

/** Keeps the newest reading time with the state, so a stale redelivery can be told apart. */
function stamped(evaluation: Evaluation, time: number): Evaluation {
  const previous = evaluation.state.sampleTime;
  const sampleTime = previous === undefined ? time : Math.max(previous, time);
  return { ...evaluation, state: { ...evaluation.state, sampleTime } };
}

class Batch {
  readonly previous = new Map<string, AlarmState>();
  readonly changes = new Map<string, AlarmState>();
  readonly drafts: AlarmEventDraft[] = [];
}

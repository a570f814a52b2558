/**
 * Feeds readings to the pure alarm engine and hands what it decided to the
 * store in one commit: the states that changed together with their events.
 * State that produced no event (a running on-delay, the last sample) stays in
 * memory; losing it on a crash only restarts a delay.
 */
import type { ConditionReport } from '../adapters/condition-report.ts';
import type { Reading } from '../adapters/reading.ts';
import type { StateChange } from '../buffer/outbox.ts';
import { GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type CompiledAlarms, templateAlarms } from './compile.ts';
import type { AlarmDefinition } from './definition.ts';
import { pointKey } from './definition.ts';
import { type Evaluation, evaluate, tick } from './engine.ts';
import type { AlarmEvent, AlarmEventDraft } from './event.ts';
import {
  evaluateNative,
  type NativeEvaluation,
  type NativeState,
  nativeConditionId,
  restoreNativeState,
  vanishedNative,
} from './native.ts';
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
  /** Conditions devices keep themselves, by condition id; persisted like rule states so a restart knows what was published. */
  readonly #native = new Map<string, NativeState>();
  /** Alarms of concrete points of templates, created on their first reading. */
  readonly #instantiated = new Map<string, AlarmDefinition[]>();
  #alarms: CompiledAlarms;
  #definitions: AlarmDefinition[];
  #committed = 0;
  /** The error code of the commit failures in progress, if any. */
  #failing: string | undefined;

  constructor(options: AlarmEvaluatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#alarms = options.alarms;
    this.#definitions = [...options.alarms.all];
    for (const def of options.alarms.all) this.#restore(def);
    // What is left is native conditions, or alarms of template points, restored on their first reading.
    for (const [conditionId, saved] of options.restored) {
      if (this.#states.has(conditionId)) continue;
      const native = restoreNativeState(saved);
      if (native && options.alarms.nativeByDevice.has(native.device)) this.#native.set(conditionId, native);
    }
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
    const known = this.#alarms.byPoint.get(key) ?? this.#instantiated.get(key);
    if (known) return known;
    if (!this.#alarms.templates.has(deviceId)) return [];
    const defs = templateAlarms(this.#alarms, deviceId, pointId);
    for (const def of defs) this.#restore(def);
    this.#definitions.push(...defs);
    this.#instantiated.set(key, defs);
    return defs;
  }

  /**
   * Takes the alarms of a reloaded site file. Alarms of devices that did not
   * change keep their state as it is; those of changed devices keep their
   * flags (active, acked, shelved ...) where the alarm still exists and the
   * flags still fit its rule, so a reload raises or clears nothing by itself.
   * New alarms start from what the buffer last stored for them, if anything.
   */
  redefine(
    alarms: CompiledAlarms,
    changedDevices: ReadonlySet<string>,
    restored: ReadonlyMap<string, unknown>,
  ): void {
    const previous = this.#states;
    const kept = new Map<string, AlarmState>();
    for (const [key, defs] of this.#instantiated) {
      const device = defs[0]?.device;
      if (device === undefined || changedDevices.has(device) || !alarms.templates.has(device)) {
        this.#instantiated.delete(key);
      }
    }
    const definitions = [...alarms.all, ...[...this.#instantiated.values()].flat()];
    for (const def of definitions) {
      const state = previous.get(def.conditionId);
      if (state === undefined) {
        const saved = restored.get(def.conditionId);
        kept.set(
          def.conditionId,
          (saved === undefined ? undefined : restoreState(def, saved)) ?? initialState(def),
        );
      } else if (!changedDevices.has(def.device)) kept.set(def.conditionId, state);
      else kept.set(def.conditionId, restoreState(def, state) ?? initialState(def));
    }
    previous.clear();
    for (const [conditionId, state] of kept) previous.set(conditionId, state);
    for (const [conditionId, state] of this.#native) {
      if (!alarms.nativeByDevice.has(state.device)) this.#native.delete(conditionId);
    }
    this.#alarms = alarms;
    this.#definitions = definitions;
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
    const def = this.#alarms.commByDevice.get(deviceId);
    if (!def) return;
    const reading: Reading = { deviceId, pointId: def.point, value: lost, quality: 'good', gatewayTime: at };
    const batch = new Batch();
    this.#apply(batch, def, (state) => evaluate(def, state, reading, this.#now(), this.#options.newId));
    this.#flush(batch);
  }

  /**
   * Conditions a device reported about its own alarms. After a complete
   * refresh, an active condition the device no longer mentions has cleared
   * while nobody was watching.
   */
  conditions(deviceId: string, reports: readonly ConditionReport[], refresh: boolean): boolean {
    const place = this.#alarms.nativeByDevice.get(deviceId);
    if (!place) return true;
    const now = this.#now();
    const batch = new Batch();
    const reported = new Set<string>();
    for (const report of reports) {
      const { conditionId } = nativeConditionId(place, report);
      reported.add(conditionId);
      this.#applyNative(batch, conditionId, (previous) =>
        evaluateNative(place, previous, report, refresh, now, this.#options.newId),
      );
    }
    if (refresh) {
      for (const [conditionId, state] of this.#native) {
        if (state.device !== deviceId || reported.has(conditionId) || !state.flags.active) continue;
        this.#applyNative(batch, conditionId, (previous) =>
          vanishedNative(place, previous as NativeState, now, this.#options.newId),
        );
      }
    }
    return this.#flush(batch);
  }

  #applyNative(
    batch: Batch,
    conditionId: string,
    step: (previous: NativeState | undefined) => NativeEvaluation,
  ): void {
    const previous = this.#native.get(conditionId);
    const { state, events } = step(previous);
    this.#native.set(conditionId, state);
    if (events.length === 0) return;
    if (!batch.previousNative.has(conditionId)) batch.previousNative.set(conditionId, previous);
    batch.changes.set(conditionId, state);
    batch.drafts.push(...events);
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
      for (const [conditionId, state] of batch.previousNative) {
        if (state === undefined) this.#native.delete(conditionId);
        else this.#native.set(conditionId, state);
      }
      const code = error instanceof GatewayError ? error.code : 'unknown';
      // A full or broken buffer refuses every commit until it recovers: one line per episode, not per reading.
      if (code !== this.#failing) {
        const described = error instanceof GatewayError ? error.describe() : String(error);
        this.#options.logger.error({ events: batch.drafts.length }, described);
      }
      this.#failing = code;
      return false;
    }
    if (this.#failing !== undefined) {
      this.#options.logger.info('the buffer accepts events again');
      this.#failing = undefined;
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

class Batch {
  readonly previous = new Map<string, AlarmState>();
  readonly previousNative = new Map<string, NativeState | undefined>();
  readonly changes = new Map<string, AlarmState | NativeState>();
  readonly drafts: AlarmEventDraft[] = [];
}

/** Keeps the newest reading time with the state, so a stale redelivery can be told apart. */
function stamped(evaluation: Evaluation, time: number): Evaluation {
  const previous = evaluation.state.sampleTime;
  const sampleTime = previous === undefined ? time : Math.max(previous, time);
  return { ...evaluation, state: { ...evaluation.state, sampleTime } };
}

/**
 * Feeds readings, ticks and operator commands to the pure alarm engine and
 * hands what it decided to the store in one commit: the states that changed
 * together with their events. A state change that produced no event is
 * committed too when it is one a restart must know (a delay started, a
 * change followed while shelved); what only the next reading needs (the
 * newest sample, a rate window) stays in memory.
 *
 * Besides single alarms it keeps what spans them: the latest value of every
 * point (setpoints, command points, suppression conditions), suppression by
 * design, and alarm floods per area.
 */
import type { ConditionReport, ConditionSync } from '../adapters/condition-report.ts';
import type { PointValue, Reading } from '../adapters/reading.ts';
import type { StateChange } from '../buffer/outbox.ts';
import { ALARM_DEFAULTS } from '../config/alarm-defaults.ts';
import type { AlarmSettings, Priority } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { AreaFloods, floodArea } from './area-floods.ts';
import type { CommandOutcome, CommandSink, OperatorCommand } from './command.ts';
import { commandRequest, commandTargets, noneUnder, readableCommand } from './command-targets.ts';
import { type CompiledAlarms, templateAlarms } from './compile.ts';
import type { AlarmDefinition } from './definition.ts';
import { pointKey } from './definition.ts';
import { type Evaluation, evaluate, nextDeadline, tick } from './engine.ts';
import { type AlarmEvent, type AlarmEventDraft, SEVERITY } from './event.ts';
import { evaluateExpression, referencesOf } from './expression.ts';
import { type FloodState, floodBounds, restoreFlood } from './flood.ts';
import { AlarmKpis, type KpiSnapshot } from './kpis.ts';
import {
  evaluateNative,
  type NativeEvaluation,
  type NativeState,
  nativeConditionId,
  restoreNativeState,
  unreportedNative,
} from './native.ts';
import { usableValue } from './observe.ts';
import { applyCommand } from './operator.ts';
import { RefusedTransitions } from './refused-transitions.ts';
import { restoreState } from './restore.ts';
import { type AlarmState, initialState } from './state.ts';
import { setSuppression } from './suppression.ts';
import { commandRejectedDraft, droppedEventsDraft, type GatewayIdentity } from './system-event.ts';
import { type AlarmView, isQuiet, nativeAlarmView, ruleAlarmView } from './view.ts';

export interface CommitRequest {
  changes: StateChange[];
  drafts: AlarmEventDraft[];
  commandId?: string;
}

export interface AlarmEvaluatorOptions {
  alarms: CompiledAlarms;
  identity: GatewayIdentity;
  settings?: AlarmSettings;
  /** States restored from the buffer, by condition id. */
  restored: ReadonlyMap<string, unknown>;
  commit: (request: CommitRequest) => AlarmEvent[];
  /** Whether an operator command with this id was committed before. */
  commandApplied?: (commandId: string) => boolean;
  newId: () => string;
  logger: Logger;
  now?: () => number;
}

export class AlarmEvaluator implements CommandSink {
  readonly #options: AlarmEvaluatorOptions;
  readonly #now: () => number;
  readonly #states = new Map<string, AlarmState>();
  /** The state committed last (or restored), to tell a change a restart must know from one it need not. */
  readonly #committedStates = new Map<string, AlarmState>();
  /** Conditions devices keep themselves, by condition id; persisted like rule states so a restart knows what was published. */
  readonly #native = new Map<string, NativeState>();
  /** Alarms of concrete points of templates, created on their first reading. */
  readonly #instantiated = new Map<string, AlarmDefinition[]>();
  #alarms: CompiledAlarms;
  readonly #definitions: AlarmDefinition[] = [];
  readonly #byCondition = new Map<string, AlarmDefinition>();
  /** The latest usable value of every point another alarm reads (setpoints, command points, conditions), by point key. */
  readonly #values = new Map<string, PointValue>();
  /** Alarms with a timer running (delay, shelving, re-alarm, stale check): the only ones a tick has to look at. */
  readonly #timed = new Map<string, AlarmDefinition>();
  /** The points whose values #values keeps: only these are worth a map write per reading. */
  readonly #referenced = new Set<string>();
  /** Alarms whose suppression condition reads a point, by point key. */
  readonly #suppressedByPoint = new Map<string, AlarmDefinition[]>();
  readonly #floods: AreaFloods;
  readonly #kpis: AlarmKpis;
  #committed = 0;
  /** The error code of the commit failures in progress, if any. */
  #failing: string | undefined;
  readonly #refused = new RefusedTransitions();

  constructor(options: AlarmEvaluatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#kpis = new AlarmKpis(this.#now());
    this.#alarms = options.alarms;
    this.#floods = new AreaFloods(floodBounds(options.settings?.flood), options.identity, this.#kpis);
    for (const def of options.alarms.all) this.#add(def);
    // What is left is native conditions, alarms of template points (restored on their first reading) and floods.
    for (const [key, saved] of options.restored) {
      if (this.#states.has(key)) continue;
      const area = floodArea(key);
      if (area !== undefined) {
        const flood = restoreFlood(saved);
        if (flood) this.#floods.restore(area, flood);
        continue;
      }
      const native = restoreNativeState(saved);
      if (native && options.alarms.nativeByDevice.has(native.device)) this.#native.set(key, native);
    }
  }

  #add(def: AlarmDefinition): void {
    const saved = this.#options.restored.get(def.conditionId);
    const restored = saved === undefined ? undefined : restoreState(def, saved);
    if (saved !== undefined && restored === undefined) {
      const error = new GatewayError('ALARM_STATE', def.conditionId);
      this.#options.logger.warn({ code: error.code, condition_id: def.conditionId }, error.describe());
    }
    const state = restored ?? initialState(def);
    this.#register(def, state);
    // A state never committed is the initial one: committing it unchanged would tell a restart nothing.
    this.#committedStates.set(def.conditionId, state);
  }

  #register(def: AlarmDefinition, state: AlarmState): void {
    this.#definitions.push(def);
    this.#byCondition.set(def.conditionId, def);
    this.#setState(def, state);
    if (def.reference !== undefined) this.#referenced.add(def.reference);
    if (def.suppressWhen) {
      for (const key of new Set(referencesOf(def.suppressWhen))) {
        this.#referenced.add(key);
        const list = this.#suppressedByPoint.get(key) ?? [];
        list.push(def);
        this.#suppressedByPoint.set(key, list);
      }
    }
  }

  #setState(def: AlarmDefinition, state: AlarmState): void {
    this.#states.set(def.conditionId, state);
    if (nextDeadline(def, state) === undefined) this.#timed.delete(def.conditionId);
    else this.#timed.set(def.conditionId, def);
  }

  #definitionsOf(deviceId: string, pointId: string): readonly AlarmDefinition[] {
    const key = pointKey(deviceId, pointId);
    const known = this.#alarms.byPoint.get(key) ?? this.#instantiated.get(key);
    if (known) return known;
    if (!this.#alarms.templates.has(deviceId)) return [];
    const defs = templateAlarms(this.#alarms, deviceId, pointId);
    for (const def of defs) this.#add(def);
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
    const previous = new Map(this.#states);
    for (const [key, defs] of this.#instantiated) {
      const device = defs[0]?.device;
      if (device === undefined || changedDevices.has(device) || !alarms.templates.has(device)) {
        this.#instantiated.delete(key);
      }
    }
    const definitions = [...alarms.all, ...[...this.#instantiated.values()].flat()];
    this.#alarms = alarms;
    this.#definitions.length = 0;
    this.#byCondition.clear();
    this.#suppressedByPoint.clear();
    this.#referenced.clear();
    this.#timed.clear();
    this.#states.clear();
    for (const def of definitions) {
      const state = previous.get(def.conditionId);
      if (state === undefined) {
        const saved = restored.get(def.conditionId);
        const next = (saved === undefined ? undefined : restoreState(def, saved)) ?? initialState(def);
        this.#register(def, next);
        this.#committedStates.set(def.conditionId, next);
      } else if (!changedDevices.has(def.device)) this.#register(def, state);
      else this.#register(def, restoreState(def, state) ?? initialState(def));
    }
    for (const conditionId of this.#committedStates.keys()) {
      if (!this.#byCondition.has(conditionId)) this.#committedStates.delete(conditionId);
    }
    for (const [conditionId, state] of this.#native) {
      if (!alarms.nativeByDevice.has(state.device)) this.#native.delete(conditionId);
    }
  }

  get eventsCommitted(): number {
    return this.#committed;
  }

  /** Every alarm that is not quiet (active, unacknowledged, shelved, ...), as it stands now. */
  alarms(): AlarmView[] {
    const views: AlarmView[] = [];
    for (const def of this.#definitions) {
      const state = this.#states.get(def.conditionId);
      if (state && !isQuiet(state.flags)) views.push(ruleAlarmView(def, state));
    }
    for (const [conditionId, state] of this.#native) {
      const place = this.#options.alarms.nativeByDevice.get(state.device);
      if (place && !isQuiet(state.flags)) views.push(nativeAlarmView(conditionId, place, state));
    }
    return views;
  }

  /** The alarm performance figures (ISA-18.2) and the alarms active now, for the metrics endpoint. */
  kpis(): KpiSnapshot {
    return this.#kpis.snapshot(this.#now(), this.#states, this.#byCondition, this.#floods.states);
  }

  /** Returns false when the events these readings produced could not be committed. */
  readings(readings: readonly Reading[]): boolean {
    const now = this.#now();
    const batch = new Batch();
    // Values first: a setpoint or a suppression condition read in the same poll counts for its alarms.
    const touched = new Set<AlarmDefinition>();
    for (const reading of readings) {
      const key = pointKey(reading.deviceId, reading.pointId);
      if (!this.#referenced.has(key)) continue;
      const value = usableValue(reading);
      if (value === undefined) this.#values.delete(key);
      else this.#values.set(key, value);
      for (const def of this.#suppressedByPoint.get(key) ?? []) touched.add(def);
    }
    for (const def of touched) this.#updateSuppression(batch, def, now);
    const context = { valueOf: (key: string) => this.#values.get(key) };
    for (const reading of readings) {
      const time = reading.sourceTime ?? reading.gatewayTime;
      for (const def of this.#definitionsOf(reading.deviceId, reading.pointId)) {
        if (reading.redelivered && time < (this.#states.get(def.conditionId)?.sampleTime ?? time)) continue;
        this.#apply(batch, def, (state) =>
          stamped(evaluate(def, state, reading, now, this.#options.newId, context), time),
        );
      }
    }
    this.#noteFloods(batch, now);
    return this.#flush(batch);
  }

  #updateSuppression(batch: Batch, def: AlarmDefinition, now: number): void {
    if (!def.suppressWhen) return;
    const holds = evaluateExpression(def.suppressWhen, (key) => this.#values.get(key)) === true;
    const text = holds
      ? `suppressed by design: ${def.suppressWhenText} holds`
      : `no longer suppressed by design: ${def.suppressWhenText} does not hold`;
    this.#apply(batch, def, (state) =>
      setSuppression(def, state, 'design', holds, now, this.#options.newId, text),
    );
  }

  /** Returns false when the communication alarm's events could not be committed. */
  communication(deviceId: string, lost: boolean, _detail: string, at: number): boolean {
    const def = this.#alarms.commByDevice.get(deviceId);
    if (!def) return true;
    const reading: Reading = { deviceId, pointId: def.point, value: lost, quality: 'good', gatewayTime: at };
    const batch = new Batch();
    const now = this.#now();
    this.#apply(batch, def, (state) => evaluate(def, state, reading, now, this.#options.newId));
    this.#noteFloods(batch, now);
    return this.#flush(batch);
  }

  /**
   * Conditions a device reported about its own alarms. After a complete
   * refresh, an active condition the device no longer mentions has cleared
   * while nobody was watching; after a read (the device refused a refresh),
   * one it did not read is unconfirmed until the device's next event.
   */
  conditions(deviceId: string, reports: readonly ConditionReport[], sync: ConditionSync): boolean {
    const place = this.#alarms.nativeByDevice.get(deviceId);
    if (!place) return true;
    const now = this.#now();
    const batch = new Batch();
    const reported = new Set<string>();
    for (const report of reports) {
      const { conditionId } = nativeConditionId(place, report);
      reported.add(conditionId);
      this.#applyNative(batch, conditionId, (previous) =>
        evaluateNative(place, previous, report, sync, now, this.#options.newId),
      );
    }
    if (sync !== 'live') {
      for (const [conditionId, state] of this.#native) {
        if (state.device !== deviceId || reported.has(conditionId) || !state.flags.active) continue;
        this.#applyNative(batch, conditionId, (previous) =>
          unreportedNative(place, previous as NativeState, sync, now, this.#options.newId),
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

  /** Timers: delays, stale values, shelving expiry, re-alarm, and floods that ended as the window slid. */
  tick(): void {
    const now = this.#now();
    const batch = new Batch();
    for (const def of [...this.#timed.values()]) {
      this.#apply(batch, def, (state) => tick(def, state, now, this.#options.newId));
    }
    this.#noteFloods(batch, now);
    this.#flush(batch);
    this.#reportRefused(now);
  }

  /** Transitions the buffer refused and nobody decided again: reported as dropped, so the gap is known. */
  #reportRefused(now: number): void {
    const settled = this.#refused.settled(now);
    if (!settled) return;
    const batch = new Batch();
    batch.drafts.push(
      droppedEventsDraft(this.#options.identity, settled.tally, 'refused', now, this.#options.newId),
    );
    if (this.#commit(batch) !== undefined) settled.reported();
  }

  command(command: OperatorCommand): CommandOutcome {
    const { identity } = this.#options;
    if (this.#options.commandApplied?.(command.command_id)) {
      return { accepted: true, duplicate: true, events: [] };
    }
    if (command.site !== identity.site) {
      return this.reject(
        command,
        `the command is for site ${command.site}; this gateway serves ${identity.site}`,
      );
    }
    const targets = commandTargets(command, {
      byCondition: this.#byCondition,
      definitions: this.#definitions,
      states: this.#states,
      isNative: (conditionId) => this.#native.has(conditionId),
    });
    if (typeof targets === 'string') return this.reject(command, targets);
    const now = this.#now();
    const request = commandRequest(command);
    const maxShelveMs = this.#options.settings?.max_shelve_ms ?? ALARM_DEFAULTS.maxShelveMs;
    const batch = new Batch();
    const refusals: string[] = [];
    for (const def of targets) {
      const state = this.#states.get(def.conditionId) ?? initialState(def);
      const result = applyCommand(def, state, request, now, this.#options.newId, maxShelveMs);
      if (result.accepted) this.#apply(batch, def, () => result.evaluation);
      else refusals.push(result.reason);
    }
    if (batch.drafts.length === 0) {
      return this.reject(
        command,
        command.scope === undefined ? (refusals[0] ?? 'nothing to do') : noneUnder(command.scope),
      );
    }
    const events = this.#commit(batch, command.command_id);
    if (!events)
      throw new GatewayError('BUFFER_WRITE', `command ${command.command_id} could not be committed`);
    return { accepted: true, duplicate: false, events };
  }

  reject(received: Partial<Record<keyof OperatorCommand, unknown>>, reason: string): CommandOutcome {
    const commandId = typeof received.command_id === 'string' ? received.command_id : undefined;
    if (commandId !== undefined && this.#options.commandApplied?.(commandId)) {
      return { accepted: false, duplicate: true, events: [], reason };
    }
    const draft = commandRejectedDraft(
      this.#options.identity,
      readableCommand(received),
      reason,
      this.#now(),
      this.#options.newId,
    );
    const batch = new Batch();
    batch.drafts.push(draft);
    const events = this.#commit(batch, commandId);
    if (!events)
      throw new GatewayError(
        'BUFFER_WRITE',
        `the rejection of command ${commandId ?? '(no id)'} could not be committed`,
      );
    return { accepted: false, duplicate: false, events, reason };
  }

  #apply(batch: Batch, def: AlarmDefinition, step: (state: AlarmState) => Evaluation): void {
    const current = this.#states.get(def.conditionId) ?? initialState(def);
    let { state, events } = step(current);
    const suppressBelow = this.#options.settings?.flood?.suppress_below;
    // During a flood a low-priority raise is suppressed rather than annunciated; it shows when the flood ends.
    if (
      this.#floods.inFlood(def.area) &&
      suppressBelow &&
      events.some((event) => floodSuppresses(event, suppressBelow))
    ) {
      const suppressed = setSuppression(
        def,
        current,
        'flood',
        true,
        this.#now(),
        this.#options.newId,
        `suppressed: area ${def.area} is in an alarm flood`,
      );
      const again = step(suppressed.state);
      state = again.state;
      events = [...suppressed.events, ...again.events];
    }
    this.#setState(def, state);
    const committed = this.#committedStates.get(def.conditionId);
    if (events.length === 0 && committed !== undefined && sameDurable(committed, state)) return;
    if (!batch.previous.has(def.conditionId)) batch.previous.set(def.conditionId, current);
    batch.changes.set(def.conditionId, state);
    batch.drafts.push(...events);
  }

  /** Counts the raises this batch annunciates per area; a flood starting or ending is an event in the same commit. */
  #noteFloods(batch: Batch, now: number): void {
    const outcome = this.#floods.note(batch.drafts, now, this.#options.newId);
    for (const [area, state] of outcome.previous)
      if (!batch.previousFloods.has(area)) batch.previousFloods.set(area, state);
    for (const [key, state] of outcome.changes) batch.changes.set(key, state);
    batch.drafts.push(...outcome.drafts);
    for (const area of outcome.ended) this.#endFloodSuppression(batch, area, now);
  }

  #endFloodSuppression(batch: Batch, area: string, now: number): void {
    for (const def of this.#definitions) {
      if (def.area !== area || !this.#states.get(def.conditionId)?.suppressedBy?.includes('flood')) continue;
      this.#apply(batch, def, (state) =>
        setSuppression(
          def,
          state,
          'flood',
          false,
          now,
          this.#options.newId,
          `the alarm flood in area ${area} ended`,
        ),
      );
    }
  }

  /** Returns false when the batch could not be committed (and was rolled back). */
  #flush(batch: Batch): boolean {
    return this.#commit(batch) !== undefined;
  }

  /** Returns the committed events, or undefined when the commit failed (and was rolled back). */
  #commit(batch: Batch, commandId?: string): AlarmEvent[] | undefined {
    if (batch.drafts.length === 0 && batch.changes.size === 0) return [];
    const changes = [...batch.changes].map(([conditionId, state]) => ({ conditionId, state }));
    let events: AlarmEvent[];
    try {
      events = this.#options.commit({
        changes,
        drafts: batch.drafts,
        ...(commandId === undefined ? {} : { commandId }),
      });
    } catch (error) {
      // Not committed means not happened: roll the states back so the next
      // reading or tick decides the same transitions again, and nothing is lost.
      for (const [conditionId, state] of batch.previous) {
        const def = this.#byCondition.get(conditionId);
        if (def) this.#setState(def, state);
      }
      for (const [conditionId, state] of batch.previousNative) {
        if (state === undefined) this.#native.delete(conditionId);
        else this.#native.set(conditionId, state);
      }
      this.#floods.rollBack(batch.previousFloods);
      this.#refused.refused(batch.drafts, (id) => previousOf(batch, id), this.#now());
      const code = error instanceof GatewayError ? error.code : 'unknown';
      // A full or broken buffer refuses every commit until it recovers: one line per episode, not per reading.
      if (code !== this.#failing) {
        const described = error instanceof GatewayError ? error.describe() : String(error);
        this.#options.logger.error({ events: batch.drafts.length }, described);
      }
      this.#failing = code;
      return undefined;
    }
    for (const [conditionId, state] of batch.changes) {
      if (this.#states.get(conditionId) === state)
        this.#committedStates.set(conditionId, state as AlarmState);
    }
    this.#refused.committed(batch.drafts, (id) => previousOf(batch, id));
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
          ...(event.actor === undefined ? {} : { actor: event.actor }),
        },
        event.message,
      );
    }
    return events;
  }
}

/** A condition's state before this batch changed it, whatever kind of condition it is. */
function previousOf(batch: Batch, conditionId: string): unknown {
  return (
    batch.previous.get(conditionId) ??
    batch.previousNative.get(conditionId) ??
    batch.previousFloods.get(conditionId)
  );
}

class Batch {
  readonly previous = new Map<string, AlarmState>();
  readonly previousNative = new Map<string, NativeState | undefined>();
  readonly previousFloods = new Map<string, FloodState>();
  readonly changes = new Map<string, AlarmState | NativeState | FloodState>();
  readonly drafts: AlarmEventDraft[] = [];
}

/** Keeps the newest reading time with the state, so a stale redelivery can be told apart. */
function stamped(evaluation: Evaluation, time: number): Evaluation {
  const previous = evaluation.state.sampleTime;
  const sampleTime = previous === undefined ? time : Math.max(previous, time);
  return { ...evaluation, state: { ...evaluation.state, sampleTime } };
}

/**
 * Whether two states agree in all a restart needs: everything but the newest
 * sample, the reading time and rate or stale memory. States are never
 * modified, so a part that did not change is the same object; comparing
 * identities keeps this cheap on every reading.
 */
function sameDurable(a: AlarmState, b: AlarmState): boolean {
  return (
    a.flags === b.flags &&
    a.process === b.process &&
    a.pending?.transition === b.pending?.transition &&
    a.pending?.since === b.pending?.since &&
    a.pending?.due === b.pending?.due &&
    a.shelf === b.shelf &&
    a.realarmAt === b.realarmAt &&
    a.raises === b.raises &&
    a.chattering === b.chattering &&
    a.suppressedBy === b.suppressedBy &&
    a.activeSince === b.activeSince
  );
}

function floodSuppresses(event: AlarmEventDraft, below: Priority): boolean {
  return event.transition === 'raise' && event.severity < SEVERITY[below];
}

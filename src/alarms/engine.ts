/**
 * The alarm engine: pure functions from (definition, state, reading, now) to
 * (next state, events). No clock, no I/O, no randomness: `now` (epoch ms) and
 * `newId` come from the caller, and the state is plain JSON that the buffer
 * commits together with the events, so a restart neither raises an active
 * alarm again nor forgets a clear.
 *
 * A reading goes through three steps: observe.ts makes it a sample (or none,
 * for bad quality or an unusable value), process.ts decides what the rule
 * says (raise, level change, clear, after delays and deadband) and
 * lifecycle.ts decides what the alarm shows of it (shelving, suppression,
 * out of service, latching, chattering). Operator commands are operator.ts,
 * suppression is suppression.ts. Every change of the shown flags is one
 * event carrying all of them.
 *
 * The input state is never modified, so a caller can keep it to roll back a
 * commit that failed.
 */
import type { Reading } from '../adapters/reading.ts';
import type { AlarmDefinition } from './definition.ts';
import { type Evaluation, lifecycleDeadline, showChanges, tickLifecycle } from './lifecycle.ts';
import { NO_CONTEXT, observe, type ReadingContext } from './observe.ts';
import { type ProcessStep, processDeadline, stepProcess, tickProcess } from './process.ts';
import { staleDeadline } from './stale.ts';
import type { AlarmState } from './state.ts';

export type { Evaluation } from './lifecycle.ts';

export function evaluate(
  def: AlarmDefinition,
  state: AlarmState,
  reading: Reading,
  now: number,
  newId: () => string,
  context: ReadingContext = NO_CONTEXT,
): Evaluation {
  const { sample, memory } = observe(def, reading, now, state.memory, context);
  const step = stepProcess(def, state.process, state.pending, sample, now);
  const next = afterStep(state, step);
  if (memory) next.memory = memory;
  if (sample) next.last = sample;
  return showChanges(def, next, step.changes, now, newId);
}

/** Timers: on-delays and off-delays that came due, stale values, shelving expiry, re-alarm. */
export function tick(def: AlarmDefinition, state: AlarmState, now: number, newId: () => string): Evaluation {
  const step = tickProcess(def, state.process, state.pending, state.memory, now);
  const shown =
    step.changes.length === 0 && step.pending === state.pending
      ? { state, events: [] }
      : showChanges(def, afterStep(state, step), step.changes, now, newId);
  const timed = tickLifecycle(def, shown.state, now, newId);
  return timed.events.length === 0 && timed.state === shown.state
    ? shown
    : { state: timed.state, events: [...shown.events, ...timed.events] };
}

/** When tick() next has something to do; undefined while nothing waits. */
export function nextDeadline(def: AlarmDefinition, state: AlarmState): number | undefined {
  const times = [
    processDeadline(state.process, state.pending),
    lifecycleDeadline(state),
    def.rule.kind === 'stale' && !state.process.active
      ? staleDeadline(def.rule, state.memory?.last)
      : undefined,
  ].filter((time) => time !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

function afterStep(state: AlarmState, step: ProcessStep): AlarmState {
  const { pending: _old, ...rest } = state;
  return step.pending === undefined
    ? { ...rest, process: step.process }
    : { ...rest, process: step.process, pending: step.pending };
}

/**
 * What the rule decides from the readings: when the process condition
 * becomes active, changes level or clears, after which delay, decided by
 * which samples. Whether the alarm shows it is for lifecycle.ts.
 *
 * Delays: a raise needs the condition to hold continuously for on_delay_ms, a
 * clear needs it absent continuously for off_delay_ms, timed on the gateway
 * clock (`now`) from the first sample that agreed. A sample that disagrees
 * cancels the timer; a change of level while active is immediate. A due
 * timer fires on the next tick (value and samples of the last usable
 * reading, at the time the delay elapsed) or on a reading that still agrees
 * (that reading decides). A reading that arrives after the deadline but
 * disagrees first lets the due transition happen, as the tick would have,
 * and is then evaluated itself: the outcome never depends on how often the
 * tick runs. A timer restored after a restart fires only on a reading that
 * agrees: nobody watched the point while the gateway was down.
 *
 * Quality: no sample (bad quality, unusable value) never raises, clears or
 * changes a level, and cancels a running timer, because the condition is
 * unknown and so did not provably hold throughout.
 */
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import { conditionOf } from './observe.ts';
import { staleSample } from './stale.ts';
import type { Memory, PendingTransition, ProcessCondition, Sample } from './state.ts';

/** How a transition was decided: by which sample, at what time, after which delay. */
export interface Decision {
  sample: Sample;
  at: number;
  samples: Sample[];
  delay?: { heldMs: number; delayMs: number };
}

export interface ProcessChange {
  transition: 'raise' | 'clear' | 'level_change';
  /** Level before (level change, clear). */
  from?: LimitLevel;
  /** Level after (raise, level change). */
  to?: LimitLevel;
  decision: Decision;
}

export interface ProcessStep {
  process: ProcessCondition;
  pending?: PendingTransition;
  changes: ProcessChange[];
}

export function stepProcess(
  def: AlarmDefinition,
  process: ProcessCondition,
  pending: PendingTransition | undefined,
  sample: Sample | undefined,
  now: number,
): ProcessStep {
  let step: ProcessStep = settled(process, liveTimer(process, pending));
  const timer = step.pending;
  if (timer && !timer.resumed && now >= timer.due && !(sample && agrees(def, process, timer, sample))) {
    step = fireDue(def, process, timer);
  }
  if (!sample) return { process: step.process, changes: step.changes };
  const next = apply(def, step.process, step.pending, sample, now);
  return { ...next, changes: [...step.changes, ...next.changes] };
}

/** Fires the on-delay or off-delay that has come due; a stale rule also judges the time gone by. */
export function tickProcess(
  def: AlarmDefinition,
  process: ProcessCondition,
  pending: PendingTransition | undefined,
  memory: Memory | undefined,
  now: number,
): ProcessStep {
  const timer = liveTimer(process, pending);
  if (timer && !timer.resumed && now >= timer.due) return fireDue(def, process, timer);
  if (def.rule.kind === 'stale') {
    const sample = staleSample(def.rule, memory?.last, now);
    if (sample) return apply(def, process, timer, sample, now);
  }
  return settled(process, timer);
}

/** When a timer of the process comes due; undefined while none runs (or it waits for a reading). */
export function processDeadline(
  process: ProcessCondition,
  pending: PendingTransition | undefined,
): number | undefined {
  const timer = liveTimer(process, pending);
  return timer && !timer.resumed ? timer.due : undefined;
}

function apply(
  def: AlarmDefinition,
  process: ProcessCondition,
  pending: PendingTransition | undefined,
  sample: Sample,
  now: number,
): ProcessStep {
  const condition = conditionOf(def, process.active ? process.level : undefined, sample);
  if (process.active && condition.active && condition.level !== process.level) {
    const change: ProcessChange = {
      transition: 'level_change',
      ...(process.level === undefined ? {} : { from: process.level }),
      ...(condition.level === undefined ? {} : { to: condition.level }),
      decision: { sample, at: sample.time, samples: [sample] },
    };
    return { process: withLevel(true, condition.level), changes: [change] };
  }
  if (process.active === condition.active) return settled(process, undefined);

  const transition = condition.active ? 'raise' : 'clear';
  const delayMs = delayOf(def, transition);
  if (delayMs === 0) return fire(def, process, transition, { sample, at: sample.time, samples: [sample] });
  if (!pending) {
    return {
      process,
      pending: { transition, since: now, due: now + delayMs, first: sample, last: sample },
      changes: [],
    };
  }
  if (now < pending.due) {
    const { resumed: _watchedAgain, ...running } = pending;
    return { process, pending: { ...running, last: sample }, changes: [] };
  }
  const delay = { heldMs: now - pending.since, delayMs: pending.due - pending.since };
  return fire(def, process, transition, { sample, at: sample.time, samples: [pending.first, sample], delay });
}

/** The transition a due timer stands for, decided by the last sample that agreed with it. */
function fireDue(def: AlarmDefinition, process: ProcessCondition, pending: PendingTransition): ProcessStep {
  if (!agrees(def, process, pending, pending.last)) return settled(process, undefined);
  const delayMs = pending.due - pending.since;
  return fire(def, process, pending.transition, {
    sample: pending.last,
    at: pending.due,
    samples: sameSample(pending.first, pending.last) ? [pending.last] : [pending.first, pending.last],
    delay: { heldMs: delayMs, delayMs },
  });
}

function fire(
  def: AlarmDefinition,
  process: ProcessCondition,
  transition: 'raise' | 'clear',
  decision: Decision,
): ProcessStep {
  if (transition === 'clear') {
    return {
      process: { active: false },
      changes: [{ transition, ...(process.level === undefined ? {} : { from: process.level }), decision }],
    };
  }
  const entered = conditionOf(def, undefined, decision.sample).level;
  return {
    process: withLevel(true, entered),
    changes: [{ transition, ...(entered === undefined ? {} : { to: entered }), decision }],
  };
}

/** A timer only counts while it matches the process: a raise waits while normal, a clear while active. */
function liveTimer(
  process: ProcessCondition,
  pending: PendingTransition | undefined,
): PendingTransition | undefined {
  if (!pending) return undefined;
  return (pending.transition === 'raise') !== process.active ? pending : undefined;
}

function agrees(
  def: AlarmDefinition,
  process: ProcessCondition,
  pending: PendingTransition,
  sample: Sample,
): boolean {
  const current = process.active ? process.level : undefined;
  return conditionOf(def, current, sample).active === (pending.transition === 'raise');
}

function delayOf(def: AlarmDefinition, transition: 'raise' | 'clear'): number {
  // The device runner already counted failed polls before it reported the loss.
  if (def.kind === 'comm') return 0;
  return (transition === 'raise' ? def.rule.on_delay_ms : def.rule.off_delay_ms) ?? 0;
}

function settled(process: ProcessCondition, pending: PendingTransition | undefined): ProcessStep {
  return pending === undefined ? { process, changes: [] } : { process, pending, changes: [] };
}

function withLevel(active: boolean, level: LimitLevel | undefined): ProcessCondition {
  return active && level !== undefined ? { active, level } : { active };
}

function sameSample(a: Sample, b: Sample): boolean {
  return a.time === b.time && a.value === b.value && a.quality === b.quality;
}

/**
 * The alarm engine: pure functions from (definition, state, reading, now) to
 * (next state, events). No clock, no I/O, no randomness: `now` (epoch ms) and
 * `newId` come from the caller, and the state is plain JSON that the buffer
 * commits together with the events, so a restart neither raises an active
 * alarm again nor forgets a clear.
 *
 * Flags (ISA-18.2, OPC UA Part 9) are independent: active (+ level for limit
 * alarms), acked, latched, shelved, suppressed, out_of_service. Without
 * operator commands only active, level and acked change: a raise sets
 * acked = false, a clear keeps it (returned to normal unacknowledged), a level
 * change keeps it when easing off on the same side (HH -> H, LL -> L) and
 * resets it otherwise. Every event carries the full flags after it.
 *
 * Transitions, one event each: `raise` (normal -> active at a level),
 * `level_change` (active, other level: H -> HH, HH -> H, H -> L), `clear`
 * (active -> normal). Limit levels follow limits.ts: exclusive, most severe
 * first, deadband only on the way back to normal. A discrete alarm is active
 * while the value equals `alarm_when` (default true; a number counts as true
 * when nonzero). A communication alarm is a discrete alarm on the runner's
 * synthetic reading (true = lost) and never waits for a delay.
 *
 * Delays: a raise needs the condition to hold continuously for on_delay_ms, a
 * clear needs it absent continuously for off_delay_ms, timed on the gateway
 * clock (`now`) from the first sample that agreed. A sample that disagrees
 * cancels the timer; a change of level while active is immediate. A due
 * timer fires on the next tick() (value and samples of the last usable
 * reading, source_time = when the delay elapsed) or on a reading that still
 * agrees (that reading decides). A reading that arrives after the deadline
 * but disagrees first lets the due transition happen, as the tick would
 * have, and is then evaluated itself: the outcome never depends on how often
 * tick() runs.
 *
 * Quality: a bad reading, or one without a usable value (null, NaN,
 * Infinity, a boolean for a limit rule), never raises, clears or changes a
 * level, and cancels a running timer, because the condition is unknown and so
 * did not provably hold throughout. Uncertain readings are evaluated like good
 * ones and their events carry quality `uncertain`.
 *
 * The input state is never modified, so a caller can keep it to roll back a
 * commit that failed.
 */
import type { Reading } from '../adapters/reading.ts';
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmEventDraft, AlarmStateFlags } from './event.ts';
import { eventDraft } from './event-draft.ts';
import { isEasing } from './limits.ts';
import { conditionOf, sampleOf } from './observe.ts';
import { conditionText, delayText } from './reason-text.ts';
import type { AlarmState, PendingTransition, Sample } from './state.ts';

export interface Evaluation {
  state: AlarmState;
  events: AlarmEventDraft[];
}

type Change = 'raise' | 'clear';

/** How a raise or clear was decided: by which sample, at what time, after which delay. */
interface Decision {
  sample: Sample;
  at: number;
  samples: Sample[];
  delay?: { heldMs: number; delayMs: number };
}

export function evaluate(
  def: AlarmDefinition,
  state: AlarmState,
  reading: Reading,
  now: number,
  newId: () => string,
): Evaluation {
  const sample = sampleOf(def, reading, now);
  let caughtUp: Evaluation = { state, events: [] };
  const pending = pendingOf(state);
  if (pending && now >= pending.due && !(sample && agrees(def, state, pending, sample))) {
    caughtUp = fireDue(def, state, pending, now, newId);
  }
  if (!sample) return { state: settled(caughtUp.state), events: caughtUp.events };
  const step = apply(def, caughtUp.state, sample, now, newId);
  return { state: step.state, events: [...caughtUp.events, ...step.events] };
}

/** Fires the on-delay or off-delay that has come due; does nothing else. */
export function tick(def: AlarmDefinition, state: AlarmState, now: number, newId: () => string): Evaluation {
  const pending = pendingOf(state);
  if (!pending || now < pending.due) return { state, events: [] };
  return fireDue(def, state, pending, now, newId);
}

/** When tick() next has something to do; undefined while no delay is running. */
export function nextDeadline(state: AlarmState): number | undefined {
  return pendingOf(state)?.due;
}

function apply(
  def: AlarmDefinition,
  state: AlarmState,
  sample: Sample,
  now: number,
  newId: () => string,
): Evaluation {
  const { flags } = state;
  const condition = conditionOf(def, flags, sample);
  if (flags.active && condition.active && condition.level !== flags.level) {
    return changeLevel(def, flags, condition.level, sample, now, newId);
  }
  if (flags.active === condition.active) return { state: settled(state), events: [] };

  const change: Change = condition.active ? 'raise' : 'clear';
  const delayMs = delayOf(def, change);
  if (delayMs === 0) {
    return fire(def, flags, change, { sample, at: sample.time, samples: [sample] }, now, newId);
  }

  const pending = pendingOf(state);
  if (!pending) {
    return {
      state: {
        flags,
        pending: { transition: change, since: now, due: now + delayMs, first: sample, last: sample },
      },
      events: [],
    };
  }
  if (now < pending.due) return { state: { flags, pending: { ...pending, last: sample } }, events: [] };
  const delay = { heldMs: now - pending.since, delayMs: pending.due - pending.since };
  return fire(
    def,
    flags,
    change,
    { sample, at: sample.time, samples: [pending.first, sample], delay },
    now,
    newId,
  );
}

/** The transition a due timer stands for, decided by the last sample that agreed with it. */
function fireDue(
  def: AlarmDefinition,
  state: AlarmState,
  pending: PendingTransition,
  now: number,
  newId: () => string,
): Evaluation {
  if (!agrees(def, state, pending, pending.last)) return { state: settled(state), events: [] };
  const delayMs = pending.due - pending.since;
  const decision: Decision = {
    sample: pending.last,
    at: pending.due,
    samples: sameSample(pending.first, pending.last) ? [pending.last] : [pending.first, pending.last],
    delay: { heldMs: delayMs, delayMs },
  };
  return fire(def, state.flags, pending.transition, decision, now, newId);
}

function fire(
  def: AlarmDefinition,
  flags: AlarmStateFlags,
  change: Change,
  decision: Decision,
  now: number,
  newId: () => string,
): Evaluation {
  const entered = change === 'raise' ? conditionOf(def, flags, decision.sample).level : undefined;
  const after =
    change === 'raise' ? withActivity(flags, true, false, entered) : withActivity(flags, false, flags.acked);
  const delay = decision.delay ? delayText(change, decision.delay.heldMs, decision.delay.delayMs) : '';
  const text = conditionText(def, {
    transition: change,
    sample: decision.sample,
    from: flags.level,
    to: entered,
  });
  const level = change === 'raise' ? entered : flags.level;
  const event = eventDraft(
    def,
    {
      transition: change,
      flags: after,
      ...(level === undefined ? {} : { level }),
      sample: decision.sample,
      at: decision.at,
      samples: decision.samples,
      text: text + delay,
      ...(decision.delay ? { delayMs: decision.delay.delayMs } : {}),
    },
    now,
    newId,
  );
  return { state: { flags: after }, events: [event] };
}

/** Immediate, and it ends a running off-delay: the condition is back, at another level. */
function changeLevel(
  def: AlarmDefinition,
  flags: AlarmStateFlags,
  to: LimitLevel | undefined,
  sample: Sample,
  now: number,
  newId: () => string,
): Evaluation {
  const from = flags.level;
  const after = withActivity(flags, true, to !== undefined && isEasing(from, to) ? flags.acked : false, to);
  const event = eventDraft(
    def,
    {
      transition: 'level_change',
      flags: after,
      ...(to === undefined ? {} : { level: to }),
      ...(from === undefined ? {} : { previousLevel: from }),
      sample,
      at: sample.time,
      samples: [sample],
      text: conditionText(def, { transition: 'level_change', sample, from, to }),
    },
    now,
    newId,
  );
  return { state: { flags: after }, events: [event] };
}

/** A timer only counts while it matches the flags: a raise waits while normal, a clear while active. */
function pendingOf(state: AlarmState): PendingTransition | undefined {
  const { pending } = state;
  if (!pending) return undefined;
  return (pending.transition === 'raise') !== state.flags.active ? pending : undefined;
}

function agrees(
  def: AlarmDefinition,
  state: AlarmState,
  pending: PendingTransition,
  sample: Sample,
): boolean {
  return conditionOf(def, state.flags, sample).active === (pending.transition === 'raise');
}

function delayOf(def: AlarmDefinition, change: Change): number {
  // The device runner already counted failed polls before it reported the loss.
  if (def.kind === 'comm') return 0;
  return (change === 'raise' ? def.rule.on_delay_ms : def.rule.off_delay_ms) ?? 0;
}

function settled(state: AlarmState): AlarmState {
  return state.pending === undefined ? state : { flags: state.flags };
}

/** Flags in the contract's key order, with a level only while active. */
function withActivity(
  flags: AlarmStateFlags,
  active: boolean,
  acked: boolean,
  level?: LimitLevel,
): AlarmStateFlags {
  return {
    active,
    acked,
    latched: flags.latched,
    shelved: flags.shelved,
    suppressed: flags.suppressed,
    out_of_service: flags.out_of_service,
    ...(active && level !== undefined ? { level } : {}),
  };
}

function sameSample(a: Sample, b: Sample): boolean {
  return a.time === b.time && a.value === b.value && a.quality === b.quality;
}

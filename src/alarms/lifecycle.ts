/**
 * What the alarm shows of its process, and the timers of its lifecycle.
 *
 * A process change is shown unless the alarm is shelved, suppressed or out
 * of service; then the flags keep what was last shown and the process is
 * followed underneath, until the alarm shows again and the flags take it up
 * (`reveal`). A latching rule's alarm stays active after its condition is
 * gone, until an operator resets it. One-shot shelving ends when the
 * condition clears. Chattering (more raises than allowed within a window)
 * gives one chatter event per episode and, if configured, shelves the alarm
 * for a while. An acknowledged alarm still active after its re-alarm time is
 * annunciated again.
 */
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmEventDraft, AlarmReason, AlarmStateFlags, AlarmTransition } from './event.ts';
import { eventDraft } from './event-draft.ts';
import { isoTime } from './format.ts';
import { isEasing } from './limits.ts';
import type { Decision, ProcessChange } from './process.ts';
import { conditionText, delayText } from './reason-text.ts';
import { type AlarmState, isHidden, type ProcessCondition } from './state.ts';

export interface Evaluation {
  state: AlarmState;
  events: AlarmEventDraft[];
}

/** Who did it: an operator, or the gateway itself (expiry, chatter). */
export interface Actor {
  actor: string;
  comment?: string;
  commandId?: string;
}

export const GATEWAY_ACTOR: Actor = { actor: 'gateway' };

export function showChanges(
  def: AlarmDefinition,
  state: AlarmState,
  changes: readonly ProcessChange[],
  now: number,
  newId: () => string,
): Evaluation {
  let current = state;
  const events: AlarmEventDraft[] = [];
  for (const change of changes) {
    const shown = showChange(def, current, change, now, newId);
    events.push(...shown.events);
    current = shown.state;
    if (change.transition === 'raise') {
      const chatter = noteRaise(def, current, now, newId);
      events.push(...chatter.events);
      current = chatter.state;
    }
  }
  return { state: current, events };
}

function showChange(
  def: AlarmDefinition,
  state: AlarmState,
  change: ProcessChange,
  now: number,
  newId: () => string,
): Evaluation {
  const { flags } = state;
  if (isHidden(flags)) {
    if (change.transition === 'clear' && flags.shelved && state.shelf?.oneShot) {
      return unshelve(def, state, now, newId, GATEWAY_ACTOR, 'one-shot shelving ends: the condition cleared');
    }
    return { state, events: [] };
  }
  const processActive = change.transition !== 'clear';
  const text = conditionText(def, {
    transition: change.transition,
    sample: change.decision.sample,
    from: change.from,
    to: change.to,
  });
  const delay = change.decision.delay;
  const facts = {
    decision: change.decision,
    text:
      delay && change.transition !== 'level_change'
        ? text + delayText(change.transition, delay.heldMs, delay.delayMs)
        : text,
    processActive,
  };
  const rest = withoutRealarm(state);
  if (change.transition === 'raise') {
    const latched = flags.latched || def.rule.latch === true;
    const after = shownFlags(flags, { active: true, level: change.to, acked: false, latched });
    // A latched alarm still showing, unacknowledged, at this level: the raise tells the operator nothing new.
    if (JSON.stringify(after) === JSON.stringify(flags)) return { state: rest, events: [] };
    return emit(def, { ...rest, flags: after }, 'raise', now, newId, { ...facts, level: change.to });
  }
  if (change.transition === 'level_change') {
    const to = change.to;
    const acked = to !== undefined && isEasing(flags.level, to) ? flags.acked : false;
    const after = shownFlags(flags, { active: true, level: to, acked });
    return emit(def, { ...state, flags: after }, 'level_change', now, newId, {
      ...facts,
      level: to,
      ...(flags.level === undefined ? {} : { previousLevel: flags.level }),
    });
  }
  // A latched alarm stays as it is: only a reset lets it go.
  if (def.rule.latch === true && flags.latched) return { state, events: [] };
  const after = shownFlags(flags, { active: false, acked: flags.acked });
  return emit(def, { ...rest, flags: after }, 'clear', now, newId, { ...facts, level: flags.level });
}

/** Counts the raise against the chatter window; the first raise too many starts an episode. */
function noteRaise(def: AlarmDefinition, state: AlarmState, now: number, newId: () => string): Evaluation {
  const setting = def.chatter;
  if (!setting) return { state, events: [] };
  const raises = [...(state.raises ?? []).filter((time) => time > now - setting.window_ms), now].slice(
    -(setting.max_raises + 1),
  );
  const { chattering: _episode, ...rest } = state;
  if (raises.length <= setting.max_raises) return { state: { ...rest, raises }, events: [] };
  if (state.chattering) return { state: { ...state, raises }, events: [] };
  const text = `${raises.length} raises within ${setting.window_ms} ms, more than ${setting.max_raises}`;
  const chatter = emit(def, { ...state, raises, chattering: true }, 'chatter', now, newId, {
    text,
    processActive: state.process.active,
    level: state.flags.level,
    reason: { chatter: { raises: raises.length, window_ms: setting.window_ms } },
    actor: GATEWAY_ACTOR,
  });
  if (setting.shelve_ms === undefined || state.flags.shelved || state.flags.out_of_service) return chatter;
  const shelved = shelve(
    def,
    chatter.state,
    now,
    newId,
    GATEWAY_ACTOR,
    { until: now + setting.shelve_ms },
    `shelved for ${setting.shelve_ms} ms because it chatters`,
  );
  return { state: shelved.state, events: [...chatter.events, ...shelved.events] };
}

/** Timers of the lifecycle: timed shelving that ran out, and re-alarm. */
export function tickLifecycle(
  def: AlarmDefinition,
  state: AlarmState,
  now: number,
  newId: () => string,
): Evaluation {
  const until = state.shelf?.until;
  if (state.flags.shelved && until !== undefined && now >= until) {
    return unshelve(def, state, now, newId, GATEWAY_ACTOR, `timed shelving ended at ${isoTime(until)}`);
  }
  const { realarmAt } = state;
  if (realarmAt === undefined || now < realarmAt) return { state, events: [] };
  const rest = withoutRealarm(state);
  const { flags } = state;
  if (!flags.active || !flags.acked || isHidden(flags)) return { state: rest, events: [] };
  const after = shownFlags(flags, { active: true, level: flags.level, acked: false });
  return emit(def, { ...rest, flags: after }, 'realarm', now, newId, {
    text: `still active ${def.rule.realarm_ms} ms after its acknowledgement`,
    processActive: state.process.active,
    level: flags.level,
    actor: GATEWAY_ACTOR,
  });
}

/** The next time tickLifecycle has something to do. */
export function lifecycleDeadline(state: AlarmState): number | undefined {
  const times = [state.flags.shelved ? state.shelf?.until : undefined, state.realarmAt].filter(
    (time) => time !== undefined,
  );
  return times.length === 0 ? undefined : Math.min(...times);
}

export function shelve(
  def: AlarmDefinition,
  state: AlarmState,
  now: number,
  newId: () => string,
  actor: Actor,
  shelf: { until?: number; oneShot?: boolean },
  text: string,
): Evaluation {
  const { shelved_until: _until, shelved_one_shot: _oneShot, ...flags } = state.flags;
  const after: AlarmStateFlags = {
    ...flags,
    shelved: true,
    ...(shelf.until === undefined ? {} : { shelved_until: isoTime(shelf.until) }),
    ...(shelf.oneShot ? { shelved_one_shot: true } : {}),
  };
  return emit(def, { ...state, flags: after, shelf }, 'shelve', now, newId, {
    text,
    processActive: state.process.active,
    level: state.flags.level,
    actor,
  });
}

export function unshelve(
  def: AlarmDefinition,
  state: AlarmState,
  now: number,
  newId: () => string,
  actor: Actor,
  text: string,
): Evaluation {
  const { shelved_until: _until, shelved_one_shot: _oneShot, ...flags } = state.flags;
  const { shelf: _shelf, ...rest } = state;
  const after = reveal(def, { ...flags, shelved: false }, state.process);
  return emit(def, { ...rest, flags: after }, 'unshelve', now, newId, {
    text,
    processActive: state.process.active,
    level: after.level,
    actor,
  });
}

/**
 * The flags when the alarm shows again (unshelved, unsuppressed, back in
 * service): they take up the process. An alarm that became active meanwhile
 * is new to the operator and unacknowledged; a latched one stays latched.
 */
export function reveal(
  def: AlarmDefinition,
  flags: AlarmStateFlags,
  process: ProcessCondition,
): AlarmStateFlags {
  if (isHidden(flags)) return flags;
  const held = flags.latched && flags.active;
  const active = process.active || held;
  const level = process.active ? process.level : held ? flags.level : undefined;
  const newlyActive = active && !flags.active;
  return shownFlags(flags, {
    active,
    level,
    acked: newlyActive ? false : flags.acked,
    latched: flags.latched || (newlyActive && process.active && def.rule.latch === true),
  });
}

export interface EmitFacts {
  text: string;
  processActive: boolean;
  decision?: Decision;
  level?: LimitLevel | undefined;
  previousLevel?: LimitLevel;
  actor?: Actor;
  reason?: Partial<AlarmReason>;
}

/** The event of a transition to `after`, reporting the decision's sample or else the newest one. */
export function emit(
  def: AlarmDefinition,
  shown: AlarmState,
  transition: AlarmTransition,
  now: number,
  newId: () => string,
  facts: EmitFacts,
): Evaluation {
  const after = sinceShown(shown, now);
  const decision = facts.decision;
  const sample = decision?.sample ?? after.last;
  const event = eventDraft(
    def,
    {
      transition,
      flags: after.flags,
      ...(facts.level === undefined ? {} : { level: facts.level }),
      ...(facts.previousLevel === undefined ? {} : { previousLevel: facts.previousLevel }),
      ...(sample === undefined ? {} : { sample }),
      at: decision?.at ?? now,
      samples: decision?.samples ?? [],
      text: facts.text,
      ...(decision?.delay ? { delayMs: decision.delay.delayMs } : {}),
      processActive: facts.processActive,
      ...(facts.actor ? { operator: facts.actor } : {}),
      ...(facts.reason ? { reason: facts.reason } : {}),
    },
    now,
    newId,
  );
  return { state: after, events: [event] };
}

/** Flags in the contract's key order, with a level only while active. */
export function shownFlags(
  flags: AlarmStateFlags,
  change: { active: boolean; acked: boolean; level?: LimitLevel | undefined; latched?: boolean },
): AlarmStateFlags {
  const { active, acked, level } = change;
  return {
    active,
    acked,
    latched: change.latched ?? flags.latched,
    shelved: flags.shelved,
    suppressed: flags.suppressed,
    out_of_service: flags.out_of_service,
    ...(active && level !== undefined ? { level } : {}),
    ...(flags.shelved_until === undefined ? {} : { shelved_until: flags.shelved_until }),
    ...(flags.shelved_one_shot ? { shelved_one_shot: true } : {}),
  };
}

/** Keeps when the alarm became active as shown, for as long as it stays active. */
function sinceShown(state: AlarmState, now: number): AlarmState {
  const { activeSince, ...rest } = state;
  if (!state.flags.active) return rest;
  return { ...rest, activeSince: activeSince ?? now };
}

function withoutRealarm(state: AlarmState): AlarmState {
  const { realarmAt: _realarm, ...rest } = state;
  return rest;
}

/**
 * Operator commands on one alarm, pure like the rest of the engine. A command
 * that would change nothing (acknowledging an acknowledged alarm, unshelving
 * one that is not shelved) is refused with the reason, so every command gets
 * an answer and no event claims a change that did not happen. What needs no
 * alarm state (fields, limits, which fields go together) was checked at the
 * command's door by validateCommand (src/operator).
 */
import type { CommandAction } from './command.ts';
import type { AlarmDefinition } from './definition.ts';
import { formatDuration } from './format.ts';
import { type Actor, type Evaluation, emit, reveal, shelve, shownFlags, unshelve } from './lifecycle.ts';
import { type AlarmState, isHidden } from './state.ts';

export interface CommandRequest {
  action: CommandAction;
  actor: Actor;
  duration_ms?: number;
  one_shot?: boolean;
}

export type CommandResult = { accepted: true; evaluation: Evaluation } | { accepted: false; reason: string };

export function applyCommand(
  def: AlarmDefinition,
  state: AlarmState,
  request: CommandRequest,
  now: number,
  newId: () => string,
  maxShelveMs: number,
): CommandResult {
  const { flags } = state;
  const { actor } = request;
  const accept = (evaluation: Evaluation): CommandResult => ({ accepted: true, evaluation });
  const refuse = (reason: string): CommandResult => ({ accepted: false, reason });
  const commentText = (text: string) => (actor.comment ? `${text}: ${actor.comment}` : text);
  switch (request.action) {
    case 'ack': {
      if (flags.acked) return refuse('the alarm is already acknowledged');
      const { realarmAt: _old, ...rest } = state;
      const realarmMs = def.rule.realarm_ms;
      const watch = realarmMs !== undefined && flags.active && !isHidden(flags);
      const after = shownFlags(flags, { active: flags.active, level: flags.level, acked: true });
      return accept(
        emit(
          def,
          { ...rest, flags: after, ...(watch ? { realarmAt: now + realarmMs } : {}) },
          'ack',
          now,
          newId,
          {
            text: commentText(`acknowledged by ${actor.actor}`),
            processActive: state.process.active,
            level: flags.level,
            actor,
          },
        ),
      );
    }
    case 'shelve': {
      if (flags.out_of_service) return refuse('the alarm is out of service; return it to service first');
      if (request.one_shot) {
        if (!flags.active) return refuse('one-shot shelving needs an active alarm');
        if (flags.shelved_one_shot) return refuse('the alarm is already shelved until it clears');
        return accept(
          shelve(
            def,
            state,
            now,
            newId,
            actor,
            { oneShot: true },
            commentText(`shelved by ${actor.actor} until it clears`),
          ),
        );
      }
      // Validated at the door: a shelve that is not one-shot has its duration.
      const duration = request.duration_ms as number;
      if (duration > maxShelveMs) {
        return refuse(`duration_ms ${duration} is longer than the site's max_shelve_ms ${maxShelveMs}`);
      }
      if (state.shelf?.until === now + duration) return refuse('the alarm is already shelved until then');
      const text = commentText(`shelved by ${actor.actor} for ${formatDuration(duration)}`);
      return accept(shelve(def, state, now, newId, actor, { until: now + duration }, text));
    }
    case 'unshelve':
      if (!flags.shelved) return refuse('the alarm is not shelved');
      return accept(unshelve(def, state, now, newId, actor, commentText(`unshelved by ${actor.actor}`)));
    case 'remove_from_service': {
      if (flags.out_of_service) return refuse('the alarm is already out of service');
      const { realarmAt: _old, ...rest } = state;
      return accept(
        emit(def, { ...rest, flags: { ...flags, out_of_service: true } }, 'out_of_service', now, newId, {
          text: commentText(`removed from service by ${actor.actor}`),
          processActive: state.process.active,
          level: flags.level,
          actor,
        }),
      );
    }
    case 'return_to_service': {
      if (!flags.out_of_service) return refuse('the alarm is in service');
      const after = reveal(def, { ...flags, out_of_service: false }, state.process);
      return accept(
        emit(def, { ...state, flags: after }, 'in_service', now, newId, {
          text: commentText(`returned to service by ${actor.actor}`),
          processActive: state.process.active,
          level: after.level,
          actor,
        }),
      );
    }
    case 'reset': {
      if (!flags.latched) return refuse('the alarm is not latched');
      if (state.process.active) return refuse('the condition still holds; reset once it has cleared');
      // A hidden alarm keeps showing what it showed; it shows the reset when it shows again.
      const after = isHidden(flags)
        ? { ...flags, latched: false }
        : shownFlags(flags, { active: false, acked: flags.acked, latched: false });
      return accept(
        emit(def, { ...state, flags: after }, 'reset', now, newId, {
          text: commentText(`latch reset by ${actor.actor}`),
          processActive: false,
          level: flags.level,
          actor,
        }),
      );
    }
  }
}

/**
 * An operator command as it arrives over HTTP, checked field by field before
 * it reaches the alarm stage. The gateway fills in its own site; a missing
 * command id gets a fresh one (the page sends one per click, so a retried
 * request is applied once).
 */
import { COMMAND_ACTIONS, type CommandAction, type OperatorCommand } from '../alarms/command.ts';

export type ParsedCommand =
  | { ok: true; command: OperatorCommand }
  | { ok: false; reason: string; received: Partial<Record<keyof OperatorCommand, unknown>> };

const MAX_TEXT = 500;

export function parseCommandRequest(
  body: Record<string, unknown>,
  site: string,
  newId: () => string,
): ParsedCommand {
  const received = { ...body, site } as Partial<Record<keyof OperatorCommand, unknown>>;
  const refuse = (reason: string): ParsedCommand => ({ ok: false, reason, received });
  const { action, condition_id, scope, actor, comment, duration_ms, one_shot, command_id } = body;
  if (typeof action !== 'string' || !(COMMAND_ACTIONS as readonly string[]).includes(action)) {
    return refuse(`action must be one of ${COMMAND_ACTIONS.join(', ')}`);
  }
  if ((condition_id === undefined) === (scope === undefined)) {
    return refuse('give either condition_id (one alarm) or scope (an asset path), not both or neither');
  }
  for (const [name, value] of Object.entries({ condition_id, scope, comment, command_id })) {
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > MAX_TEXT)) {
      return refuse(`${name} must be a non-empty text of at most ${MAX_TEXT} characters`);
    }
  }
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > 100) {
    return refuse('actor (who acts) must be a non-empty name of at most 100 characters');
  }
  if (duration_ms !== undefined && (!Number.isSafeInteger(duration_ms) || (duration_ms as number) <= 0)) {
    return refuse('duration_ms must be a positive whole number of milliseconds');
  }
  if (one_shot !== undefined && typeof one_shot !== 'boolean')
    return refuse('one_shot must be true or false');
  return {
    ok: true,
    command: {
      command_id: (command_id as string | undefined) ?? newId(),
      site,
      action: action as CommandAction,
      actor: actor.trim(),
      ...(condition_id === undefined ? {} : { condition_id: condition_id as string }),
      ...(scope === undefined ? {} : { scope: scope as string }),
      ...(comment === undefined ? {} : { comment: comment as string }),
      ...(duration_ms === undefined ? {} : { duration_ms: duration_ms as number }),
      ...(one_shot === undefined ? {} : { one_shot }),
    },
  };
}

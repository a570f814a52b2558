/**
 * What an operator command means for the engine: the alarms it acts on (or
 * why there are none), the request each of them gets, and what a rejection
 * repeats of a command that could not be read.
 */
import { COMMAND_FIELDS } from '../operator/command-schema.ts';
import type { OperatorCommand } from './command.ts';
import type { AlarmDefinition } from './definition.ts';
import type { CommandRequest } from './operator.ts';
import type { AlarmState } from './state.ts';

export interface KnownAlarms {
  byCondition: ReadonlyMap<string, AlarmDefinition>;
  definitions: readonly AlarmDefinition[];
  states: ReadonlyMap<string, AlarmState>;
  isNative(conditionId: string): boolean;
}

/**
 * The alarms a command acts on, or why there are none. The command was
 * validated at its door: it names a condition_id, or a scope with ack.
 */
export function commandTargets(command: OperatorCommand, known: KnownAlarms): AlarmDefinition[] | string {
  if (command.scope === undefined) {
    const conditionId = command.condition_id ?? '';
    const def = known.byCondition.get(conditionId);
    if (def) return [def];
    if (known.isNative(conditionId)) {
      return `${conditionId} is a condition of its OPC UA server; acknowledge it there`;
    }
    return `no alarm ${conditionId} on this gateway`;
  }
  const prefix = `${command.scope}/`;
  const defs = known.definitions.filter(
    (def) => def.conditionId.startsWith(prefix) && !(known.states.get(def.conditionId)?.flags.acked ?? true),
  );
  return defs.length > 0 ? defs : noneUnder(command.scope);
}

export function noneUnder(scope: string): string {
  return `no alarm under ${scope} is unacknowledged`;
}

export function commandRequest(command: OperatorCommand): CommandRequest {
  return {
    action: command.action,
    actor: {
      actor: command.actor,
      ...(command.comment === undefined ? {} : { comment: command.comment }),
      commandId: command.command_id,
    },
    ...(command.duration_ms === undefined ? {} : { duration_ms: command.duration_ms }),
    ...(command.one_shot === undefined ? {} : { one_shot: command.one_shot }),
  };
}

/** What a rejection event repeats of a command: its known fields, short. */
export function readableCommand(
  received: Partial<Record<keyof OperatorCommand, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of COMMAND_FIELDS) {
    const value = received[field];
    if (value === undefined) continue;
    out[field] =
      typeof value === 'number' || typeof value === 'boolean' ? value : String(value).slice(0, 256);
  }
  return out;
}

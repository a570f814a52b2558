/**
 * What an operator command means for the engine: the alarms it acts on (or
 * why there are none), the request each of them gets, and what a rejection
 * repeats of a command that could not be read.
 */
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

/** The alarms a command acts on, or why there are none. */
export function commandTargets(command: OperatorCommand, known: KnownAlarms): AlarmDefinition[] | string {
  if (command.condition_id !== undefined) {
    const def = known.byCondition.get(command.condition_id);
    if (def) return [def];
    if (known.isNative(command.condition_id)) {
      return `${command.condition_id} is a condition of its OPC UA server; acknowledge it there`;
    }
    return `no alarm ${command.condition_id} on this gateway`;
  }
  if (command.scope === undefined) return 'the command names neither condition_id nor scope';
  if (command.action !== 'ack')
    return `only ack applies to a scope; ${command.action} needs one condition_id`;
  const prefix = `${command.scope.replace(/\/+$/, '')}/`;
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

const FIELDS = [
  'command_id',
  'site',
  'action',
  'condition_id',
  'scope',
  'actor',
  'comment',
  'duration_ms',
  'one_shot',
] as const;

/** What a rejection event repeats of a command: its known fields, short. */
export function readableCommand(
  received: Partial<Record<keyof OperatorCommand, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = received[field];
    if (value === undefined) continue;
    out[field] =
      typeof value === 'number' || typeof value === 'boolean' ? value : String(value).slice(0, 256);
  }
  return out;
}

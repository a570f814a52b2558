/**
 * Operator commands: what an operator asks of one alarm (or of every alarm of
 * an asset or area), from the command topic or a local surface. Each command
 * carries who asked and why, and an id that makes it idempotent: a command
 * delivered twice is applied once.
 */
import type { OperatorCommand } from '../operator/command-schema.ts';
import type { AlarmEvent } from './event.ts';

export const COMMAND_ACTIONS = [
  'ack',
  'shelve',
  'unshelve',
  'remove_from_service',
  'return_to_service',
  'reset',
] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** Its fields and limits are defined once, by the schema every door checks against. */
export type { OperatorCommand } from '../operator/command-schema.ts';

export interface CommandOutcome {
  accepted: boolean;
  /** The command id was applied before: nothing happened now. */
  duplicate: boolean;
  /** The events the command produced: its transitions, or its rejection. */
  events: AlarmEvent[];
  /** Why it was rejected. */
  reason?: string;
}

/** What the alarm stage offers to whatever receives commands (command topic, local API). */
export interface CommandSink {
  /**
   * A command as validateCommand (src/operator) passed it: the sink checks
   * only what needs the alarm's state.
   */
  command(command: OperatorCommand): CommandOutcome;
  /**
   * A message that is not a valid command is answered, not dropped: a
   * rejection event with what could be read of it and why it was refused.
   */
  reject(received: Partial<Record<keyof OperatorCommand, unknown>>, reason: string): CommandOutcome;
}

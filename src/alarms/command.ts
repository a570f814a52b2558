/**
 * Operator commands: what an operator asks of one alarm (or of every alarm of
 * an asset or area), from the command topic or a local surface. Each command
 * carries who asked and why, and an id that makes it idempotent: a command
 * delivered twice is applied once.
 */
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

export interface OperatorCommand {
  /** Unique per command: the same id again is a redelivery and changes nothing. */
  command_id: string;
  /** The site the command is for; a gateway applies only its own site's commands. */
  site: string;
  action: CommandAction;
  /** One alarm: `site/area/line/asset/point/alarm`. */
  condition_id?: string;
  /** Every alarm under an asset path prefix, `site/area[/line[/asset]]`; acknowledge only. */
  scope?: string;
  actor: string;
  comment?: string;
  /** Timed shelving: how long, at most the configured maximum. */
  duration_ms?: number;
  /** One-shot shelving: shelved until the alarm returns to normal. */
  one_shot?: boolean;
}

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
  command(command: OperatorCommand): CommandOutcome;
  /**
   * A message that is not a valid command is answered, not dropped: a
   * rejection event with what could be read of it and why it was refused.
   */
  reject(received: Partial<Record<keyof OperatorCommand, unknown>>, reason: string): CommandOutcome;
}

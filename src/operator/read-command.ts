/**
 * Turns one record of the command topic into a command, or into what could be
 * read of it and why it is not one. Pure: the intake decides what to do.
 */
import type { OperatorCommand } from '../alarms/command.ts';
import { formatPath, isRecord } from '../config/paths.ts';
import { schemaFindings } from '../config/schema-messages.ts';
import { type CommandMessage, commandValidator } from './command-message.ts';

export type Received = Partial<Record<keyof OperatorCommand, unknown>>;

export type ReadCommand =
  | { ok: true; site: string; command: OperatorCommand }
  | {
      ok: false;
      /** The site it is addressed to, when that could be read; undefined means maybe this one. */
      site: string | undefined;
      received: Received;
      reason: string;
    };

/**
 * `key` is the record key: senders key commands by site, so a message whose
 * body cannot be read still says which gateway it was for.
 */
export function readCommand(value: string, key: string | null): ReadCommand {
  const keySite = key?.trim() ? key : undefined;
  if (value.trim() === '') return invalid(keySite, {}, 'the message is empty');
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (error) {
    return invalid(keySite, {}, `the message is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(data)) return invalid(keySite, {}, 'the message is not a JSON object');
  const site = typeof data.site === 'string' ? data.site : keySite;
  // The alarm stage keeps what it knows of these fields, cut short, in the rejection event.
  const received: Received = data;
  const validate = commandValidator();
  if (!validate(data)) {
    const problems = schemaFindings(validate.errors ?? [], data).map(
      (finding) => `${formatPath(finding.path) || 'the command'}: ${finding.message}`,
    );
    return invalid(site, received, problems.join('; '));
  }
  const message = data as CommandMessage;
  const problems = meaningProblems(message);
  if (problems.length > 0) return invalid(site, received, problems.join('; '));
  return { ok: true, site: message.site, command: message };
}

/** What the schema cannot say: which fields go together. */
function meaningProblems(message: CommandMessage): string[] {
  const problems: string[] = [];
  const { action } = message;
  if (message.condition_id === undefined && message.scope === undefined) {
    problems.push('needs condition_id (one alarm) or scope (every alarm under an asset path)');
  }
  if (message.condition_id !== undefined && message.scope !== undefined) {
    problems.push('has both condition_id and scope; give one');
  }
  if (message.scope !== undefined && action !== 'ack') {
    problems.push(`scope is for ack only; ${action} needs a condition_id`);
  }
  if (action === 'shelve') {
    const oneShot = message.one_shot === true;
    if (message.duration_ms === undefined && !oneShot) {
      problems.push('shelve needs duration_ms (timed) or one_shot: true');
    }
    if (message.duration_ms !== undefined && oneShot) {
      problems.push('shelve is timed (duration_ms) or one-shot, not both');
    }
  } else {
    for (const field of ['duration_ms', 'one_shot'] as const) {
      if (message[field] !== undefined) problems.push(`${field} is for shelve only, not ${action}`);
    }
  }
  return problems;
}

function invalid(site: string | undefined, received: Received, reason: string): ReadCommand {
  return { ok: false, site, received, reason };
}

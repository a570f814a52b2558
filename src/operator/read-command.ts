/**
 * Turns one record of the command topic into a command, or into what could be
 * read of it and why it is not one. Only the record is this door's concern
 * (empty, not JSON, not an object, which site it is for); the command itself
 * is checked by validateCommand, as on every door. Pure: the intake decides
 * what to do.
 */
import type { OperatorCommand } from '../alarms/command.ts';
import { isRecord } from '../config/paths.ts';
import { describeIssues, validateCommand } from './validate-command.ts';

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
  const validated = validateCommand(data);
  // The alarm stage keeps what it knows of these fields, cut short, in the rejection event.
  if (!validated.ok) return invalid(site, data, describeIssues(validated.issues));
  return { ok: true, site: validated.command.site, command: validated.command };
}

function invalid(site: string | undefined, received: Received, reason: string): ReadCommand {
  return { ok: false, site, received, reason };
}

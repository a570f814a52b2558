/**
 * An operator command as it arrives over HTTP. The body is checked by
 * validateCommand, as a command from the command topic is; this door only
 * fills in what HTTP callers may leave out: the gateway's own site, and a
 * fresh command id (the page sends one per click, so a retried request is
 * applied once).
 */
import type { OperatorCommand } from '../alarms/command.ts';
import { type CommandIssue, describeIssues, validateCommand } from '../operator/validate-command.ts';

export type ParsedCommand =
  | { ok: true; command: OperatorCommand }
  | {
      ok: false;
      reason: string;
      issues: CommandIssue[];
      received: Partial<Record<keyof OperatorCommand, unknown>>;
    };

export function parseCommandRequest(
  body: Record<string, unknown>,
  site: string,
  newId: () => string,
): ParsedCommand {
  const filled = {
    site,
    ...body,
    ...(body.command_id === undefined ? { command_id: newId() } : {}),
  };
  const validated = validateCommand(filled);
  if (validated.ok) return validated;
  return { ok: false, reason: describeIssues(validated.issues), issues: validated.issues, received: filled };
}

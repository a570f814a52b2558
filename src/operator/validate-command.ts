/**
 * The one check of an operator command, whichever door it came through: the
 * schema of command-schema.ts (compiled by Ajv once, on first use), then the
 * rules about which fields go together. Each problem is an issue naming the
 * field and what is wrong with it; the alarm stage then checks only what
 * needs the alarm's state.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { COMMAND_FIELDS, CommandSchema, type OperatorCommand } from './command-schema.ts';

export interface CommandIssue {
  /** The field it is about; the empty string for the command as a whole. */
  path: string;
  message: string;
}

export type ValidatedCommand = { ok: true; command: OperatorCommand } | { ok: false; issues: CommandIssue[] };

/** More issues than this are counted, not listed: a message of a thousand unknown fields is one mistake. */
const MAX_LISTED_ISSUES = 10;
/** An unknown field is named, but a name of a kilobyte is cut. */
const MAX_NAME_CHARS = 64;

let compiled: ValidateFunction | undefined;

/** Compiled on first use, once: a gateway may never receive a command. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  compiled = ajv.compile(JSON.parse(JSON.stringify(CommandSchema)));
  return compiled;
}

export function validateCommand(data: unknown): ValidatedCommand {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, issues: [{ path: '', message: 'must be a JSON object' }] };
  }
  const validate = validator();
  if (!validate(data)) return { ok: false, issues: schemaIssues(validate.errors ?? []) };
  const command = data as OperatorCommand;
  const issues = combinationIssues(command);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, command: { ...command, actor: command.actor.trim() } };
}

/** `field: what is wrong; …`, as a rejection states it on every door. */
export function describeIssues(issues: readonly CommandIssue[]): string {
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${issue.path || 'the command'}: ${issue.message}`);
  const more = issues.length - listed.length;
  return [...listed, ...(more > 0 ? [`and ${more} more`] : [])].join('; ');
}

/** What the schema cannot say: which fields go together. */
function combinationIssues(command: OperatorCommand): CommandIssue[] {
  const issues: CommandIssue[] = [];
  const whole = (message: string) => issues.push({ path: '', message });
  const { action } = command;
  if (command.condition_id === undefined && command.scope === undefined) {
    whole('needs condition_id (one alarm) or scope (every alarm under an asset path)');
  }
  if (command.condition_id !== undefined && command.scope !== undefined) {
    whole('has both condition_id and scope; give one');
  }
  if (command.scope !== undefined && action !== 'ack') {
    issues.push({ path: 'scope', message: `is for ack only; ${action} needs a condition_id` });
  }
  if (action === 'shelve') {
    const oneShot = command.one_shot === true;
    if (command.duration_ms === undefined && !oneShot)
      whole('shelve needs duration_ms (timed) or one_shot: true');
    if (command.duration_ms !== undefined && oneShot)
      whole('shelve is timed (duration_ms) or one-shot, not both');
  } else {
    for (const field of ['duration_ms', 'one_shot'] as const) {
      if (command[field] !== undefined)
        issues.push({ path: field, message: `is for shelve only, not ${action}` });
    }
  }
  return issues;
}

/** Of several errors about one field, the one that says most: its type before its length before its form. */
const RANK = ['required', 'additionalProperties', 'type', 'enum', 'minLength', 'maxLength', 'pattern'];

function schemaIssues(errors: readonly ErrorObject[]): CommandIssue[] {
  const byField = new Map<string, { rank: number; issue: CommandIssue }>();
  for (const error of errors) {
    const issue = issueOf(error);
    const rank = RANK.includes(error.keyword) ? RANK.indexOf(error.keyword) : RANK.length;
    const held = byField.get(issue.path);
    if (!held || rank < held.rank) byField.set(issue.path, { rank, issue });
  }
  const order = (path: string) => {
    const known = (COMMAND_FIELDS as readonly string[]).indexOf(path);
    return known === -1 ? COMMAND_FIELDS.length : known;
  };
  // Known fields in schema order, then unknown ones as they came.
  return [...byField.values()].map(({ issue }) => issue).sort((a, b) => order(a.path) - order(b.path));
}

function issueOf(error: ErrorObject): CommandIssue {
  const field = error.instancePath.slice(1);
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: String(params.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return {
        path: nameOf(String(params.additionalProperty)),
        message: `unknown field (allowed: ${COMMAND_FIELDS.join(', ')})`,
      };
    case 'minLength':
      return { path: field, message: 'must not be empty' };
    case 'maxLength':
      return { path: field, message: `must be at most ${params.limit} characters long` };
    case 'pattern':
      return { path: field, message: String(schema.patternErrorMessage) };
    default:
      return { path: field, message: `must be ${expectation(schema)}` };
  }
}

/** What a field accepts, as the end of "must be …": the whole rule, not just the bound that was crossed. */
function expectation(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(', ')}`;
  switch (schema.type) {
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `an integer from ${schema.minimum} to ${schema.maximum}`;
    case 'string':
      return 'a string';
    default:
      return 'a valid value';
  }
}

function nameOf(field: string): string {
  const short = field.length > MAX_NAME_CHARS ? `${field.slice(0, MAX_NAME_CHARS)}…` : field;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(short) ? short : JSON.stringify(short);
}

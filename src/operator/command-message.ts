/**
 * The JSON message of one operator command on the command topic, checked with
 * the same tools as the site file (a TypeBox schema compiled by Ajv) so its
 * errors read the same way. docs/operator-commands.md describes it.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { COMMAND_ACTIONS, type CommandAction } from '../alarms/command.ts';

/** Longest free text kept: an actor or comment is a name or a sentence, not a document. */
export const MAX_ACTOR = 128;
export const MAX_COMMENT = 1000;
export const MAX_ID = 128;

const Text = (maxLength: number, description: string) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '\\S',
    patternErrorMessage: 'must not be blank',
    description,
  });

export const CommandMessage = Type.Object(
  {
    command_id: Text(MAX_ID, 'Unique per command (a UUIDv7, say); the same id again is applied once.'),
    site: Text(MAX_ID, 'The site the command is for; other sites ignore it.'),
    action: Type.Unsafe<CommandAction>({ type: 'string', enum: [...COMMAND_ACTIONS] }),
    condition_id: Type.Optional(Text(512, 'One alarm: site/area/line/asset/point/alarm.')),
    scope: Type.Optional(Text(512, 'Every alarm under site/area[/line[/asset]]; ack only.')),
    actor: Text(MAX_ACTOR, 'Who asked: the operator, as the audit trail names them.'),
    comment: Type.Optional(Type.String({ maxLength: MAX_COMMENT })),
    duration_ms: Type.Optional(Type.Integer({ exclusiveMinimum: 0, description: 'Timed shelving.' })),
    one_shot: Type.Optional(Type.Boolean({ description: 'Shelved until the alarm returns to normal.' })),
  },
  { additionalProperties: false },
);
export type CommandMessage = Static<typeof CommandMessage>;

let compiled: ValidateFunction | undefined;

/** Compiled on first use, once: the gateway may never receive a command. */
export function commandValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  compiled = ajv.compile(JSON.parse(JSON.stringify(CommandMessage)));
  return compiled;
}

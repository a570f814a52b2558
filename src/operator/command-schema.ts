/**
 * What an operator command is, the only definition of it: every field, every
 * limit and the form of its alarm paths. The command topic, the HTTP listener
 * and the CLI all check a command against this schema (validate-command.ts),
 * so a command is valid on one door exactly when it is valid on the others.
 * docs/operator-commands.md renders its table of fields from it.
 */
import { type Static, Type } from '@sinclair/typebox';
import { COMMAND_ACTIONS, type CommandAction } from '../alarms/command.ts';
import { LONGEST_TIMER_MS } from '../config/limits.ts';

export const COMMAND_LIMITS = {
  /** command_id and site: an id, not a document. */
  idChars: 128,
  /** A name as the audit trail shows it. */
  actorChars: 128,
  /** A sentence or two about why. */
  commentChars: 1000,
  /** Shorter shelving is a slip of the unit, not an operator's intent. */
  minShelveMs: 1000,
  /** The longest a timer can wait; the site's gateway.alarms.max_shelve_ms may allow less. */
  maxShelveMs: LONGEST_TIMER_MS,
  /** Each id of an alarm path, as the site file allows ids. */
  pathIdChars: 64,
} as const;

/** One id of an alarm path: what site files and OPC UA condition names become (see config Id). */
const PATH_ID = `[A-Za-z0-9_.-]{1,${COMMAND_LIMITS.pathIdChars}}`;
const ID_RULE = `ids of letters, digits, "_", "." and "-" (each at most ${COMMAND_LIMITS.pathIdChars} characters) joined by "/"`;

const Text = (maxLength: number, description: string) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '\\S',
    patternErrorMessage: 'must not be blank',
    description,
  });

const AlarmPath = (pattern: string, form: string, description: string) =>
  Type.String({ pattern, patternErrorMessage: `must be ${form}: ${ID_RULE}`, description });

export const CommandSchema = Type.Object(
  {
    command_id: Text(
      COMMAND_LIMITS.idChars,
      'Unique per command; a UUIDv7 is a good choice. The same id again is a redelivery: applied once, answered once. Over HTTP the gateway makes one when it is left out.',
    ),
    site: Text(
      COMMAND_LIMITS.idChars,
      "The site the command is for. On the command topic other sites' gateways skip it; over HTTP it may be left out (the gateway's own site).",
    ),
    action: Type.Unsafe<CommandAction>({
      type: 'string',
      enum: [...COMMAND_ACTIONS],
      description: 'What to do; alarms.md says what each action does and when the alarm stage refuses it.',
    }),
    condition_id: Type.Optional(
      AlarmPath(
        `^${PATH_ID}(/${PATH_ID}){5}$`,
        'site/area/line/asset/point/alarm',
        'One alarm, as in its events. Give this or `scope`.',
      ),
    ),
    scope: Type.Optional(
      AlarmPath(
        `^${PATH_ID}(/${PATH_ID}){1,3}$`,
        'site/area[/line[/asset]]',
        'Every unacknowledged alarm under this asset path. `ack` only. Give this or `condition_id`.',
      ),
    ),
    actor: Text(
      COMMAND_LIMITS.actorChars,
      'Who gave the command (spaces around it are dropped); it is in every event the command causes.',
    ),
    comment: Type.Optional(
      Type.String({ maxLength: COMMAND_LIMITS.commentChars, description: 'Why; it is in the events too.' }),
    ),
    duration_ms: Type.Optional(
      Type.Integer({
        minimum: COMMAND_LIMITS.minShelveMs,
        maximum: COMMAND_LIMITS.maxShelveMs,
        description:
          "Timed `shelve`: how long, in milliseconds. The site's `gateway.alarms.max_shelve_ms` may allow less. `shelve` only; give this or `one_shot`.",
      }),
    ),
    one_shot: Type.Optional(
      Type.Boolean({
        description:
          '`true`: shelved until the alarm returns to normal. `shelve` only; not together with `duration_ms`.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A command as every door hands it to the alarm stage. */
export type OperatorCommand = Static<typeof CommandSchema>;

/** The fields a command may have, in the order issues and docs name them. */
export const COMMAND_FIELDS = Object.keys(CommandSchema.properties) as ReadonlyArray<keyof OperatorCommand>;

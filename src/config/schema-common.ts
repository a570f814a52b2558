/**
 * Building blocks of the site file schema that every protocol shares: ids,
 * durations, priorities and secrets.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';
import { LONGEST_TIMER_MS } from './limits.ts';

export const Id = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  maxLength: 64,
  description: 'Identifier: letters, digits, "_", "." and "-"; no "/" because ids form paths.',
  // Read by editors (YAML and JSON language servers) and by the validator in place of the bare regex.
  patternErrorMessage: 'must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
});

/**
 * A union whose variants are told apart by the value of one key. Validators
 * check only the variant that key names, so a mistake yields the errors of
 * that variant instead of the errors of every variant.
 */
export const Tagged = <T extends TSchema[]>(tag: string, variants: [...T]) =>
  Type.Union(variants, { discriminator: { propertyName: tag } });

export const strict = <T extends Record<string, TSchema>>(
  properties: T,
  options: { description?: string; title?: string } = {},
) => Type.Object(properties, { additionalProperties: false, ...options });

/**
 * A duration in milliseconds. Bounded by the longest timer Node can set
 * unless the key gives a maximum of its own (a duration that is only
 * compared, never waited for, may be longer).
 */
export const Milliseconds = (description: string, min = 0, defaultValue?: number, max = LONGEST_TIMER_MS) =>
  Type.Integer({
    minimum: min,
    maximum: max,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });

export const Priority = Type.Union(
  [
    Type.Literal('critical'),
    Type.Literal('high'),
    Type.Literal('medium'),
    Type.Literal('low'),
    Type.Literal('diagnostic'),
  ],
  { description: 'Alarm priority (ISA-18.2).' },
);
export type Priority = Static<typeof Priority>;

export const SecretSource = strict(
  {
    file: Type.Optional(
      Type.String({ minLength: 1, description: 'File holding the secret (trailing newline ignored).' }),
    ),
    env: Type.Optional(
      Type.String({ minLength: 1, description: 'Environment variable holding the secret.' }),
    ),
  },
  { description: 'Where a secret comes from: exactly one of file or env; never inline.' },
);
export type SecretSource = Static<typeof SecretSource>;

/** How far a device's own timestamps may stray from the gateway clock (`what` names them). */
export const SourceTimeTolerance = (what: string) =>
  Type.Optional(
    Milliseconds(
      `How far ${what} may be from the gateway clock, ahead or behind; further makes the reading bad quality (bad_timestamp). Default 7 days.`,
      1000,
      DEFAULTS.sourceTimeToleranceMs,
    ),
  );

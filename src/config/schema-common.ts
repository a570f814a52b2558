/**
 * Building blocks of the site file schema that every protocol shares: ids,
 * durations, priorities, alarm rules and secrets.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

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

export const Milliseconds = (description: string, min = 0, defaultValue?: number) =>
  Type.Integer({
    minimum: min,
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

export const LimitLevel = Type.Union([
  Type.Literal('HH'),
  Type.Literal('H'),
  Type.Literal('L'),
  Type.Literal('LL'),
]);
export type LimitLevel = Static<typeof LimitLevel>;

export const LimitSetting = strict({
  value: Type.Number({ description: 'Threshold in engineering units (after scale and offset).' }),
  priority: Type.Optional(Priority),
  deadband: Type.Optional(
    Type.Number({ minimum: 0, description: 'Overrides the rule deadband for this level.' }),
  ),
});
export type LimitSetting = Static<typeof LimitSetting>;

export const RuleCommon = {
  id: Type.String({ ...Id, description: 'Rule id, unique within its point.' }),
  priority: Type.Optional(Priority),
  message: Type.Optional(
    Type.String({
      description:
        'Message template; {point}, {asset}, {device}, {alarm}, {value}, {unit}, {level}, {limit} are replaced.',
    }),
  ),
  on_delay_ms: Type.Optional(Milliseconds('The condition must hold this long before the alarm raises.')),
  off_delay_ms: Type.Optional(Milliseconds('The condition must be gone this long before the alarm clears.')),
};

export const LimitRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('limit'),
    deadband: Type.Optional(
      Type.Number({ minimum: 0, description: 'Hysteresis applied when a level clears.' }),
    ),
    HH: Type.Optional(LimitSetting),
    H: Type.Optional(LimitSetting),
    L: Type.Optional(LimitSetting),
    LL: Type.Optional(LimitSetting),
  },
  { title: 'Limit alarm', description: 'HH/H/L/LL limits; the most severe level that holds wins.' },
);
export type LimitRule = Static<typeof LimitRule>;

export const DiscreteRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('discrete'),
    alarm_when: Type.Optional(
      Type.Boolean({ default: true, description: 'The boolean value that means "in alarm".' }),
    ),
  },
  { title: 'Discrete alarm', description: 'Raised while a boolean point holds alarm_when.' },
);
export type DiscreteRule = Static<typeof DiscreteRule>;

export const AlarmRule = Tagged('kind', [LimitRule, DiscreteRule]);
export type AlarmRule = Static<typeof AlarmRule>;

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

/**
 * Alarm rules of a point, one kind each, and the site-wide alarm settings
 * (shelving limit, chattering, floods). Every kind states its condition in
 * engineering units; delays, deadbands and priorities mean the same for all.
 */
import { type Static, Type } from '@sinclair/typebox';
import { ALARM_DEFAULTS } from './alarm-defaults.ts';
import { Id, Milliseconds, Priority, strict, Tagged } from './schema-common.ts';

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

export const ChatterSetting = strict(
  {
    max_raises: Type.Integer({
      minimum: 1,
      description: 'More raises than this within window_ms make the alarm chatter.',
    }),
    window_ms: Milliseconds('The sliding window the raises are counted in.', 1000),
    shelve_ms: Type.Optional(
      Milliseconds('Shelve a chattering alarm automatically for this long (off when absent).', 1000),
    ),
  },
  { description: 'Chattering detection: a chatter event when an alarm raises too often.' },
);
export type ChatterSetting = Static<typeof ChatterSetting>;

/** A point reference: a point id of the same device, or `device/point`. */
export const PointRef = (description: string) =>
  Type.String({
    minLength: 1,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$',
    description,
  });

export const SuppressWhen = Type.String({
  minLength: 1,
  description:
    'Suppressed by design while this condition holds, e.g. "pump_running == false" or "line1/mode != 2 and speed < 5": point references (a point of this device, or device/point), numbers, true/false, == != < <= > >=, and, or, not, parentheses.',
});

export const DeviceSuppressWhen = Type.String({
  ...SuppressWhen,
  description: `Every alarm of the device (not its communication alarm) is suppressed by design while this holds. ${SuppressWhen.description}`,
});

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
  realarm_ms: Type.Optional(
    Milliseconds(
      'An acknowledged alarm still active this long after its acknowledgement annunciates again.',
      1000,
    ),
  ),
  latch: Type.Optional(
    Type.Boolean({ description: 'Stays active after the condition is gone, until an operator resets it.' }),
  ),
  suppress_when: Type.Optional(SuppressWhen),
  chatter: Type.Optional(ChatterSetting),
};

const LimitLevels = {
  deadband: Type.Optional(
    Type.Number({ minimum: 0, description: 'Hysteresis applied when a level clears.' }),
  ),
  HH: Type.Optional(LimitSetting),
  H: Type.Optional(LimitSetting),
  L: Type.Optional(LimitSetting),
  LL: Type.Optional(LimitSetting),
};

export const LimitRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('limit'),
    ...LimitLevels,
    levels: Type.Optional(
      Type.Union([Type.Literal('exclusive'), Type.Literal('non_exclusive')], {
        description:
          'exclusive (default): one alarm in the most severe level that holds; non_exclusive: one alarm per level (alarm id <id>.<level>), HH and H active together.',
      }),
    ),
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
    command_point: Type.Optional(
      PointRef(
        'State mismatch: in alarm while the value differs from this command point (alarm_when is then not used); use on_delay_ms for the travel time.',
      ),
    ),
  },
  { title: 'Discrete alarm', description: 'Raised while a boolean point holds alarm_when.' },
);
export type DiscreteRule = Static<typeof DiscreteRule>;

export const BitRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('bit'),
    bit: Type.Integer({
      minimum: 0,
      maximum: 52,
      description: 'Bit of the alarm word, 0 = least significant.',
    }),
    alarm_when: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'true: in alarm while the bit is set; false: while it is clear.',
      }),
    ),
  },
  { title: 'Bit alarm', description: 'One bit of an integer alarm word; give each bit a rule of its own.' },
);
export type BitRule = Static<typeof BitRule>;

const RateLimit = strict({
  value: Type.Number({ exclusiveMinimum: 0, description: 'Rate in engineering units per `per`.' }),
  priority: Type.Optional(Priority),
  deadband: Type.Optional(Type.Number({ minimum: 0 })),
});

export const RateRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('rate'),
    per: Type.Optional(
      Type.Union([Type.Literal('second'), Type.Literal('minute')], {
        description: 'Unit of the rate; default second.',
      }),
    ),
    window_ms: Type.Optional(
      Milliseconds(
        'The rate is the change over this window (oldest to newest sample).',
        100,
        ALARM_DEFAULTS.rateWindowMs,
      ),
    ),
    deadband: Type.Optional(Type.Number({ minimum: 0 })),
    rising: Type.Optional(RateLimit),
    falling: Type.Optional(RateLimit),
  },
  {
    title: 'Rate-of-change alarm',
    description: 'Raised while the value rises or falls faster than a limit.',
  },
);
export type RateRule = Static<typeof RateRule>;

const DeviationLimit = strict({
  value: Type.Number({
    exclusiveMinimum: 0,
    description: 'Allowed deviation, absolute or in percent of the setpoint.',
  }),
  priority: Type.Optional(Priority),
  deadband: Type.Optional(Type.Number({ minimum: 0 })),
});

export const DeviationRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('deviation'),
    setpoint_point: PointRef('The setpoint the value is compared against.'),
    mode: Type.Optional(
      Type.Union([Type.Literal('absolute'), Type.Literal('percent')], {
        description: 'absolute (default): value - setpoint; percent: of the setpoint magnitude.',
      }),
    ),
    deadband: Type.Optional(Type.Number({ minimum: 0 })),
    high: Type.Optional(DeviationLimit),
    low: Type.Optional(DeviationLimit),
  },
  { title: 'Deviation alarm', description: 'Raised while the value is too far above or below its setpoint.' },
);
export type DeviationRule = Static<typeof DeviationRule>;

export const StaleRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('stale'),
    flatline_ms: Type.Optional(Milliseconds('In alarm when the value has not changed for this long.', 1000)),
    no_update_ms: Type.Optional(Milliseconds('In alarm when no usable reading arrived for this long.', 1000)),
  },
  { title: 'Stale alarm', description: 'A frozen value (flatline) or a point that stopped updating.' },
);
export type StaleRule = Static<typeof StaleRule>;

export const AlarmRule = Tagged('kind', [
  LimitRule,
  DiscreteRule,
  BitRule,
  RateRule,
  DeviationRule,
  StaleRule,
]);
export type AlarmRule = Static<typeof AlarmRule>;

export const FloodSetting = strict(
  {
    max_alarms: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: ALARM_DEFAULTS.floodMaxAlarms,
        description: 'More annunciated alarms than this in an area within window_ms start a flood.',
      }),
    ),
    window_ms: Type.Optional(
      Milliseconds('The sliding window alarms are counted in.', 1000, ALARM_DEFAULTS.floodWindowMs),
    ),
    end_below: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'The flood ends when fewer alarms than this were annunciated within the window; default half of max_alarms.',
      }),
    ),
    suppress_below: Type.Optional(
      Type.Union(
        [Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('diagnostic')],
        {
          description:
            'During a flood, alarms of a lower priority than this are suppressed instead of annunciated.',
        },
      ),
    ),
  },
  { description: 'Alarm flood detection per area (ISA-18.2: more than 10 alarms in 10 minutes).' },
);
export type FloodSetting = Static<typeof FloodSetting>;

export const AlarmSettings = strict(
  {
    max_shelve_ms: Type.Optional(
      Milliseconds('Longest timed shelving an operator may ask for.', 1000, ALARM_DEFAULTS.maxShelveMs),
    ),
    chatter: Type.Optional(ChatterSetting),
    flood: Type.Optional(FloodSetting),
  },
  { description: 'Alarm management settings of the site; rules may override chatter.' },
);
export type AlarmSettings = Static<typeof AlarmSettings>;

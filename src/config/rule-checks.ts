/** Consistency of one alarm rule with its point, and of limit levels with each other. */
import { type CheckContext, cleanKeys } from './check-context.ts';
import { isBooleanType } from './data-types.ts';
import { isRecord, type Path } from './paths.ts';
import type { DataType, LimitLevel } from './schema.ts';

/** The kinds a rule may have; a rule of another kind is the schema's to report. */
export const RULE_KINDS: ReadonlySet<unknown> = new Set([
  'limit',
  'discrete',
  'bit',
  'rate',
  'deviation',
  'stale',
]);

/** From the lowest threshold to the highest. */
const RISING: readonly LimitLevel[] = ['LL', 'L', 'H', 'HH'];

interface Level {
  name: LimitLevel;
  value: number;
  /** Where the deadband that applies to this level is set, if anywhere. */
  deadband?: { value: number; path: Path };
}

export function checkRule(
  context: CheckContext,
  type: DataType,
  rule: Record<string, unknown>,
  path: Path,
): void {
  checkRuleOn(
    context,
    { boolean: isBooleanType(type), name: type, booleanKinds: 'a bool or bit' },
    rule,
    path,
  );
}

/** For points typed otherwise than Modbus points: whether the value is boolean, and the type as the site file names it. */
export function checkRuleOn(
  context: CheckContext,
  type: { boolean: boolean; name: string; booleanKinds: string; discreteFix?: string },
  rule: Record<string, unknown>,
  path: Path,
): void {
  if (!cleanKeys(context, path, 'kind')) return;
  const { boolean } = type;
  if (rule.kind === 'limit' && boolean) {
    const message = `a limit rule needs a numeric point, and this point is ${type.name}; use kind discrete`;
    context.report('CONFIG_SCHEMA', [...path, 'kind'], 'value', message);
    return;
  }
  if (rule.kind === 'discrete' && !boolean) {
    const message = `a discrete rule needs ${type.booleanKinds} point, and this point is ${type.name}; use kind limit${type.discreteFix ?? ''}`;
    context.report('CONFIG_SCHEMA', [...path, 'kind'], 'value', message);
    return;
  }
  if (rule.kind === 'limit') checkLimitLevels(context, rule, path);
  const numeric = NUMERIC_KINDS[String(rule.kind)];
  if (numeric && boolean) {
    const message = `a ${rule.kind} rule needs ${numeric}, and this point is ${type.name}`;
    context.report('CONFIG_SCHEMA', [...path, 'kind'], 'value', message);
    return;
  }
  const sides = SIDES[String(rule.kind)];
  if (sides?.every((side) => rule[side] === undefined)) {
    const message = `a ${rule.kind} rule needs ${sides.join(' or ')}`;
    context.report('CONFIG_SCHEMA', path, 'container', message);
  }
}

/** Kinds that compare numbers, and what they need of the point. */
const NUMERIC_KINDS: Record<string, string> = {
  bit: 'an integer alarm word (a register, not a bool)',
  rate: 'a numeric point',
  deviation: 'a numeric point',
};

/** Kinds with optional sides of which one at least must be given. */
const SIDES: Record<string, string[]> = {
  rate: ['rising', 'falling'],
  deviation: ['high', 'low'],
  stale: ['flatline_ms', 'no_update_ms'],
};

function checkLimitLevels(context: CheckContext, rule: Record<string, unknown>, path: Path): void {
  if (RISING.every((name) => rule[name] === undefined)) {
    context.report(
      'CONFIG_SCHEMA',
      path,
      'container',
      'a limit rule needs at least one level: HH, H, L or LL',
    );
    return;
  }
  // Ordering and gaps only mean something when every level and deadband is sound.
  if (!cleanKeys(context, path, 'deadband', ...RISING)) return;
  const levels = RISING.flatMap((name) => levelOf(rule, path, name));
  if (checkRising(context, path, levels)) checkDeadbands(context, levels);
}

function levelOf(rule: Record<string, unknown>, path: Path, name: LimitLevel): Level[] {
  const setting = rule[name];
  if (!isRecord(setting) || typeof setting.value !== 'number') return [];
  const level: Level = { name, value: setting.value };
  if (typeof setting.deadband === 'number') {
    level.deadband = { value: setting.deadband, path: [...path, name, 'deadband'] };
  } else if (typeof rule.deadband === 'number') {
    level.deadband = { value: rule.deadband, path: [...path, 'deadband'] };
  }
  return [level];
}

/** Levels present must rise LL < L < H < HH; each pair of neighbours is compared once. */
function checkRising(context: CheckContext, path: Path, levels: readonly Level[]): boolean {
  let rising = true;
  levels.forEach((upper, index) => {
    const lower = levels[index - 1];
    if (lower === undefined || upper.value > lower.value) return;
    rising = false;
    const message = `must be above ${lower.name} (${lower.value}): levels rise LL < L < H < HH`;
    context.report('CONFIG_SCHEMA', [...path, upper.name, 'value'], 'value', message);
  });
  return rising;
}

/**
 * A level clears once the value is back inside by its deadband: high levels
 * downwards, low levels upwards. A deadband as wide as the gap to the next
 * level keeps a level raised after the value has reached that next level.
 */
function checkDeadbands(context: CheckContext, levels: readonly Level[]): void {
  levels.forEach((level, index) => {
    const high = level.name === 'H' || level.name === 'HH';
    const neighbour = high ? levels[index - 1] : levels[index + 1];
    if (neighbour === undefined || level.deadband === undefined) return;
    const [lower, upper] = high ? [neighbour, level] : [level, neighbour];
    const gap = Number((upper.value - lower.value).toPrecision(12));
    if (level.deadband.value < gap) return;
    const message =
      `must be smaller than the gap of ${gap} between ${lower.name} (${lower.value}) ` +
      `and ${upper.name} (${upper.value})`;
    context.report('CONFIG_SCHEMA', level.deadband.path, 'value', message);
  });
}

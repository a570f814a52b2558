/**
 * Which limit level a value is in. Levels are exclusive: the most severe level
 * whose condition holds wins, so a value above HH is in HH, never in H too.
 *
 * Deadband is hysteresis on the way back to normal only. A level holds with
 * its deadband while the alarm is in it or in the more severe level on the
 * same side (in HH, H also holds down to H - deadband): that is the level the
 * value passed on its way in, and letting it go early would clear the alarm
 * and raise it again on the next sample. Entering a level needs the limit
 * itself, no deadband.
 */
import type { LimitLevel, LimitRule, Priority } from '../config/schema.ts';

/** Order of precedence: most severe first within each side, high side first. */
export const LIMIT_LEVELS: readonly LimitLevel[] = ['HH', 'H', 'LL', 'L'];

export interface LevelSetting {
  level: LimitLevel;
  limit: number;
  /** The level's own deadband, else the rule's, else 0. */
  deadband: number;
  priority?: Priority;
}

export function isHighLevel(level: LimitLevel): boolean {
  return level === 'HH' || level === 'H';
}

export function levelSetting(rule: LimitRule, level: LimitLevel): LevelSetting | undefined {
  const setting = rule[level];
  if (!setting) return undefined;
  return {
    level,
    limit: setting.value,
    deadband: setting.deadband ?? rule.deadband ?? 0,
    ...(setting.priority === undefined ? {} : { priority: setting.priority }),
  };
}

/** The less severe level on the same side, which the value crossed to reach `level`. */
function milderLevel(level: LimitLevel): LimitLevel | undefined {
  if (level === 'HH') return 'H';
  if (level === 'LL') return 'L';
  return undefined;
}

/** True when moving from `from` to `to` stays on one side and eases off (HH -> H, LL -> L). */
export function isEasing(from: LimitLevel | undefined, to: LimitLevel): boolean {
  return from !== undefined && milderLevel(from) === to;
}

/** The levels that hold with their deadband while the alarm is in `current`. */
export function heldLevels(current: LimitLevel | undefined): LimitLevel[] {
  if (current === undefined) return [];
  const milder = milderLevel(current);
  return milder === undefined ? [current] : [current, milder];
}

/** The threshold a value is compared against: the limit, moved by the deadband when it applies. */
export function effectiveThreshold(setting: LevelSetting, current: LimitLevel | undefined): number {
  if (!heldLevels(current).includes(setting.level)) return setting.limit;
  return isHighLevel(setting.level) ? setting.limit - setting.deadband : setting.limit + setting.deadband;
}

export function levelHolds(
  rule: LimitRule,
  level: LimitLevel,
  value: number,
  current: LimitLevel | undefined,
): boolean {
  const setting = levelSetting(rule, level);
  if (!setting) return false;
  const threshold = effectiveThreshold(setting, current);
  return isHighLevel(level) ? value >= threshold : value <= threshold;
}

/**
 * The level the alarm should be in for `value`, given the level it is in now
 * (undefined when inactive); undefined means normal.
 */
export function targetLevel(
  rule: LimitRule,
  value: number,
  current: LimitLevel | undefined,
): LimitLevel | undefined {
  return LIMIT_LEVELS.find((level) => levelHolds(rule, level, value, current));
}

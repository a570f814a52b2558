/**
 * Rate and deviation alarms have a high and a low side like a limit alarm,
 * on a measure instead of the value: they are evaluated as limit rules
 * (H for rising / above, L for falling / below), so levels, deadband and
 * priorities mean exactly the same for all three.
 */
import type { LimitRule } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';

const cache = new WeakMap<AlarmDefinition['rule'], LimitRule>();

export function limitsOf(def: AlarmDefinition): LimitRule | undefined {
  const { rule } = def;
  if (rule.kind === 'limit') return rule;
  if (rule.kind !== 'rate' && rule.kind !== 'deviation') return undefined;
  const known = cache.get(rule);
  if (known) return known;
  const high = rule.kind === 'rate' ? rule.rising : rule.high;
  const low = rule.kind === 'rate' ? rule.falling : rule.low;
  const limits: LimitRule = {
    id: rule.id,
    kind: 'limit',
    ...(rule.deadband === undefined ? {} : { deadband: rule.deadband }),
    ...(high ? { H: { ...high } } : {}),
    ...(low ? { L: { ...low, value: -low.value } } : {}),
  };
  cache.set(rule, limits);
  return limits;
}

/** How the compared quantity is named in reasons and messages. */
export function measureName(def: AlarmDefinition): string {
  const { rule } = def;
  if (rule.kind === 'rate') return `rate (per ${rule.per ?? 'second'})`;
  if (rule.kind === 'deviation') return rule.mode === 'percent' ? 'deviation (%)' : 'deviation';
  return 'value';
}

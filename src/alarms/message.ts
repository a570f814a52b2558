/**
 * The human `message` of an event: the rule's template when it has one, else
 * a default that names the equipment, the point and what happened to it.
 *
 * A rule has one template and it describes the alarm, so a clear renders it
 * and adds "(returned to normal)": the alarm list then never shows the raise
 * text for an alarm that has gone away.
 */
import type { PointValue } from '../adapters/reading.ts';
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { Transition } from './event.ts';
import { formatNumber, formatValue } from './format.ts';

export interface MessageFacts {
  transition: Transition;
  value: PointValue | null;
  /** Level entered, or left for a clear (limit alarms). */
  level?: LimitLevel;
  /** Level before a level change. */
  previousLevel?: LimitLevel;
  /** Threshold of `level`. */
  limit?: number;
}

const PLACEHOLDER = /\{(point|asset|value|unit|level|limit|alarm|device)\}/g;

/** What happened to the alarm in an operator or management transition, for the message. */
const LIFECYCLE_WORDS: Partial<Record<Transition, string>> = {
  ack: 'acknowledged',
  realarm: 'still active, annunciated again',
  shelve: 'shelved',
  unshelve: 'unshelved',
  suppress: 'suppressed',
  unsuppress: 'no longer suppressed',
  out_of_service: 'removed from service',
  in_service: 'returned to service',
  reset: 'latch reset',
  chatter: 'chattering',
};

export function messageOf(def: AlarmDefinition, facts: MessageFacts): string {
  const template = def.rule.message;
  const lifecycle = LIFECYCLE_WORDS[facts.transition];
  if (template === undefined) {
    return lifecycle === undefined
      ? defaultMessage(def, facts)
      : `${def.asset} ${def.point} ${def.rule.id} alarm ${lifecycle}`;
  }
  const rendered = renderTemplate(template, def, facts);
  if (lifecycle !== undefined) return `${rendered} (${lifecycle})`;
  return facts.transition === 'clear' ? `${rendered} (returned to normal)` : rendered;
}

/** Replaces the known placeholders; anything else in braces stays as written. */
export function renderTemplate(template: string, def: AlarmDefinition, facts: MessageFacts): string {
  const values: Record<string, string> = {
    point: def.point,
    asset: def.asset,
    value: facts.value === null ? '' : formatValue(facts.value),
    unit: def.unit ?? '',
    level: facts.level ?? '',
    limit: facts.limit === undefined ? '' : formatNumber(facts.limit),
    alarm: def.rule.id,
    device: def.device,
  };
  return template.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? '');
}

function defaultMessage(def: AlarmDefinition, facts: MessageFacts): string {
  const cleared = facts.transition === 'clear';
  if (def.kind === 'comm') return `Communication ${cleared ? 'restored' : 'lost'} with device ${def.device}`;

  const subject = `${def.asset} ${def.point}`;
  if (facts.level === undefined || facts.value === null)
    return `${subject} ${def.rule.id} alarm${cleared ? ' returned to normal' : ''}`;

  const reading = def.unit ? `${formatValue(facts.value)} ${def.unit}` : formatValue(facts.value);
  if (cleared) return `${subject} ${facts.level} alarm returned to normal: ${reading}`;
  const limit = facts.limit === undefined ? '' : ` (limit ${formatNumber(facts.limit)})`;
  const was =
    facts.transition === 'level_change' && facts.previousLevel ? `, was ${facts.previousLevel}` : '';
  return `${subject} ${facts.level} alarm: ${reading}${limit}${was}`;
}

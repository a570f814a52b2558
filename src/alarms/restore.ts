/**
 * Reads an alarm state back from the buffer. Anything this version did not
 * write is refused as a whole (the caller reports it and starts from normal)
 * rather than half trusted.
 */
import type { LimitLevel } from '../config/schema.ts';
import type { AlarmDefinition } from './definition.ts';
import type { AlarmStateFlags } from './event.ts';
import {
  type AlarmState,
  initialState,
  type PendingTransition,
  type ProcessCondition,
  type Sample,
  type SuppressionCause,
} from './state.ts';

const LEVELS: readonly unknown[] = ['HH', 'H', 'L', 'LL'] satisfies LimitLevel[];
const FLAG_NAMES = ['active', 'acked', 'latched', 'shelved', 'suppressed', 'out_of_service'] as const;
const CAUSES: readonly unknown[] = ['design', 'flood'] satisfies SuppressionCause[];

export function restoreState(def: AlarmDefinition, saved: unknown): AlarmState | undefined {
  if (!isRecord(saved) || !isRecord(saved.flags)) return undefined;
  const flags = restoreFlags(def, saved.flags);
  if (!flags) return undefined;
  // States written before the process view existed showed the process itself.
  const process =
    saved.process === undefined
      ? { active: flags.active, ...(flags.level ? { level: flags.level } : {}) }
      : restoreProcess(saved.process);
  if (!process) return undefined;
  const state: AlarmState = { flags, process };
  if (typeof saved.sampleTime === 'number') state.sampleTime = saved.sampleTime;
  if (saved.pending !== undefined) {
    const pending = restorePending(saved.pending);
    if (!pending) return undefined;
    state.pending = { ...pending, resumed: true };
  }
  if (isRecord(saved.shelf)) {
    const { until, oneShot } = saved.shelf;
    state.shelf = {
      ...(typeof until === 'number' ? { until } : {}),
      ...(oneShot === true ? { oneShot: true } : {}),
    };
  }
  if (typeof saved.realarmAt === 'number') state.realarmAt = saved.realarmAt;
  if (Array.isArray(saved.raises) && saved.raises.every((time) => typeof time === 'number')) {
    state.raises = saved.raises as number[];
  }
  if (saved.chattering === true) state.chattering = true;
  if (typeof saved.activeSince === 'number') state.activeSince = saved.activeSince;
  if (Array.isArray(saved.suppressedBy) && saved.suppressedBy.every((cause) => CAUSES.includes(cause))) {
    state.suppressedBy = saved.suppressedBy as SuppressionCause[];
  }
  return state;
}

function restoreFlags(def: AlarmDefinition, stored: Record<string, unknown>): AlarmStateFlags | undefined {
  if (!FLAG_NAMES.every((name) => typeof stored[name] === 'boolean')) return undefined;
  const flags = initialState(def).flags;
  for (const name of FLAG_NAMES) flags[name] = stored[name] as boolean;
  if (levelled(def) && flags.active) {
    if (!LEVELS.includes(stored.level)) return undefined;
    flags.level = stored.level as LimitLevel;
  }
  if (typeof stored.shelved_until === 'string') flags.shelved_until = stored.shelved_until;
  if (stored.shelved_one_shot === true) flags.shelved_one_shot = true;
  return flags;
}

function restoreProcess(saved: unknown): ProcessCondition | undefined {
  if (!isRecord(saved) || typeof saved.active !== 'boolean') return undefined;
  if (saved.level !== undefined && !LEVELS.includes(saved.level)) return undefined;
  return { active: saved.active, ...(saved.level ? { level: saved.level as LimitLevel } : {}) };
}

function restorePending(saved: unknown): PendingTransition | undefined {
  if (!isRecord(saved)) return undefined;
  const { transition, since, due, first, last } = saved;
  if (transition !== 'raise' && transition !== 'clear') return undefined;
  if (typeof since !== 'number' || typeof due !== 'number') return undefined;
  if (!isSample(first) || !isSample(last)) return undefined;
  return { transition, since, due, first, last };
}

function isSample(value: unknown): value is Sample {
  return (
    isRecord(value) &&
    typeof value.time === 'number' &&
    (value.quality === 'good' || value.quality === 'uncertain') &&
    (typeof value.value === 'number' || typeof value.value === 'boolean')
  );
}

/** Kinds whose active state has a limit level. */
export function levelled(def: AlarmDefinition): boolean {
  return def.kind === 'limit' || def.kind === 'rate' || def.kind === 'deviation';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

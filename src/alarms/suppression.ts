/**
 * Suppression: an alarm hidden while the plant is in a state where it means
 * nothing (by design: equipment stopped, startup) or while its area is in an
 * alarm flood and the alarm's priority is low. Causes are kept apart, so the
 * end of a flood does not reveal an alarm that its design still suppresses.
 */
import type { AlarmDefinition } from './definition.ts';
import { type Evaluation, emit, reveal } from './lifecycle.ts';
import type { AlarmState, SuppressionCause } from './state.ts';

export function setSuppression(
  def: AlarmDefinition,
  state: AlarmState,
  cause: SuppressionCause,
  on: boolean,
  now: number,
  newId: () => string,
  text: string,
): Evaluation {
  const before = state.suppressedBy ?? [];
  if (before.includes(cause) === on) return { state, events: [] };
  const causes = on ? [...before, cause] : before.filter((other) => other !== cause);
  const { suppressedBy: _old, ...rest } = state;
  const next: AlarmState = causes.length === 0 ? rest : { ...rest, suppressedBy: causes };
  const suppressed = causes.length > 0;
  if (suppressed === state.flags.suppressed) return { state: next, events: [] };
  const flags = suppressed
    ? { ...state.flags, suppressed: true }
    : reveal(def, { ...state.flags, suppressed: false }, state.process);
  return emit(def, { ...next, flags }, suppressed ? 'suppress' : 'unsuppress', now, newId, {
    text,
    processActive: state.process.active,
    level: flags.level,
    reason: {
      suppressed_by: suppressed ? causes : [cause],
      ...(cause === 'design' && def.suppressWhenText ? { condition: def.suppressWhenText } : {}),
    },
  });
}

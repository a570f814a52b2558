/**
 * The active-alarm state topic: compacted, keyed by condition_id, holding the
 * latest event of each alarm. An alarm that is back to normal and
 * acknowledged (and neither shelved, out of service nor latched) is over, so
 * its key gets a tombstone and compaction forgets it; downstream reads the
 * topic from the start to get the table of current alarms.
 */
import type { AlarmEvent, AlarmStateFlags } from '../alarms/event.ts';

/** Topic settings that make the broker keep only the latest record of each key. */
export const STATE_TOPIC_CONFIG: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };

export function isOver(state: AlarmStateFlags): boolean {
  return !state.active && state.acked && !state.latched && !state.shelved && !state.out_of_service;
}

/** Events about the gateway itself are news, not alarm states: they stay off the state topic. */
export function hasAlarmState(event: Pick<AlarmEvent, 'kind'>): boolean {
  return event.kind !== 'system';
}

/**
 * The ISA-18.2 alarm state an alarm is in, derived from its flags rather than
 * kept as an enum beside them, so the two can never disagree. The states that
 * take the alarm off the operator's list come first: out of service, then
 * suppressed by design, then shelved.
 */
import type { AlarmStateFlags, IsaState } from './event.ts';

/** `processActive`: whether the condition holds, which tells a latched alarm from an active one. */
export function isaStateOf(flags: AlarmStateFlags, processActive: boolean): IsaState {
  if (flags.out_of_service) return 'out_of_service';
  if (flags.suppressed) return 'suppressed_by_design';
  if (flags.shelved) return 'shelved';
  if (flags.active && flags.latched && !processActive) return 'latched';
  if (flags.active) return flags.acked ? 'acknowledged' : 'unacknowledged';
  return flags.acked ? 'normal' : 'returned_to_normal_unacknowledged';
}

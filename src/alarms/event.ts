/**
 * The event contract, version 1 (docs/event-contract.md). Field names are the
 * JSON field names; they never change within a schema version.
 */

import type { PointValue, Quality } from '../adapters/reading.ts';
import type { LimitLevel, Priority } from '../config/schema.ts';

export const EVENT_SCHEMA = 'iiot.alarm.v1';

export type AlarmKind =
  | 'limit'
  | 'discrete'
  | 'bit'
  | 'rate'
  | 'deviation'
  | 'stale'
  | 'comm'
  | 'native'
  | 'system';

/** Transitions of an alarm (rules and native conditions). */
export type AlarmTransition =
  | 'raise'
  | 'clear'
  | 'level_change'
  | 'ack'
  | 'confirm'
  | 'realarm'
  | 'shelve'
  | 'unshelve'
  | 'suppress'
  | 'unsuppress'
  | 'out_of_service'
  | 'in_service'
  | 'reset'
  | 'chatter';
/** What `system` events report: about the gateway itself, an area's alarm flood, a refused command. */
export type SystemTransition =
  | 'events_dropped'
  | 'buffer_replaced'
  | 'flood_start'
  | 'flood_end'
  | 'command_rejected';

/** The ISA-18.2 alarm state, derived from the flags (docs/alarms.md). */
export type IsaState =
  | 'normal'
  | 'unacknowledged'
  | 'acknowledged'
  | 'returned_to_normal_unacknowledged'
  | 'latched'
  | 'shelved'
  | 'suppressed_by_design'
  | 'out_of_service';
export type Transition = AlarmTransition | SystemTransition;

export interface AlarmStateFlags {
  active: boolean;
  acked: boolean;
  latched: boolean;
  shelved: boolean;
  suppressed: boolean;
  out_of_service: boolean;
  /** The limit level while a limit alarm is active. */
  level?: LimitLevel;
  /** Native (OPC UA) conditions that have a confirmed state. */
  confirmed?: boolean;
  /** Timed shelving: when it ends (RFC 3339). */
  shelved_until?: string;
  /** One-shot shelving: it ends when the alarm returns to normal. */
  shelved_one_shot?: boolean;
  /** The ISA-18.2 state the flags amount to; set on the events of rule alarms. */
  isa_state?: IsaState;
}

export interface AlarmReason {
  rule: string;
  /** What decided the transition, in words a controls engineer reads. */
  text: string;
  threshold?: number;
  deadband?: number;
  on_delay_ms?: number;
  off_delay_ms?: number;
  /** The reading(s) that decided it: value, quality and RFC 3339 time. */
  samples?: { value: PointValue | null; quality: Quality; time: string; measure?: number | boolean }[];
  /** For `events_dropped`: what the buffer dropped by its stated policy, and why. */
  dropped?: {
    count: number;
    first_seq: number;
    last_seq: number;
    by_priority: Partial<Record<Priority, number>>;
    /** By policy: size, disk, age; not by policy: lost (with the buffer file), corrupt (failed its checksum). */
    by_cause: Partial<Record<'size' | 'disk' | 'age' | 'lost' | 'corrupt' | 'refused', number>>;
    policy: string;
    since: string;
  };
  /**
   * Native conditions: true when the gateway learned the transition from a
   * ConditionRefresh after a (re)connect, or by reading the condition nodes
   * when the server refused one (it happened while the gateway was not
   * watching), absent for a transition seen live.
   */
  refresh?: boolean;
  /**
   * Native conditions: set on events of a branch (an earlier state the server
   * keeps apart until it is acknowledged): the server's BranchId, and the
   * condition_id of the condition the branch belongs to.
   */
  branch_id?: string;
  branch_of?: string;
  /** Chattering: how many raises within how long. */
  chatter?: { raises: number; window_ms: number };
  /** Flood events: the annunciated alarms within the window, and the bounds. */
  flood?: { alarms: number; window_ms: number; max_alarms: number; end_below: number };
  /** Suppression: what suppresses the alarm (design, flood) and, by design, the condition. */
  suppressed_by?: string[];
  condition?: string;
  /** command_rejected: what could be read of the command. */
  command?: Record<string, unknown>;
}

/** Everything in an event except what the buffer assigns when it commits (seq). */
export interface AlarmEventDraft {
  event_id: string;
  schema: typeof EVENT_SCHEMA;
  gateway_id: string;
  site: string;
  area: string;
  line: string;
  asset: string;
  device: string;
  point: string;
  alarm: string;
  condition_id: string;
  kind: AlarmKind;
  transition: Transition;
  state: AlarmStateFlags;
  priority: Priority;
  severity: number;
  value: PointValue | null;
  unit?: string;
  quality: Quality;
  limit?: number;
  deadband?: number;
  /** RFC 3339 UTC: the device's time when it gave a valid one, else the gateway's (the reason then says so). */
  source_time: string;
  gateway_time: string;
  event_date: string;
  message: string;
  reason: AlarmReason;
  /** Who asked for an operator transition (ack, shelve …); `gateway` for automatic ones. */
  actor?: string;
  comment?: string;
  /** The operator command that caused the transition. */
  command_id?: string;
}

export interface AlarmEvent extends AlarmEventDraft {
  /** Persisted, strictly increasing per gateway: a gap downstream means loss. */
  seq: number;
}

/** OPC UA severity (1–1000) for each priority, so OPC UA and Kafka consumers agree. */
export const SEVERITY: Record<Priority, number> = {
  critical: 900,
  high: 700,
  medium: 500,
  low: 300,
  diagnostic: 100,
};

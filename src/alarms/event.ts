/**
 * The event contract, version 1 (docs/event-contract.md). Field names are the
 * JSON field names; they never change within a schema version.
 */

import type { PointValue, Quality } from '../adapters/reading.ts';
import type { LimitLevel, Priority } from '../config/schema.ts';

export const EVENT_SCHEMA = 'iiot.alarm.v1';

export type AlarmKind = 'limit' | 'discrete' | 'comm' | 'native' | 'system';

/** Transitions of an alarm (rules and native conditions). */
export type AlarmTransition = 'raise' | 'clear' | 'level_change' | 'ack' | 'confirm';
/** What `system` events report about the gateway itself. */
export type SystemTransition = 'events_dropped' | 'buffer_replaced';
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
  samples?: { value: PointValue | null; quality: Quality; time: string }[];
  /** For `events_dropped`: what the buffer dropped by its stated policy, and why. */
  dropped?: {
    count: number;
    first_seq: number;
    last_seq: number;
    by_priority: Partial<Record<Priority, number>>;
    by_cause: Partial<Record<'size' | 'disk' | 'age', number>>;
    policy: string;
    since: string;
  };
  /**
   * Native conditions: true when the gateway learned the transition from a
   * ConditionRefresh after a (re)connect (it happened while the gateway was
   * not watching), absent for a transition seen live.
   */
  refresh?: boolean;
  /**
   * Native conditions: set on events of a branch (an earlier state the server
   * keeps apart until it is acknowledged): the server's BranchId, and the
   * condition_id of the condition the branch belongs to.
   */
  branch_id?: string;
  branch_of?: string;
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
  source_time: string;
  gateway_time: string;
  event_date: string;
  message: string;
  reason: AlarmReason;
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

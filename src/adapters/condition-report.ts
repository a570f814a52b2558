/**
 * What an adapter reports about an alarm the device itself keeps (OPC UA
 * Alarms & Conditions): the condition's state as the server sent it.
 */
export interface ConditionReport {
  readonly deviceId: string;
  /** The server's name of the thing in alarm (SourceName). */
  readonly sourceName: string;
  /** The condition's name (ConditionName), unique per source. */
  readonly conditionName: string;
  /**
   * Set for a branch: an earlier state of the condition the server keeps
   * apart (OPC UA BranchId) until it is acknowledged; absent for the condition itself.
   */
  readonly branch?: string;
  readonly active: boolean;
  readonly acked: boolean;
  readonly confirmed?: boolean;
  /** OPC UA severity, 1–1000. */
  readonly severity: number;
  readonly message: string;
  /** Whether the server still reports the condition as interesting (Retain). */
  readonly retain: boolean;
  /** Epoch ms of the event on the server. */
  readonly time: number;
  readonly gatewayTime: number;
}

/**
 * How the gateway learned a set of condition reports:
 * - `live`: events of the server as they happened;
 * - `refresh`: the complete set a resynchronization (OPC UA ConditionRefresh)
 *   returned; a condition it leaves out is no longer active;
 * - `read`: the conditions the gateway found and read in the server's
 *   address space because the server refused ConditionRefresh; a condition
 *   it leaves out is unconfirmed, and the next event of the server decides it.
 */
export type ConditionSync = 'live' | 'refresh' | 'read';

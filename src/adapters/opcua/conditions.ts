/**
 * Alarms & Conditions of one session: live events pass on one by one; the
 * replies to the ConditionRefresh made after every connect pass on as one
 * complete set, so the alarm stage can tell a condition it already published
 * from news. Reports whose events could not be committed are not lost: a new
 * refresh a second later replays every retained condition.
 *
 * A server that refuses ConditionRefresh (asyncua's answers BadNothingToDo)
 * would leave the gateway believing whatever it published last. The gateway
 * then reads the state of the condition nodes it can find instead and passes
 * that on as a set of its own kind; live events that arrive meanwhile wait,
 * so a change during the reading is applied after it, not undone by it.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { OpcuaDevice } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { PushLink } from '../adapter.ts';
import type { ConditionReport, ConditionSync } from '../condition-report.ts';
import type { UaConditionEvent, UaEventFilter, UaSession } from './client.ts';
import { type ConditionNodes, readConditionNodes } from './condition-nodes.ts';
import { parseNodeId, resolveNodeId } from './node-id.ts';

const RESYNC_AFTER_MS = 1000;

export async function subscribeConditions(
  session: UaSession,
  device: OpcuaDevice,
  link: PushLink,
  publishingIntervalMs: number,
  heard: () => void,
  logger: Logger,
): Promise<void> {
  const source = device.native_conditions?.source_node ?? DEFAULTS.opcuaEventSource;
  const namespaces = await session.namespaceArray();
  const resolve = (key: string, text: string) => {
    const resolution = resolveNodeId(parseNodeId(text), namespaces);
    if (!resolution.ok) throw new Error(`native_conditions.${key} ${text}: ${resolution.reason}`);
    return resolution.nodeId;
  };
  const sourceNodeId = resolve('source_node', source);
  const filter: UaEventFilter = {
    ...(device.native_conditions?.event_types
      ? { eventTypes: device.native_conditions.event_types.map((type) => resolve('event_types', type)) }
      : {}),
    ...(device.native_conditions?.min_severity === undefined
      ? {}
      : { minSeverity: device.native_conditions.min_severity }),
  };
  let refreshed: ConditionReport[] | undefined;
  /** Live reports held back while the condition nodes are read. */
  let held: ConditionReport[] | undefined;
  let refusalLogged = false;
  let resync: NodeJS.Timeout | undefined;
  const pass = (reports: ConditionReport[], sync: ConditionSync) => {
    if (link.conditions?.(reports, sync) !== false || resync !== undefined) return;
    resync = setTimeout(() => {
      resync = undefined;
      synchronize().catch(() => {});
    }, RESYNC_AFTER_MS);
    resync.unref();
  };
  const events = await session.subscribeEvents(
    sourceNodeId,
    publishingIntervalMs,
    (event) => {
      heard();
      if (event.kind === 'refresh_start') {
        refreshed = [];
      } else if (event.kind === 'refresh_end') {
        const complete = refreshed ?? [];
        refreshed = undefined;
        pass(complete, 'refresh');
      } else {
        const report = conditionReportOf(device.id, event);
        if (refreshed) refreshed.push(report);
        else if (held) held.push(report);
        else pass([report], 'live');
      }
    },
    filter,
  );

  /** Every retained condition again: by ConditionRefresh, or by reading where the server refuses it. */
  async function synchronize(): Promise<void> {
    const refused = await events.refresh();
    if (refused === undefined) return;
    held = [];
    let nodes: ConditionNodes | undefined;
    let failure: string | undefined;
    try {
      nodes = await readConditionNodes(session, sourceNodeId, filter);
    } catch (error) {
      failure = (error as Error).message;
    }
    const waiting = held;
    held = undefined;
    // Also when nothing could be read: the set says so, and every condition the gateway holds active becomes unconfirmed.
    pass(
      (nodes?.conditions ?? []).map((event) => conditionReportOf(device.id, event)),
      'read',
    );
    if (waiting.length > 0) pass(waiting, 'live');
    if (refusalLogged) return;
    refusalLogged = true;
    const error = new GatewayError(
      'OPCUA_CONDITIONS',
      refusalDetail(device.endpoint, refused, nodes, failure),
    );
    logger.warn(
      {
        code: error.code,
        device: device.id,
        status: refused,
        conditions_read: nodes?.conditions.length ?? 0,
        conditions_unreadable: nodes?.unreadable.length ?? 0,
      },
      error.describe(),
    );
  }
  await synchronize();
}

/** What the server refused and what the gateway did instead, for the log line. */
export function refusalDetail(
  endpoint: string,
  status: string,
  nodes: ConditionNodes | undefined,
  failure: string | undefined,
): string {
  const head = `${endpoint} refused ConditionRefresh (${status})`;
  const unconfirmed =
    'any other condition the gateway last published as active is unconfirmed, and the next event of the server decides it';
  if (nodes === undefined) {
    return `${head}, and its condition nodes could not be read instead (${failure ?? 'unknown error'}); ${unconfirmed}`;
  }
  const read = nodes.conditions.length;
  const parts = [
    `${head}; the gateway read the state of ${read} condition node${read === 1 ? '' : 's'} instead`,
  ];
  const [first] = nodes.unreadable;
  if (first !== undefined) {
    parts.push(`${nodes.unreadable.length} could not be read (${first.nodeId}: ${first.reason})`);
  }
  if (nodes.truncated) parts.push('the search for condition nodes stopped at its bound');
  parts.push(unconfirmed);
  return parts.join('; ');
}

function conditionReportOf(deviceId: string, event: UaConditionEvent): ConditionReport {
  return {
    deviceId,
    // Some servers (node-opcua among them) write a browse name with its namespace index ("2:Tank");
    // the index can change on a restart and the alarm identity must not, so it is dropped.
    sourceName: event.sourceName.replace(/^\d+:/, ''),
    conditionName: event.conditionName.replace(/^\d+:/, ''),
    ...(event.branch === undefined ? {} : { branch: event.branch }),
    active: event.active,
    acked: event.acked,
    ...(event.confirmed === undefined ? {} : { confirmed: event.confirmed }),
    severity: event.severity,
    message: event.message,
    retain: event.retain,
    time: event.time,
    gatewayTime: Date.now(),
  };
}

/**
 * Alarms & Conditions of one session: live events pass on one by one; the
 * replies to the ConditionRefresh made after every connect pass on as one
 * complete set, so the alarm stage can tell a condition it already published
 * from news. Reports whose events could not be committed are not lost: a new
 * refresh a second later replays every retained condition.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { OpcuaDevice } from '../../config/schema.ts';
import type { ConditionReport } from '../condition-report.ts';
import type { PushLink } from '../runner.ts';
import type { UaConditionEvent, UaEventFilter, UaSession } from './client.ts';
import { parseNodeId, resolveNodeId } from './node-id.ts';

const RESYNC_AFTER_MS = 1000;

export async function subscribeConditions(
  session: UaSession,
  device: OpcuaDevice,
  link: PushLink,
  publishingIntervalMs: number,
  heard: () => void,
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
  let resync: NodeJS.Timeout | undefined;
  const pass = (reports: ConditionReport[], refresh: boolean) => {
    if (link.conditions?.(reports, refresh) !== false || resync !== undefined) return;
    resync = setTimeout(() => {
      resync = undefined;
      events.refresh().catch(() => {});
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
        pass(complete, true);
      } else {
        const report = conditionReportOf(device.id, event);
        if (refreshed) refreshed.push(report);
        else pass([report], false);
      }
    },
    filter,
  );
  await events.refresh();
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

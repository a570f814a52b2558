/**
 * The OPC UA adapter. In subscribe mode (the default) the server reports
 * changes and the driver hands them to the runner as they arrive; in poll
 * mode the runner reads every point on its schedule. Either way NodeIds are
 * resolved by namespace URI on every connect, and a point whose node cannot
 * be resolved, read or monitored is a bad reading while the others carry on.
 *
 * A lost link (socket closed, or no keep-alive from the server for
 * keepalive_ms: a silent drop) ends the session; the runner raises the comm
 * alarm, reconnects with backoff, and this driver builds the subscriptions
 * afresh, so a server that restarted or renumbered its namespaces is handled
 * the same way as a network outage.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { OpcuaDevice, OpcuaPoint } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { ConditionReport } from '../condition-report.ts';
import type { Reading } from '../reading.ts';
import type { DeviceSession, PollingDriver, PushDriver, PushLink, PushSession } from '../runner.ts';
import {
  openUaSession,
  routeLibraryLogs,
  type UaConditionEvent,
  type UaMonitorSpec,
  type UaSample,
  type UaSession,
} from './client.ts';
import { resolveUser } from './credentials.ts';
import { type ParsedNodeId, parseNodeId, resolveNodeId } from './node-id.ts';
import { chunk, planSubscriptions } from './plan.ts';
import { convertValue, qualityOf } from './quality.ts';

export interface OpcuaDriverContext {
  /** The gateway's certificate store (state directory/pki). */
  pkiDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface OpcuaCounters {
  notifications: number;
  badValues: number;
  /** Sessions opened; more than one means the link was lost and rebuilt. */
  sessions: number;
}

export type OpcuaDriver = (PushDriver | PollingDriver) & { readonly counters: OpcuaCounters };

export const APPLICATION_NAME = 'edge-alarm-gateway';

/** How long after a failed commit of condition events the conditions are refreshed again. */
const RESYNC_AFTER_MS = 1000;

interface ResolvedPoint {
  point: OpcuaPoint;
  nodeId: string;
}

export function createOpcuaDriver(
  device: OpcuaDevice,
  logger: Logger,
  context: OpcuaDriverContext,
): OpcuaDriver {
  const parsed = new Map<string, ParsedNodeId>(
    device.points.map((point) => [point.id, parseNodeId(point.node_id)]),
  );
  const counters: OpcuaCounters = { notifications: 0, badValues: 0, sessions: 0 };
  routeLibraryLogs(logger);
  const badPoints = new Map<string, string>();

  function noteQuality(pointId: string, reason: string | undefined): void {
    const previous = badPoints.get(pointId);
    if (reason === undefined) {
      if (previous !== undefined) {
        badPoints.delete(pointId);
        logger.info({ point: pointId }, 'point quality good again');
      }
      return;
    }
    if (previous === reason) return;
    badPoints.set(pointId, reason);
    const error = new GatewayError('OPCUA_NODE', `point ${pointId}: ${reason}`);
    logger.warn({ point: pointId, code: error.code }, error.describe());
  }

  function readingOf(pointId: string, sample: UaSample, at: number): Reading {
    const base = {
      deviceId: device.id,
      pointId,
      gatewayTime: at,
      ...(sample.sourceTime === undefined ? {} : { sourceTime: sample.sourceTime }),
    };
    const quality = qualityOf(sample.status);
    if (quality === 'bad') {
      counters.badValues += 1;
      noteQuality(pointId, sample.statusText);
      return { ...base, value: null, quality, qualityReason: sample.statusText };
    }
    const converted = convertValue(sample.value);
    if (!converted.ok) {
      counters.badValues += 1;
      noteQuality(pointId, converted.reason);
      return { ...base, value: null, quality: 'bad', qualityReason: converted.reason };
    }
    noteQuality(pointId, undefined);
    return quality === 'good'
      ? { ...base, value: converted.value, quality }
      : { ...base, value: converted.value, quality, qualityReason: sample.statusText };
  }

  function badReading(pointId: string, reason: string, at: number): Reading {
    counters.badValues += 1;
    noteQuality(pointId, reason);
    return {
      deviceId: device.id,
      pointId,
      value: null,
      quality: 'bad',
      qualityReason: reason,
      gatewayTime: at,
    };
  }

  async function open(): Promise<{ session: UaSession; resolved: ResolvedPoint[]; unresolved: Reading[] }> {
    const mode = device.security_mode ?? DEFAULTS.opcuaSecurityMode;
    const session = await openUaSession({
      endpoint: device.endpoint,
      securityMode: mode,
      securityPolicy: device.security_policy ?? (mode === 'None' ? 'None' : DEFAULTS.opcuaSecurityPolicy),
      user: resolveUser(device.user, context.env),
      pkiDir: context.pkiDir,
      trustOnFirstUse: device.trust_on_first_use ?? false,
      timeoutMs: device.timeout_ms ?? DEFAULTS.opcuaTimeoutMs,
      applicationName: APPLICATION_NAME,
    });
    counters.sessions += 1;
    try {
      const namespaces = await session.namespaceArray();
      const resolved: ResolvedPoint[] = [];
      const unresolved: Reading[] = [];
      const now = Date.now();
      for (const point of device.points) {
        const resolution = resolveNodeId(parsed.get(point.id) as ParsedNodeId, namespaces);
        if (resolution.ok) resolved.push({ point, nodeId: resolution.nodeId });
        else unresolved.push(badReading(point.id, resolution.reason, now));
      }
      return { session, resolved, unresolved };
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  if ((device.mode ?? 'subscribe') === 'poll') {
    return {
      deviceId: device.id,
      mode: 'poll',
      counters,
      async connect(): Promise<DeviceSession> {
        const { session, resolved, unresolved } = await open();
        let maxNodesPerRead = 0;
        try {
          maxNodesPerRead = (await session.operationLimits()).maxNodesPerRead;
        } catch (error) {
          await session.close();
          throw error;
        }
        return {
          async poll() {
            const readings: Reading[] = [...unresolved];
            for (const part of chunk(
              resolved,
              maxNodesPerRead > 0 ? maxNodesPerRead : resolved.length || 1,
            )) {
              const samples = await session.read(part.map((item) => item.nodeId));
              const at = Date.now();
              part.forEach((item, index) => {
                readings.push(readingOf(item.point.id, samples[index] as UaSample, at));
              });
            }
            return readings;
          },
          close: () => session.close(),
        };
      },
    };
  }

  const publishingIntervalMs = device.publishing_interval_ms ?? DEFAULTS.opcuaPublishingIntervalMs;
  // A publishing interval longer than half the keep-alive would make every quiet interval look like a loss.
  const keepAliveMs = Math.max(device.keepalive_ms ?? DEFAULTS.opcuaKeepAliveMs, 3 * publishingIntervalMs);
  // The server sends a keep-alive after this many empty publishing intervals; two fit in keepalive_ms.
  const keepAliveCount = Math.max(1, Math.floor(keepAliveMs / (2 * publishingIntervalMs)));

  /**
   * Alarms & Conditions: live events pass on one by one; the replies to the
   * ConditionRefresh made after every connect pass on as one complete set,
   * so the alarm stage can tell a condition it already published from news.
   */
  async function subscribeConditions(session: UaSession, link: PushLink, heard: () => void): Promise<void> {
    const source = device.native_conditions?.source_node ?? DEFAULTS.opcuaEventSource;
    const resolution = resolveNodeId(parseNodeId(source), await session.namespaceArray());
    if (!resolution.ok) throw new Error(`native_conditions.source_node ${source}: ${resolution.reason}`);
    let refreshed: ConditionReport[] | undefined;
    let resync: NodeJS.Timeout | undefined;
    // Reports whose events could not be committed are not lost: a new refresh replays every retained condition.
    const pass = (reports: ConditionReport[], refresh: boolean) => {
      if (link.conditions?.(reports, refresh) !== false || resync !== undefined) return;
      resync = setTimeout(() => {
        resync = undefined;
        events.refresh().catch(() => {});
      }, RESYNC_AFTER_MS);
      resync.unref();
    };
    const events = await session.subscribeEvents(resolution.nodeId, publishingIntervalMs, (event) => {
      heard();
      if (event.kind === 'refresh_start') {
        refreshed = [];
      } else if (event.kind === 'refresh_end') {
        const complete = refreshed ?? [];
        refreshed = undefined;
        pass(complete, true);
      } else if (event.branch === undefined) {
        // Branches (earlier states kept for acknowledgement) are not tracked; the condition itself is.
        const report = conditionReportOf(device.id, event);
        if (refreshed) refreshed.push(report);
        else pass([report], false);
      }
    });
    await events.refresh();
  }

  return {
    deviceId: device.id,
    mode: 'push',
    counters,
    async connect(link: PushLink): Promise<PushSession> {
      const { session, resolved, unresolved } = await open();
      let pending: Reading[] = [...unresolved];
      let flushScheduled = false;
      const flush = () => {
        flushScheduled = false;
        const batch = pending;
        pending = [];
        if (batch.length > 0) link.deliver(batch);
      };
      // One publish response brings many notifications at once; one commit takes them all.
      const push = (reading: Reading) => {
        pending.push(reading);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      };

      let lastHeard = Date.now();
      let endSession: (detail: string) => void = () => {};
      const ended = new Promise<string>((resolve) => {
        endSession = resolve;
      });
      let watchdog: NodeJS.Timeout | undefined;
      const lose = (detail: string) => {
        clearInterval(watchdog);
        link.link(false, detail);
        endSession(detail);
      };

      try {
        const limits = await session.operationLimits();
        const plan = planSubscriptions(
          resolved,
          device.max_items_per_subscription ?? DEFAULTS.opcuaMaxItemsPerSubscription,
          limits.maxMonitoredItemsPerCall,
        );
        for (const calls of plan.subscriptions) {
          const items = calls.flat();
          const outcome = await session.subscribe(
            {
              publishingIntervalMs,
              keepAliveCount,
              calls: calls.map((call) => call.map((item) => monitorSpecOf(device, item))),
            },
            (index, sample) => {
              lastHeard = Date.now();
              counters.notifications += 1;
              const item = items[index];
              if (item) push(readingOf(item.point.id, sample, lastHeard));
            },
            () => {
              lastHeard = Date.now();
            },
          );
          const now = Date.now();
          outcome.forEach((reason, index) => {
            const item = items[index];
            if (reason !== undefined && item) push(badReading(item.point.id, reason, now));
          });
        }
        if (device.native_conditions !== undefined) {
          // A server without Alarms & Conditions (or a wrong source node) must not cost the data points.
          await subscribeConditions(session, link, () => {
            lastHeard = Date.now();
          }).catch((error: unknown) => {
            const failure = new GatewayError('OPCUA_CONDITIONS', (error as Error).message, { cause: error });
            logger.error({ code: failure.code }, failure.describe());
          });
        }
      } catch (error) {
        await session.close();
        throw error;
      }
      lastHeard = Date.now();
      watchdog = setInterval(
        () => {
          const silent = Date.now() - lastHeard;
          if (silent > keepAliveMs) lose(`no data or keep-alive from the server for ${silent} ms`);
        },
        Math.min(1000, Math.max(100, keepAliveMs / 4)),
      );
      session.onLost(lose);
      return {
        ended,
        async close() {
          clearInterval(watchdog);
          flush();
          await session.close();
        },
      };
    },
  };
}

function conditionReportOf(deviceId: string, event: UaConditionEvent): ConditionReport {
  return {
    deviceId,
    // Some servers (node-opcua among them) write a browse name with its namespace index ("2:Tank");
    // the index can change on a restart and the alarm identity must not, so it is dropped.
    sourceName: event.sourceName.replace(/^\d+:/, ''),
    conditionName: event.conditionName.replace(/^\d+:/, ''),
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

function monitorSpecOf(device: OpcuaDevice, { point, nodeId }: ResolvedPoint): UaMonitorSpec {
  return {
    nodeId,
    samplingIntervalMs:
      point.sampling_interval_ms ?? device.sampling_interval_ms ?? DEFAULTS.opcuaSamplingIntervalMs,
    queueSize: point.queue_size ?? DEFAULTS.opcuaQueueSize,
    discardOldest: point.discard_oldest ?? true,
    ...(point.trigger === undefined ? {} : { trigger: point.trigger }),
    ...(point.deadband === undefined ? {} : { deadband: point.deadband }),
  };
}

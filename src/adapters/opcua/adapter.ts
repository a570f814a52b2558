/**
 * The OPC UA adapter. In subscribe mode (the default) the server reports
 * changes and the adapter hands them to the runner as they arrive; in poll
 * mode the runner reads every point on its schedule. Either way NodeIds are
 * resolved by namespace URI on every connect, and a point whose node cannot
 * be resolved, read or monitored is a bad reading while the others carry on.
 *
 * A lost link (socket closed, or no keep-alive from the server for
 * keepalive_ms: a silent drop) ends the session; the runner raises the comm
 * alarm, reconnects with backoff, and this adapter restores the subscriptions
 * on the new session: transferred from the lost session while the server may
 * still hold it, created afresh from NodeIds resolved again otherwise, so a
 * server that restarted or renumbered its namespaces ends up the same as one
 * that only lost the network for a moment.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import { opcuaPolls } from '../../config/opcua-mode.ts';
import type { OpcuaDevice, OpcuaPoint } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { DeviceSession, PollingAdapter, PushAdapter, PushLink, PushSession } from '../adapter.ts';
import type { Reading } from '../reading.ts';
import {
  openUaSession,
  routeLibraryLogs,
  type UaHandlers,
  type UaMonitorSpec,
  type UaSample,
  type UaSession,
  type UaSubscriptionSpec,
} from './client.ts';
import { subscribeConditions } from './conditions.ts';
import { resolveUser } from './credentials.ts';
import { type ParsedNodeId, parseNodeId, resolveNodeId } from './node-id.ts';
import { chunk, planSubscriptions } from './plan.ts';
import { pointReadings } from './readings.ts';
import { type Carried, type Restored, restoreSubscriptions, specKey } from './restore.ts';

export interface OpcuaAdapterContext {
  /** The gateway's certificate store (state directory/pki). */
  pkiDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface OpcuaCounters {
  notifications: number;
  badValues: number;
  /** Sessions opened; more than one means the link was lost and rebuilt. */
  sessions: number;
  /** Subscriptions a new session took over from a lost one (TransferSubscriptions). */
  transferredSubscriptions: number;
  /** Subscriptions created again on a new session because they could not be transferred. */
  recreatedSubscriptions: number;
}

export type OpcuaAdapter = (PushAdapter | PollingAdapter) & { readonly counters: OpcuaCounters };

export const APPLICATION_NAME = 'edge-alarm-gateway';

const MIN_SESSION_TIMEOUT_MS = 5000;

interface ResolvedPoint {
  point: OpcuaPoint;
  nodeId: string;
}

export function createOpcuaAdapter(
  device: OpcuaDevice,
  logger: Logger,
  context: OpcuaAdapterContext,
): OpcuaAdapter {
  const parsed = new Map<string, ParsedNodeId>(
    device.points.map((point) => [point.id, parseNodeId(point.node_id)]),
  );
  const counters: OpcuaCounters = {
    notifications: 0,
    badValues: 0,
    sessions: 0,
    transferredSubscriptions: 0,
    recreatedSubscriptions: 0,
  };
  routeLibraryLogs(logger);
  const readings = pointReadings(
    device.id,
    logger,
    counters,
    device.source_time_tolerance_ms ?? DEFAULTS.sourceTimeToleranceMs,
  );

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
      sessionTimeoutMs: sessionTimeoutOf(device),
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
        else unresolved.push(readings.bad(point.id, resolution.reason, now));
      }
      return { session, resolved, unresolved };
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  if (opcuaPolls(device)) {
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
            const polled: Reading[] = [...unresolved];
            for (const part of chunk(
              resolved,
              maxNodesPerRead > 0 ? maxNodesPerRead : resolved.length || 1,
            )) {
              const samples = await session.read(part.map((item) => item.nodeId));
              const at = Date.now();
              part.forEach((item, index) => {
                polled.push(readings.of(item.point.id, samples[index] as UaSample, at));
              });
            }
            return polled;
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
  const sessionTimeoutMs = sessionTimeoutOf(device);
  // The server keeps a subscription as long as the session (so it can be transferred), and at least
  // three keep-alive periods, the least OPC UA allows.
  const lifetimeCount = Math.max(3 * keepAliveCount, Math.ceil(sessionTimeoutMs / publishingIntervalMs));
  /** What the last lost session left for the next one to take over. */
  let carried: Carried | undefined;
  /** Whether a push session was ever set up: every later one is a reconnect, whose path is logged. */
  let connectedBefore = false;

  /** Once per connect after a loss: which way the subscriptions came back. */
  function logRestore(restored: Restored, reconnect: boolean): void {
    counters.transferredSubscriptions += restored.transferred;
    if (!reconnect) return;
    counters.recreatedSubscriptions += restored.recreated;
    const path =
      restored.recreated === 0
        ? 'transferred'
        : restored.transferred === 0
          ? 'recreated'
          : 'partly transferred';
    logger.info(
      {
        device: device.id,
        transferred: restored.transferred,
        recreated: restored.recreated,
        ...(restored.reason === undefined ? {} : { reason: restored.reason }),
      },
      `subscriptions ${path} on the new session`,
    );
  }

  return {
    deviceId: device.id,
    mode: 'push',
    counters,
    async connect(link: PushLink): Promise<PushSession> {
      const { session, resolved, unresolved } = await open();
      const previous = carried;
      carried = undefined;
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
      let specs: UaSubscriptionSpec[] = [];
      let handlers: UaHandlers[] = [];
      let outcomes: (string | undefined)[][] = [];
      let endSession: (detail: string) => void = () => {};
      const ended = new Promise<string>((resolve) => {
        endSession = resolve;
      });
      let watchdog: NodeJS.Timeout | undefined;
      let lostAt: number | undefined;
      const lose = (detail: string) => {
        lostAt ??= Date.now();
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
        specs = plan.subscriptions.map((calls) => ({
          publishingIntervalMs,
          keepAliveCount,
          lifetimeCount,
          calls: calls.map((call) => call.map((item) => monitorSpecOf(device, item))),
        }));
        handlers = plan.subscriptions.map((calls) => {
          const items = calls.flat();
          return {
            onChange: (index: number, sample: UaSample) => {
              lastHeard = Date.now();
              counters.notifications += 1;
              const item = items[index];
              if (item) push(readings.of(item.point.id, sample, lastHeard));
            },
            onKeepAlive: () => {
              lastHeard = Date.now();
            },
          };
        });
        const restored = await restoreSubscriptions(session, specs, handlers, previous, sessionTimeoutMs);
        outcomes = restored.outcomes;
        logRestore(restored, connectedBefore);
        const now = Date.now();
        plan.subscriptions.forEach((calls, subscription) => {
          const items = calls.flat();
          restored.outcomes[subscription]?.forEach((reason, index) => {
            const item = items[index];
            if (reason !== undefined && item) push(readings.bad(item.point.id, reason, now));
          });
        });
        if (device.native_conditions !== undefined) {
          // A server without Alarms & Conditions (or a wrong source node) must not cost the data points.
          const heard = () => {
            lastHeard = Date.now();
          };
          await subscribeConditions(session, device, link, publishingIntervalMs, heard, logger).catch(
            (error: unknown) => {
              const failure = new GatewayError('OPCUA_CONDITIONS', (error as Error).message, {
                cause: error,
              });
              logger.error({ code: failure.code }, failure.describe());
            },
          );
        }
      } catch (error) {
        await session.close();
        throw error;
      }
      // On a lost link the subscriptions stay on the server for the next session to take over.
      const leave = (at: number) => {
        const detached = session.detach();
        carried = {
          lostAt: at,
          subscriptions: specs.map((spec, index) => {
            const entry = detached.get(handlers[index] as UaHandlers);
            return entry && { key: specKey(spec), detached: entry, refused: outcomes[index] ?? [] };
          }),
        };
      };
      connectedBefore = true;
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
          if (lostAt !== undefined) leave(lostAt);
          await session.close();
        },
      };
    },
  };
}

/**
 * Subscriptions (publish requests) and polls keep a session alive; three
 * keep-alive periods or polls without either mean the gateway is gone, and the
 * server may drop the session then, so an outage leaves no session behind for long.
 */
function sessionTimeoutOf(device: OpcuaDevice): number {
  const keepAlive = device.keepalive_ms ?? DEFAULTS.opcuaKeepAliveMs;
  const publishing = device.publishing_interval_ms ?? DEFAULTS.opcuaPublishingIntervalMs;
  const poll = device.poll_interval_ms ?? DEFAULTS.pollIntervalMs;
  return Math.max(MIN_SESSION_TIMEOUT_MS, 3 * keepAlive, 9 * publishing, 3 * poll);
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

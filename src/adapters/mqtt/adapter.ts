/**
 * The MQTT adapter: one broker session per device of the site file. Each
 * message becomes readings that are handed to the alarm stage; a QoS 1
 * message is acknowledged only once its events are committed, so a crash
 * between receipt and commit means the broker sends it again. A Sparkplug B
 * device follows one edge node (or one of its devices): birth and death are
 * its communication state, and gaps in its sequence ask it for a rebirth.
 * Handling a message never ends the session: whatever fails while a message
 * is handled makes its points bad and is logged as a payload problem, and the
 * message is acknowledged, so the broker does not send it again and again.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { MqttDevice } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { PushAdapter, PushLink, PushSession, SlowRetry } from '../adapter.ts';
import type { Reading } from '../reading.ts';
import { connectMqtt, MqttConnectFailure, type MqttConnection, type MqttMessage } from './client.ts';
import { connectionOptions } from './connection-options.ts';
import { type MalformedCounters, MalformedLog } from './malformed-log.ts';
import { RebirthLimiter } from './rebirth-limiter.ts';
import { DataType, encodeSparkplug } from './sparkplug-codec.ts';
import { SparkplugRouter } from './sparkplug-router.ts';
import { REBIRTH_METRIC, sparkplugSubscriptions, sparkplugTopic } from './sparkplug-topic.ts';
import { TopicRouter } from './topic-router.ts';

export interface MqttCounters {
  messages: number;
  /** Messages whose readings were committed (and, at QoS 1, acknowledged). */
  committed: number;
  /** Messages left unacknowledged because their events could not be committed. */
  notCommitted: number;
  connects: number;
  /** Reconnects on which the broker no longer had the session, so the gateway subscribed again. */
  sessionsLost: number;
  rebirthRequests: number;
  /** Rebirths wanted while the rate limit held them; each goes out once it allows, unless a birth came first. */
  rebirthsDeferred: number;
  /** Births of devices of the followed edge node that this entry does not follow (ignored). */
  readonly unfollowedBirths: number;
  malformed: MalformedCounters;
}

export interface MqttAdapter extends PushAdapter {
  readonly counters: MqttCounters;
}

export interface MqttAdapterOptions {
  logger: Logger;
  gatewayId: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** How often each class of malformed message is logged at most. */
  malformedLogIntervalMs?: number;
}

export function createMqttAdapter(device: MqttDevice, options: MqttAdapterOptions): MqttAdapter {
  const { logger, gatewayId } = options;
  const malformedLog = new MalformedLog(logger, { intervalMs: options.malformedLogIntervalMs });
  const counters: MqttCounters = {
    messages: 0,
    committed: 0,
    notCommitted: 0,
    connects: 0,
    sessionsLost: 0,
    rebirthRequests: 0,
    rebirthsDeferred: 0,
    get unfollowedBirths() {
      return node?.unfollowedBirths ?? 0;
    },
    malformed: malformedLog.counters,
  };
  const qos = (device.qos ?? DEFAULTS.mqttQos) === 0 ? 0 : 1;
  const slowRetryMs = device.auth_retry_ms ?? DEFAULTS.mqttAuthRetryMs;
  const sparkplug = device.sparkplug;
  const router = sparkplug ? undefined : new TopicRouter(device);
  const edge = sparkplug ? new SparkplugRouter(device, sparkplug, malformedLog) : undefined;
  const node = edge?.node;
  // One per node for the life of the adapter: neither a birth nor a reconnect resets it.
  const rebirthLimiter = new RebirthLimiter();
  const subscriptions = sparkplug ? sparkplugSubscriptions(sparkplug) : (router as TopicRouter).subscriptions;
  let subscribedBefore = false;
  /** The last connect failure reported; a repeat of it is not logged again. */
  let lastFailure: string | undefined;

  async function connect(link: PushLink): Promise<PushSession> {
    let connection: MqttConnection | undefined;
    let birthTimer: NodeJS.Timeout | undefined;
    /** A rebirth the rate limit held back, sent once it allows unless a birth comes first. */
    let deferredRebirth: NodeJS.Timeout | undefined;
    let closed = false;
    const ready = Promise.withResolvers<MqttConnection>();

    /** `expected`: asked for as a matter of course (on connecting), not because something was wrong. */
    const requestRebirth = (reason: string, expected = false) => {
      if (!sparkplug || closed || deferredRebirth !== undefined) return;
      if (!rebirthLimiter.take()) {
        counters.rebirthsDeferred += 1;
        deferredRebirth = setTimeout(() => {
          deferredRebirth = undefined;
          requestRebirth(reason, expected);
        }, rebirthLimiter.waitMs());
        deferredRebirth.unref();
        return;
      }
      counters.rebirthRequests += 1;
      const where = `${sparkplug.group_id}/${sparkplug.edge_node_id}`;
      if (expected) {
        logger.info({ edge_node: where, reason }, `requested the births of edge node ${where}: ${reason}`);
      } else {
        const error = new GatewayError('SPARKPLUG_REBIRTH', `${where}: ${reason}`);
        logger.warn({ code: error.code, reason }, error.describe());
      }
      const payload = encodeSparkplug({
        timestamp: Date.now(),
        metrics: [{ name: REBIRTH_METRIC, datatype: DataType.Boolean, value: true }],
      });
      // Messages may arrive before the connect call returned; the request goes out once it has.
      void ready.promise
        .then((open) => open.publish(sparkplugTopic(sparkplug, 'NCMD'), payload, 0))
        .catch(() => {});
    };

    /** `progress` tells `handlingFailed` which readings the message had and whether they were delivered. */
    const handle = (message: MqttMessage, at: number, progress: Progress): boolean => {
      let after: ((link: PushLink) => void) | undefined;
      if (edge) {
        const result = edge.route(message.topic, message.payload, at);
        // The birth answered whatever a held-back request would have asked for.
        if (result.born) clearDeferredRebirth();
        if (result.rebirth !== undefined) requestRebirth(result.rebirth);
        if (result.notice !== undefined) logger.info({ url: device.url }, result.notice);
        const alive = result.alive;
        if (alive) after = (open) => open.link(alive.up, alive.reason);
        progress.readings = result.readings;
      } else {
        progress.readings = topicReadings(message, at);
      }
      const routed = progress.readings;
      // A redelivered message may have been committed before its acknowledgement was lost.
      const marked = message.duplicate
        ? routed.map((reading) => ({ ...reading, redelivered: true }))
        : routed;
      if (marked.length > 0 && !link.deliver(marked)) {
        counters.notCommitted += 1;
        return false;
      }
      progress.delivered = true;
      counters.committed += 1;
      after?.(link);
      if (node?.alive) clearTimeout(birthTimer);
      return true;
    };

    const onMessage = (message: MqttMessage): boolean => {
      counters.messages += 1;
      const at = Date.now();
      const progress: Progress = { readings: [], delivered: false };
      try {
        return handle(message, at, progress);
      } catch (error) {
        return handlingFailed(message, progress, error, at);
      }
    };

    /**
     * A fault while handling a message (decoding, the alarm stage) is not the
     * broker's: the connection stays. The points the message was for are made
     * bad and the message is acknowledged, since the same message would fail
     * the same way on every redelivery.
     */
    const handlingFailed = (
      message: MqttMessage,
      progress: Progress,
      error: unknown,
      at: number,
    ): boolean => {
      const reason = `handling the message failed: ${errorText(error)}`;
      malformedLog.note('handling_failed', message.topic, reason);
      // Readings already committed keep their values: what failed came after them.
      const bad = (progress.delivered ? [] : progress.readings).map(
        (reading): Reading => ({
          deviceId: reading.deviceId,
          pointId: reading.pointId,
          value: null,
          quality: 'bad',
          qualityReason: reason,
          gatewayTime: at,
        }),
      );
      try {
        if (bad.length > 0) {
          if (!link.deliver(bad)) {
            counters.notCommitted += 1;
            return false;
          }
          counters.committed += 1;
        }
      } catch {
        // Reported above; a stage that fails on bad readings too cannot be helped by a redelivery.
      }
      return true;
    };

    const clearDeferredRebirth = () => {
      clearTimeout(deferredRebirth);
      deferredRebirth = undefined;
    };

    try {
      connection = await connectMqtt(connectionOptions(device, gatewayId, options.env), onMessage);
      counters.connects += 1;
      await subscribe(connection);
    } catch (cause) {
      closed = true;
      clearDeferredRebirth();
      await connection?.end();
      const error = classify(cause);
      if (error.code !== lastFailure) {
        lastFailure = error.code;
        const retry = (error as Partial<SlowRetry>).retryAfterMs;
        logger.error({ code: error.code, url: device.url, retry_after_ms: retry }, error.describe());
      }
      link.link(false, error.message);
      throw error;
    }
    lastFailure = undefined;
    ready.resolve(connection);

    const open = connection;
    const ended = open.closed.then((reason) => {
      closed = true;
      clearDeferredRebirth();
      clearTimeout(birthTimer);
      node?.forget();
      link.link(false, `lost the broker: ${reason}`);
      throw new GatewayError('MQTT_CONNECT', reason);
    });
    ended.catch(() => {});

    if (node && sparkplug) {
      // What happened while the gateway was away is unknown: ask for current births.
      node.forget();
      requestRebirth('the gateway (re)connected and needs the current births', true);
      const timeoutMs = sparkplug.birth_timeout_ms ?? DEFAULTS.sparkplugBirthTimeoutMs;
      birthTimer = setTimeout(() => {
        if (!node.alive) link.link(false, `no birth certificate from the edge node within ${timeoutMs} ms`);
      }, timeoutMs);
      birthTimer.unref();
    }
    return {
      ended,
      awaitingDevice: node !== undefined && !node.alive,
      close: async () => {
        closed = true;
        clearDeferredRebirth();
        clearTimeout(birthTimer);
        await open.end();
      },
    };
  }

  /** Subscribes on the first connection and whenever the broker no longer has the session. */
  async function subscribe(connection: MqttConnection): Promise<void> {
    if (subscribedBefore && connection.sessionPresent) {
      logger.info({ url: device.url }, 'broker session resumed; subscriptions kept');
      return;
    }
    if (subscribedBefore) {
      counters.sessionsLost += 1;
      logger.warn({ url: device.url }, 'the broker no longer had the session; subscribing again');
    }
    const granted = await connection.subscribe(subscriptions, qos);
    const refused = subscriptions.filter((_, index) => (granted[index] ?? 128) >= 128);
    if (refused.length > 0) {
      throw slow(new GatewayError('MQTT_SUBSCRIBE', `${device.url}: ${refused.join(', ')}`));
    }
    subscribedBefore = true;
    logger.info({ url: device.url, topics: subscriptions, qos }, 'subscribed');
  }

  function topicReadings(message: MqttMessage, at: number): Reading[] {
    return (router as TopicRouter).route(message.topic, message.payload, at).map(({ reading, problem }) => {
      if (problem) malformedLog.note(problem.kind, message.topic, problem.reason);
      return reading;
    });
  }

  function classify(cause: unknown): GatewayError {
    if (cause instanceof GatewayError) {
      return cause.code === 'MQTT_CONNECT' ? cause : slow(cause);
    }
    const who = device.username === undefined ? 'without credentials' : `as ${device.username}`;
    if (cause instanceof MqttConnectFailure) {
      if (cause.kind === 'auth')
        return slow(new GatewayError('MQTT_AUTH', `${device.url} ${who}: ${cause.message}`));
      if (cause.kind === 'tls') return slow(new GatewayError('MQTT_TLS', `${device.url}: ${cause.message}`));
    }
    return new GatewayError('MQTT_CONNECT', `${device.url}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }

  function slow(error: GatewayError): GatewayError & SlowRetry {
    return Object.assign(error, { retryAfterMs: slowRetryMs });
  }

  return { deviceId: device.id, mode: 'push', counters, connect };
}

/** How far the handling of one message got. */
interface Progress {
  readings: Reading[];
  delivered: boolean;
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an error that cannot be shown';
  }
}

/**
 * The MQTT adapter: one broker session per device of the site file. Each
 * message becomes readings that are handed to the alarm stage; a QoS 1
 * message is acknowledged only once its events are committed, so a crash
 * between receipt and commit means the broker sends it again. A Sparkplug B
 * device follows one edge node (or one of its devices): birth and death are
 * its communication state, and gaps in its sequence ask it for a rebirth.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { MqttDevice } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Reading } from '../reading.ts';
import type { PushDriver, PushLink, PushSession, SlowRetry } from '../runner.ts';
import { connectMqtt, MqttConnectFailure, type MqttConnection, type MqttMessage } from './client.ts';
import { connectionOptions } from './connection-options.ts';
import { type MalformedCounters, MalformedLog } from './malformed-log.ts';
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
  malformed: MalformedCounters;
}

export interface MqttDriver extends PushDriver {
  readonly counters: MqttCounters;
}

export interface MqttDriverOptions {
  logger: Logger;
  gatewayId: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** How often each class of malformed message is logged at most. */
  malformedLogIntervalMs?: number;
}

/** Until a birth answers, rebirth requests closer together than this would only repeat the one in flight. */
const REBIRTH_MIN_INTERVAL_MS = 1000;

export function createMqttDriver(device: MqttDevice, options: MqttDriverOptions): MqttDriver {
  const { logger, gatewayId } = options;
  const malformedLog = new MalformedLog(logger, { intervalMs: options.malformedLogIntervalMs });
  const counters: MqttCounters = {
    messages: 0,
    committed: 0,
    notCommitted: 0,
    connects: 0,
    sessionsLost: 0,
    rebirthRequests: 0,
    malformed: malformedLog.counters,
  };
  const qos = (device.qos ?? DEFAULTS.mqttQos) === 0 ? 0 : 1;
  const slowRetryMs = device.auth_retry_ms ?? DEFAULTS.mqttAuthRetryMs;
  const sparkplug = device.sparkplug;
  const router = sparkplug ? undefined : new TopicRouter(device);
  const edge = sparkplug ? new SparkplugRouter(device, sparkplug, malformedLog) : undefined;
  const node = edge?.node;
  const subscriptions = sparkplug ? sparkplugSubscriptions(sparkplug) : (router as TopicRouter).subscriptions;
  let subscribedBefore = false;
  /** The last connect failure reported; a repeat of it is not logged again. */
  let lastFailure: string | undefined;

  async function connect(link: PushLink): Promise<PushSession> {
    let connection: MqttConnection | undefined;
    let lastRebirthAt = 0;
    let birthTimer: NodeJS.Timeout | undefined;
    const ready = Promise.withResolvers<MqttConnection>();

    /** `expected`: asked for as a matter of course (on connecting), not because something was wrong. */
    const requestRebirth = (reason: string, expected = false) => {
      if (!sparkplug || Date.now() - lastRebirthAt < REBIRTH_MIN_INTERVAL_MS) return;
      lastRebirthAt = Date.now();
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

    const onMessage = (message: MqttMessage): boolean => {
      counters.messages += 1;
      const at = Date.now();
      let after: ((link: PushLink) => void) | undefined;
      let readings: Reading[];
      if (edge) {
        const routed = edge.route(message.topic, message.payload, at);
        if (routed.born) lastRebirthAt = 0;
        if (routed.rebirth !== undefined) requestRebirth(routed.rebirth);
        const alive = routed.alive;
        if (alive) after = (open) => open.link(alive.up, alive.reason);
        readings = routed.readings;
      } else {
        readings = topicReadings(message, at);
      }
      // A redelivered message may have been committed before its acknowledgement was lost.
      const marked = message.duplicate
        ? readings.map((reading) => ({ ...reading, redelivered: true }))
        : readings;
      if (marked.length > 0 && !link.deliver(marked)) {
        counters.notCommitted += 1;
        return false;
      }
      counters.committed += 1;
      after?.(link);
      if (node?.alive) clearTimeout(birthTimer);
      return true;
    };

    try {
      connection = await connectMqtt(connectionOptions(device, gatewayId, options.env), onMessage);
      counters.connects += 1;
      await subscribe(connection);
    } catch (cause) {
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

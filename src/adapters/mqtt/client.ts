/**
 * The only module that imports the MQTT client library. It opens one
 * connection and hands messages to the adapter one at a time; a QoS 1
 * message is acknowledged (PUBACK) only when the adapter says so, which it
 * does once the message's events are committed. The library's own reconnect
 * is off: the device runner reconnects with backoff and jitter, and each
 * attempt builds a new client from a new options object.
 */
import mqtt, { type IClientOptions, type IPublishPacket } from 'mqtt';

export interface MqttConnectOptions {
  readonly url: string;
  readonly clientId: string;
  readonly clean: boolean;
  readonly keepaliveS: number;
  readonly connectTimeoutMs: number;
  readonly username?: string;
  readonly password?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  /** Published by the broker when this client vanishes (a Sparkplug NDEATH). */
  readonly will?: { topic: string; payload: Uint8Array; qos: 0 | 1 };
}

export interface MqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1 | 2;
  /** The broker sent it before (a redelivery after a lost acknowledgement). */
  readonly duplicate: boolean;
}

/**
 * Returns true to acknowledge; false leaves the message unacknowledged and
 * drops the connection. A handler that throws is a fault of the handler: the
 * connection is dropped as for false, and the close reason says so rather
 * than blaming the broker. The adapter's handler never throws.
 */
export type MessageHandler = (message: MqttMessage) => boolean;

/** Why a connection attempt failed, in the adapter's terms. */
export class MqttConnectFailure extends Error {
  readonly kind: 'auth' | 'tls' | 'network';
  constructor(kind: 'auth' | 'tls' | 'network', message: string) {
    super(message);
    this.name = 'MqttConnectFailure';
    this.kind = kind;
  }
}

export interface MqttConnection {
  /** The broker still had this client's session (CONNACK session present). */
  readonly sessionPresent: boolean;
  /** Resolves with the granted QoS of each filter; 128 means refused. */
  subscribe(filters: readonly string[], qos: 0 | 1): Promise<number[]>;
  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  /** Settles with the reason once the connection is gone, for whatever cause. */
  readonly closed: Promise<string>;
  end(): Promise<void>;
  /** Cuts the connection without a DISCONNECT, as a crash or a pulled cable does: the broker publishes the will. */
  drop(): void;
}

/** Connection refused return codes of MQTT 3.1.1 that mean credentials or rights. */
const AUTH_REFUSALS = new Set([4, 5]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

export function connectMqtt(options: MqttConnectOptions, onMessage: MessageHandler): Promise<MqttConnection> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: options.clean,
    protocolVersion: 4,
    keepalive: options.keepaliveS,
    connectTimeout: options.connectTimeoutMs,
    reconnectPeriod: 0,
    resubscribe: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.will === undefined
      ? {}
      : {
          will: {
            topic: options.will.topic,
            payload: Buffer.from(options.will.payload),
            qos: options.will.qos,
            retain: false,
          },
        }),
    rejectUnauthorized: true,
  };
  const client = mqtt.connect(options.url, clientOptions);
  let refusedForAuth: string | undefined;
  let lastError: Error | undefined;
  let handlerFailure: string | undefined;

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    const message: MqttMessage = {
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      qos: packet.qos,
      duplicate: packet.dup,
    };
    let accepted = false;
    try {
      accepted = onMessage(message);
    } catch (error) {
      handlerFailure ??= `the handler of a message on ${packet.topic} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (accepted) {
      callback();
      return;
    }
    // Unacknowledged, the message stays with the broker, which sends it again on the next connection.
    client.end(true);
  };

  const closed = new Promise<string>((resolve) => {
    client.once('close', () =>
      resolve(handlerFailure ?? lastError?.message ?? 'connection to the broker closed'),
    );
  });

  return new Promise<MqttConnection>((resolve, reject) => {
    const fail = (error: Error & { code?: unknown }) => {
      lastError = error;
      if (typeof error.code === 'number' && AUTH_REFUSALS.has(error.code)) refusedForAuth = error.message;
    };
    client.on('error', fail);
    client.once('connect', (connack) => {
      resolve({
        sessionPresent: connack.sessionPresent,
        subscribe: (filters, qos) =>
          new Promise((done, failed) => {
            client.subscribe([...filters], { qos }, (error, granted) => {
              if (error) failed(error);
              else done((granted ?? []).map((grant) => grant.qos));
            });
          }),
        publish: (topic, payload, qos) =>
          new Promise((done, failed) => {
            client.publish(topic, Buffer.from(payload), { qos }, (error) => (error ? failed(error) : done()));
          }),
        closed,
        end: () => new Promise<void>((done) => client.end(true, {}, () => done())),
        drop: () => client.stream.destroy(),
      });
    });
    void closed.then(() => {
      if (client.connected) return;
      const code = String((lastError as { code?: unknown } | undefined)?.code ?? '');
      const message = lastError?.message ?? 'connection closed before the broker answered';
      if (refusedForAuth !== undefined) reject(new MqttConnectFailure('auth', refusedForAuth));
      else if (TLS_CODES.test(code) || /certificate|tls|ssl/i.test(message))
        reject(new MqttConnectFailure('tls', message));
      else reject(new MqttConnectFailure('network', message));
    });
  });
}

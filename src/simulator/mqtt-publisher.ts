/**
 * A simulated MQTT field device: publishes every point of a plain or JSON
 * device of the site file to the device's broker, at a fixed interval and
 * whenever a value is set, in the format the adapter expects.
 */
import { connectMqtt, type MqttConnection } from '../adapters/mqtt/client.ts';
import { connectionOptions, defaultClientId } from '../adapters/mqtt/connection-options.ts';
import type { PointValue } from '../adapters/reading.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { MqttDevice, MqttJsonPoint, MqttPlainPoint } from '../config/schema.ts';
import { concreteTopic, payloadOf } from './mqtt-topics.ts';
import { PointValues } from './point-values.ts';
import type { Scenario } from './scenarios.ts';

export interface MqttSimulatorOptions {
  /** Overrides the broker of the site file. */
  url?: string;
  /** Time between two rounds of publishing every point. */
  intervalMs?: number;
  /** The gateway id the device's default client id derives from; the simulator adds "-sim". */
  gatewayId?: string;
  /** Publishes as this user instead of the device's (the gateway's) credentials. */
  credentials?: { username: string; password: string };
}

/** The connection of a simulator: the device's broker and settings, its own client id and, if given, user. */
export function simulatorConnection(device: MqttDevice, options: MqttSimulatorOptions, clientId: string) {
  const url = options.url ?? device.url;
  const withUser = options.credentials
    ? { ...device, url, username: options.credentials.username, password: undefined }
    : { ...device, url };
  const base = connectionOptions(withUser, options.gatewayId ?? 'simulator');
  return {
    ...base,
    clientId,
    clean: true,
    ...(options.credentials ? { password: options.credentials.password } : {}),
  };
}

type TopicPoint = MqttPlainPoint | MqttJsonPoint;

export class SimulatedMqttPublisher {
  readonly device: MqttDevice;
  readonly url: string;
  readonly values = new PointValues();
  published = 0;
  readonly #connection: MqttConnection;
  readonly #points: { point: TopicPoint; topic: string }[];
  readonly #ticker: NodeJS.Timeout;
  readonly #qos: 0 | 1;

  private constructor(device: MqttDevice, url: string, connection: MqttConnection, intervalMs: number) {
    this.device = device;
    this.url = url;
    this.#connection = connection;
    this.#qos = (device.qos ?? DEFAULTS.mqttQos) === 0 ? 0 : 1;
    this.#points = device.points.flatMap((point) =>
      point.format === 'sparkplug' ? [] : [{ point, topic: concreteTopic(device, point).topic }],
    );
    this.#ticker = setInterval(() => void this.publishAll().catch(() => {}), intervalMs);
    this.#ticker.unref();
  }

  static async start(
    device: MqttDevice,
    options: MqttSimulatorOptions = {},
  ): Promise<SimulatedMqttPublisher> {
    const url = options.url ?? device.url;
    const clientId = `${device.client_id ?? defaultClientId(options.gatewayId ?? 'simulator', device.id)}-sim`;
    const connection = await connectMqtt(simulatorConnection(device, options, clientId), () => true);
    return new SimulatedMqttPublisher(device, url, connection, options.intervalMs ?? 1000);
  }

  /** Sets a point and publishes it at once. */
  async set(pointId: string, value: PointValue): Promise<void> {
    this.values.set(pointId, value);
    await this.publish(pointId);
  }

  setScenario(pointId: string, scenario: Scenario): void {
    this.values.setScenario(pointId, scenario);
  }

  async publish(pointId: string): Promise<void> {
    for (const { point, topic } of this.#points) {
      if (point.id === pointId) await this.#send(point, topic);
    }
  }

  async publishAll(): Promise<void> {
    for (const { point, topic } of this.#points) await this.#send(point, topic);
  }

  /** Publishes raw bytes on a topic, to exercise malformed payloads. */
  async publishRaw(topic: string, payload: Uint8Array): Promise<void> {
    await this.#connection.publish(topic, payload, this.#qos);
  }

  async #send(point: TopicPoint, topic: string): Promise<void> {
    const value = this.values.get(point.id, point.type === 'boolean' ? false : 0);
    await this.#connection.publish(topic, payloadOf(point, value, Date.now()), this.#qos);
    this.published += 1;
  }

  async stop(): Promise<void> {
    clearInterval(this.#ticker);
    await this.#connection.end();
  }
}

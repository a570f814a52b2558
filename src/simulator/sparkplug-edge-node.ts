/**
 * A simulated Sparkplug B edge node (and, when the device names one, its
 * device): NBIRTH/DBIRTH with metric names, aliases and types, then
 * NDATA/DDATA by alias with a running sequence number, NDEATH as its will and
 * on a clean stop, and a new birth whenever a host asks with
 * `Node Control/Rebirth`. Faults on demand: a skipped sequence number, death,
 * and a rude node that follows every birth with data the birth never declared.
 */
import { connectMqtt, type MqttConnection, type MqttMessage } from '../adapters/mqtt/client.ts';
import {
  DataType,
  decodeSparkplug,
  encodeSparkplug,
  type SparkplugMetric,
} from '../adapters/mqtt/sparkplug-codec.ts';
import {
  BDSEQ_METRIC,
  REBIRTH_METRIC,
  type SparkplugMessageType,
  sparkplugTopic,
} from '../adapters/mqtt/sparkplug-topic.ts';
import type { PointValue } from '../adapters/reading.ts';
import type { MqttDevice, MqttSparkplugPoint, SparkplugSource } from '../config/schema.ts';
import { type MqttSimulatorOptions, simulatorConnection } from './mqtt-publisher.ts';
import { PointValues } from './point-values.ts';
import type { Scenario } from './scenarios.ts';

interface Metric {
  readonly point: MqttSparkplugPoint;
  readonly alias: number;
  readonly datatype: number;
}

export class SimulatedEdgeNode {
  readonly device: MqttDevice;
  readonly source: SparkplugSource;
  readonly url: string;
  readonly values = new PointValues();
  rebirthRequests = 0;
  births = 0;
  /** Follows every birth with data by an alias no birth declared: a host that asks for a rebirth each time storms. */
  undeclaredAliasAfterBirth = false;
  readonly #metrics: Metric[];
  readonly #options: MqttSimulatorOptions;
  readonly #intervalMs: number;
  #connection: MqttConnection | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #seq = 0;
  #bdSeq = 0;

  private constructor(device: MqttDevice, options: MqttSimulatorOptions) {
    if (device.sparkplug === undefined) throw new Error(`device ${device.id} has no sparkplug block`);
    this.device = device;
    this.source = device.sparkplug;
    this.url = options.url ?? device.url;
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 1000;
    const points = device.points.filter((point): point is MqttSparkplugPoint => point.format === 'sparkplug');
    // One metric per name, aliases from 1 in order of appearance.
    const byName = new Map<string, MqttSparkplugPoint>();
    for (const point of points) if (!byName.has(point.metric)) byName.set(point.metric, point);
    this.#metrics = [...byName.values()].map((point, index) => ({
      point,
      alias: index + 1,
      datatype: point.type === 'boolean' ? DataType.Boolean : DataType.Double,
    }));
  }

  static async start(device: MqttDevice, options: MqttSimulatorOptions = {}): Promise<SimulatedEdgeNode> {
    const node = new SimulatedEdgeNode(device, options);
    await node.connect();
    return node;
  }

  /** Connects (with NDEATH as will), births and starts publishing data. */
  async connect(): Promise<void> {
    this.#bdSeq = (this.#bdSeq + 1) % 256;
    const clientId = `${this.source.group_id}-${this.source.edge_node_id}-sim`;
    const death = encodeSparkplug({ timestamp: Date.now(), metrics: [this.#bdSeqMetric()] });
    this.#connection = await connectMqtt(
      {
        ...simulatorConnection(this.device, this.#options, clientId),
        will: { topic: sparkplugTopic(this.source, 'NDEATH'), payload: death, qos: 1 },
      },
      (message) => this.#onCommand(message),
    );
    await this.#connection.subscribe([sparkplugTopic(this.source, 'NCMD')], 0);
    await this.birth();
    this.#ticker = setInterval(() => void this.publishData().catch(() => {}), this.#intervalMs);
    this.#ticker.unref();
  }

  setScenario(metricPointId: string, scenario: Scenario): void {
    this.values.setScenario(metricPointId, scenario);
  }

  /** Sets a metric (by point id) and publishes it at once. */
  async set(pointId: string, value: PointValue): Promise<void> {
    this.values.set(pointId, value);
    await this.publishData();
  }

  /** NBIRTH (seq 0), then DBIRTH when the node has a device: every metric with name, alias, type, value. */
  async birth(): Promise<void> {
    this.#seq = 0;
    this.births += 1;
    const metrics = this.#metrics.map((metric) => ({
      ...this.#valueMetric(metric),
      name: metric.point.metric,
    }));
    const deviceId = this.source.device_id;
    const nodeMetrics = deviceId === undefined ? metrics : [];
    await this.#publish('NBIRTH', [this.#bdSeqMetric(), ...nodeMetrics], undefined, 0);
    if (deviceId !== undefined) await this.#publish('DBIRTH', metrics, deviceId);
    if (this.undeclaredAliasAfterBirth) {
      const undeclared = { alias: this.#metrics.length + 1000, datatype: DataType.Double, value: 0 };
      await this.#publish(deviceId === undefined ? 'NDATA' : 'DDATA', [undeclared], deviceId);
    }
  }

  /** NDATA (or DDATA) with every metric by alias only. */
  async publishData(): Promise<void> {
    if (!this.#connection) return;
    const metrics = this.#metrics.map((metric) => this.#valueMetric(metric));
    const deviceId = this.source.device_id;
    await this.#publish(deviceId === undefined ? 'NDATA' : 'DDATA', metrics, deviceId);
  }

  /** The next message skips a sequence number, as a message lost on the way would. */
  skipSequence(): void {
    this.#seq = (this.#seq + 1) % 256;
  }

  /** Publishes NDEATH and goes away, as a node shutting down does. */
  async die(): Promise<void> {
    clearInterval(this.#ticker);
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    const death = encodeSparkplug({ timestamp: Date.now(), metrics: [this.#bdSeqMetric()] });
    await connection.publish(sparkplugTopic(this.source, 'NDEATH'), death, 1);
    await connection.end();
  }

  /** Drops off the network without a word: the broker publishes the NDEATH left as will. */
  vanish(): void {
    clearInterval(this.#ticker);
    this.#connection?.drop();
    this.#connection = undefined;
  }

  async stop(): Promise<void> {
    await this.die();
  }

  #onCommand(message: MqttMessage): boolean {
    const decoded = decodeSparkplug(message.payload);
    if (!decoded.ok) return true;
    const rebirth = decoded.payload.metrics.some(
      (metric) => metric.name === REBIRTH_METRIC && metric.value === true,
    );
    if (rebirth) {
      this.rebirthRequests += 1;
      void this.birth().catch(() => {});
    }
    return true;
  }

  #valueMetric(metric: Metric): SparkplugMetric {
    const fallback = metric.datatype === DataType.Boolean ? false : 0;
    return {
      alias: metric.alias,
      datatype: metric.datatype,
      timestamp: Date.now(),
      value: this.values.get(metric.point.id, fallback),
    };
  }

  #bdSeqMetric(): SparkplugMetric {
    return { name: BDSEQ_METRIC, datatype: DataType.Int64, value: this.#bdSeq };
  }

  async #publish(
    type: SparkplugMessageType,
    metrics: SparkplugMetric[],
    deviceId?: string,
    seq?: number,
  ): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    const payload = encodeSparkplug({ timestamp: Date.now(), seq: seq ?? this.#nextSeq(), metrics });
    await connection.publish(sparkplugTopic(this.source, type, deviceId), payload, 0);
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) % 256;
    return this.#seq;
  }
}

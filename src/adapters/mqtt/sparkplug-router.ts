/**
 * Turns the messages of a Sparkplug B device's edge node into readings of
 * the device's points: metrics by name, death as bad quality for every point,
 * malformations counted. What to do about the node (ask for a rebirth, report
 * the link) is returned for the adapter to act on.
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { MqttDevice, MqttSparkplugPoint, SparkplugSource } from '../../config/schema.ts';
import { type Reading, sourceTimeProblem } from '../reading.ts';
import { asPointValue } from './decoded.ts';
import type { MalformedLog } from './malformed-log.ts';
import { decodeSparkplug } from './sparkplug-codec.ts';
import { type MetricValue, SparkplugNode } from './sparkplug-node.ts';
import { parseSparkplugTopic } from './sparkplug-topic.ts';

export interface SparkplugRouted {
  readonly readings: Reading[];
  /** Why to ask the node for new births, if the message showed a reason. */
  readonly rebirth?: string;
  /** The message was a birth of the node: a rebirth asked for has been answered. */
  readonly born?: boolean;
  /** The followed node or device came or went; report it once the readings are committed. */
  readonly alive?: { up: boolean; reason: string };
  /** Worth a line in the log (a device of the node that this entry does not follow). */
  readonly notice?: string;
}

export class SparkplugRouter {
  readonly node: SparkplugNode;
  readonly #device: MqttDevice;
  readonly #source: SparkplugSource;
  readonly #log: MalformedLog;
  readonly #toleranceMs: number;
  readonly #metricPoints = new Map<string, MqttSparkplugPoint[]>();

  constructor(device: MqttDevice, source: SparkplugSource, log: MalformedLog) {
    this.#device = device;
    this.#source = source;
    this.#log = log;
    this.#toleranceMs = device.source_time_tolerance_ms ?? DEFAULTS.sourceTimeToleranceMs;
    this.node = new SparkplugNode(source);
    for (const point of device.points) {
      if (point.format !== 'sparkplug') continue;
      this.#metricPoints.set(point.metric, [...(this.#metricPoints.get(point.metric) ?? []), point]);
    }
  }

  route(topicName: string, payload: Uint8Array, at: number): SparkplugRouted {
    const topic = parseSparkplugTopic(topicName);
    if (!topic || topic.group !== this.#source.group_id || topic.node !== this.#source.edge_node_id) {
      return { readings: [] };
    }
    if (topic.type === 'NCMD' || topic.type === 'DCMD' || topic.type === 'STATE') return { readings: [] };
    const concernsTarget = topic.device === undefined || topic.device === this.#source.device_id;
    const decoded = decodeSparkplug(payload);
    if (!decoded.ok) {
      this.#log.note('bad_protobuf', topicName, decoded.reason);
      const readings = concernsTarget ? this.allBad(at, `undecodable ${topic.type}: ${decoded.reason}`) : [];
      return { readings, rebirth: `undecodable ${topic.type}` };
    }
    const outcome = this.node.handle(topic, decoded.payload);
    for (const problem of outcome.problems) this.#log.note(problem.kind, topicName, problem.reason);
    const readings = outcome.metrics.flatMap((metric) => this.#readingsOf(metric, topicName, at));
    if (outcome.alive && !outcome.alive.up) readings.push(...this.allBad(at, outcome.alive.reason));
    return {
      readings,
      ...(outcome.rebirth === undefined ? {} : { rebirth: outcome.rebirth }),
      ...(topic.type === 'NBIRTH' ? { born: true } : {}),
      ...(outcome.alive === undefined ? {} : { alive: outcome.alive }),
      ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
    };
  }

  allBad(at: number, reason: string): Reading[] {
    return this.#device.points.map((point) => ({
      deviceId: this.#device.id,
      pointId: point.id,
      value: null,
      quality: 'bad',
      qualityReason: reason,
      gatewayTime: at,
    }));
  }

  #readingsOf(metric: MetricValue, topic: string, at: number): Reading[] {
    return (this.#metricPoints.get(metric.name) ?? []).map((point): Reading => {
      const base = { deviceId: this.#device.id, pointId: point.id, gatewayTime: at };
      if (metric.isNull) {
        return { ...base, value: null, quality: 'bad', qualityReason: `metric ${metric.name} is null` };
      }
      const value = asPointValue(metric.value, point.type ?? 'number', `metric ${metric.name}`);
      if (!value.ok) {
        this.#log.note(value.kind, topic, value.reason);
        return { ...base, value: null, quality: 'bad', qualityReason: value.reason };
      }
      const timeProblem =
        metric.time === undefined ? undefined : sourceTimeProblem(metric.time, at, this.#toleranceMs);
      if (timeProblem !== undefined) {
        const reason = `metric ${metric.name}: ${timeProblem}`;
        this.#log.note('bad_timestamp', topic, reason);
        return { ...base, value: null, quality: 'bad', qualityReason: reason };
      }
      return {
        ...base,
        value: value.value,
        quality: 'good',
        ...(metric.time === undefined ? {} : { sourceTime: metric.time }),
      };
    });
  }
}

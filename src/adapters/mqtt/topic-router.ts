/**
 * Turns one message of a plain or JSON device into readings: every point
 * whose topic filter matches gets a reading, good or bad. A message that
 * matches no point yields nothing (another point's overlapping subscription).
 */
import { DEFAULTS } from '../../config/defaults.ts';
import type { MqttDevice, MqttJsonPoint, MqttPlainPoint } from '../../config/schema.ts';
import { fillTemplate, matchTopic, type ParsedFilter, parseTopicFilter } from '../../config/topic-filters.ts';
import { type Reading, sourceTimeProblem } from '../reading.ts';
import { type Decoded, parseText } from './decoded.ts';
import { decodeJsonPoint, type ParsedJson, parseJsonPayload } from './json-payload.ts';

type TopicPoint = MqttPlainPoint | MqttJsonPoint;

interface Route {
  readonly point: TopicPoint;
  readonly filter: ParsedFilter;
}

export interface RoutedReading {
  readonly reading: Reading;
  /** Set when the reading is bad because the message was malformed. */
  readonly problem?: Extract<Decoded, { ok: false }>;
}

const POINT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_POINT_ID = 64;
/**
 * Concrete points one device may have from templates. Each carries alarm
 * state for the life of the process; a publisher looping over random topic
 * levels must not be able to exhaust memory.
 */
export const MAX_TEMPLATE_POINTS = 10_000;

export class TopicRouter {
  readonly #deviceId: string;
  readonly #toleranceMs: number;
  readonly #routes: Route[];
  readonly #concrete = new Set<string>();

  constructor(device: MqttDevice) {
    this.#deviceId = device.id;
    this.#toleranceMs = device.source_time_tolerance_ms ?? DEFAULTS.sourceTimeToleranceMs;
    this.#routes = device.points.flatMap((point) => {
      if (point.format === 'sparkplug') return [];
      const filter = parseTopicFilter(point.topic);
      // Validation rejected bad filters before the gateway started.
      return 'problem' in filter ? [] : [{ point, filter }];
    });
  }

  /** What to subscribe to: each distinct filter once. */
  get subscriptions(): string[] {
    return [...new Set(this.#routes.map((route) => route.filter.subscription))];
  }

  route(topic: string, payload: Uint8Array, at: number): RoutedReading[] {
    const out: RoutedReading[] = [];
    let json: ParsedJson | undefined;
    for (const { point, filter } of this.#routes) {
      const bound = matchTopic(filter, topic);
      if (bound === undefined) continue;
      const pointId = fillTemplate(point.id, bound);
      let decoded: Decoded;
      if (!POINT_ID.test(pointId) || pointId.length > MAX_POINT_ID) {
        // The reading cannot be attributed to a valid point id: report it under the template.
        const reason = `topic ${topic} gives point id "${pointId}", which is not a valid id`;
        out.push(this.#bad(point.id, malformedDecoded('unusable_topic', reason), at));
        continue;
      }
      if (pointId !== point.id && !this.#concrete.has(pointId)) {
        if (this.#concrete.size >= MAX_TEMPLATE_POINTS) {
          const reason = `topic ${topic} would make point ${pointId}, past ${MAX_TEMPLATE_POINTS} points from templates`;
          out.push(this.#bad(point.id, malformedDecoded('unusable_topic', reason), at));
          continue;
        }
        this.#concrete.add(pointId);
      }
      if (point.format === 'plain') {
        decoded = parseText(Buffer.from(payload).toString('utf8'), point.type ?? 'number');
      } else {
        json ??= parseJsonPayload(payload);
        decoded = json.ok ? decodeJsonPoint(json.document, point) : json.decoded;
      }
      out.push(decoded.ok ? this.#good(pointId, decoded, at) : this.#bad(pointId, decoded, at));
    }
    return out;
  }

  #good(pointId: string, decoded: Extract<Decoded, { ok: true }>, at: number): RoutedReading {
    const timeProblem =
      decoded.sourceTime === undefined
        ? undefined
        : sourceTimeProblem(decoded.sourceTime, at, this.#toleranceMs);
    if (timeProblem !== undefined)
      return this.#bad(pointId, malformedDecoded('bad_timestamp', timeProblem), at);
    return {
      reading: {
        deviceId: this.#deviceId,
        pointId,
        value: decoded.value,
        quality: decoded.quality ?? 'good',
        ...(decoded.qualityReason === undefined ? {} : { qualityReason: decoded.qualityReason }),
        ...(decoded.sourceTime === undefined ? {} : { sourceTime: decoded.sourceTime }),
        gatewayTime: at,
      },
    };
  }

  #bad(pointId: string, problem: Extract<Decoded, { ok: false }>, at: number): RoutedReading {
    return {
      reading: {
        deviceId: this.#deviceId,
        pointId,
        value: null,
        quality: 'bad',
        qualityReason: problem.reason,
        gatewayTime: at,
      },
      problem,
    };
  }
}

function malformedDecoded(
  kind: 'unusable_topic' | 'bad_timestamp',
  reason: string,
): Extract<Decoded, { ok: false }> {
  return { ok: false, kind, reason };
}

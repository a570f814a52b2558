/**
 * gateway.kafka's output settings made into what the outbox and forwarder
 * use: the record shape fixed at commit, the topics to create, and how a
 * batch of events becomes records.
 */
import type { AlarmEvent } from '../alarms/event.ts';
import type { RecordShape } from '../buffer/outbox.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { Compression, KafkaSettings } from '../config/schema.ts';
import { STATE_TOPIC_CONFIG } from './alarm-state.ts';
import type { TopicSpec } from './kafka-client.ts';
import { outgoingRecords, type RecordsOf } from './outgoing.ts';
import { ALARM_PROTO } from './protobuf-event.ts';
import { recordShaper } from './record.ts';
import { createRouter, eventTopics } from './routing.ts';
import { createSchemaRegistry } from './schema-registry.ts';
import { configText } from './topic-config.ts';
import { createValueEncoder } from './value-encoder.ts';

export interface OutputPlan {
  shapeOf: (event: AlarmEvent) => RecordShape;
  topics: TopicSpec[];
  recordsOf: RecordsOf;
  compression: Compression;
}

export function outputPlan(kafka: KafkaSettings): OutputPlan {
  const defaultTopic = kafka.topic ?? DEFAULTS.topic;
  const routes = kafka.routes ?? [];
  const sizing = {
    partitions: kafka.partitions ?? DEFAULTS.partitions,
    ...(kafka.replication_factor ? { replicationFactor: kafka.replication_factor } : {}),
  };
  const configs = configText(kafka.topic_config);
  const eventConfigs = Object.keys(configs).length > 0 ? { configs } : {};
  const topics: TopicSpec[] = eventTopics(routes, defaultTopic).map((topic) => ({
    topic,
    ...sizing,
    ...eventConfigs,
  }));
  // The state topic is compacted whatever retention the event topics have.
  if (kafka.state_topic) {
    topics.push({ topic: kafka.state_topic, ...sizing, configs: { ...configs, ...STATE_TOPIC_CONFIG } });
  }
  const registry = kafka.schema_registry
    ? createSchemaRegistry({
        url: kafka.schema_registry.url,
        schema: ALARM_PROTO,
        schemaType: 'PROTOBUF',
        timeoutMs: kafka.request_timeout_ms ?? DEFAULTS.requestTimeoutMs,
      })
    : undefined;
  return {
    shapeOf: recordShaper(kafka.key ?? 'asset'),
    topics,
    recordsOf: outgoingRecords({
      route: createRouter(routes, defaultTopic),
      encode: createValueEncoder(kafka.encoding ?? 'json', registry),
      ...(kafka.state_topic ? { stateTopic: kafka.state_topic } : {}),
    }),
    compression: kafka.compression ?? 'none',
  };
}

/** The forwarder's share of the plan for events in JSON on one topic, as the defaults send them. */
export function forwardingTo(topic: string): Pick<OutputPlan, 'topics' | 'recordsOf'> {
  const { topics, recordsOf } = outputPlan({ topic });
  return { topics, recordsOf };
}

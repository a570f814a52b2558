/**
 * How events leave as Kafka records: which topic (routing rules), which key,
 * which encoding and compression, and the optional compacted state topic.
 * Part of gateway.kafka in the site file (docs/lakehouse.md).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Id, Priority, strict } from './schema-common.ts';

export const TopicName = Type.String({
  pattern: '^[A-Za-z0-9._-]{1,249}$',
  description: 'Kafka topic name: letters, digits, ".", "_" and "-", at most 249 characters.',
  patternErrorMessage:
    'must be a Kafka topic name: letters, digits, ".", "_" and "-", at most 249 characters',
});

export const EVENT_KINDS = [
  'limit',
  'discrete',
  'bit',
  'rate',
  'deviation',
  'stale',
  'comm',
  'native',
  'system',
] as const;

const EventKind = Type.Union(
  EVENT_KINDS.map((kind) => Type.Literal(kind)),
  { description: 'Event kind (docs/event-contract.md).' },
);

const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T, what: string) =>
  Type.Optional(
    Type.Array(item, {
      minItems: 1,
      uniqueItems: true,
      description: `Matches events of any of these ${what}.`,
    }),
  );

export const RouteMatch = strict(
  {
    priority: listOf(Priority, 'priorities'),
    kind: listOf(EventKind, 'kinds'),
    site: listOf(Id, 'sites'),
    area: listOf(Id, 'areas'),
  },
  {
    description:
      'What an event must match: every key given must match (one of its values); at least one key is needed.',
  },
);
export type RouteMatch = Static<typeof RouteMatch>;

export const Route = strict(
  {
    when: RouteMatch,
    topic: TopicName,
  },
  { description: 'Sends the events that match `when` to `topic`; the first matching route wins.' },
);
export type Route = Static<typeof Route>;

export const KEY_STRATEGIES = ['asset', 'condition_id', 'line', 'site'] as const;
export type KeyStrategy = (typeof KEY_STRATEGIES)[number];

export const KeyStrategySetting = Type.Union(
  KEY_STRATEGIES.map((strategy) => Type.Literal(strategy)),
  {
    default: 'asset',
    description:
      'Record key: asset (site/area/line/asset, default: every alarm of an asset in order), condition_id (one alarm), line (site/area/line) or site. Coarser keys keep more events in order and spread less.',
  },
);

export const Encoding = Type.Union([Type.Literal('json'), Type.Literal('protobuf')], {
  default: 'json',
  description:
    'Record value: json (default) or protobuf (proto/iiot/alarm/v1/alarm.proto); the content-type header says which.',
});
export type Encoding = Static<typeof Encoding>;

export const COMPRESSIONS = ['none', 'gzip', 'lz4', 'zstd', 'snappy'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export const CompressionSetting = Type.Union(
  COMPRESSIONS.map((codec) => Type.Literal(codec)),
  { default: 'none', description: 'Compression of record batches on the wire and on the broker.' },
);

export const SchemaRegistry = strict(
  {
    url: Type.String({
      pattern: '^https?://',
      description:
        'Base URL of a Confluent-compatible schema registry (Redpanda, Karapace, Confluent). With protobuf encoding the schema is registered under <topic>-value and records use the registry wire format.',
      patternErrorMessage: 'must be an http:// or https:// URL',
    }),
  },
  { description: 'Schema registry for protobuf records.' },
);
export type SchemaRegistry = Static<typeof SchemaRegistry>;

/** The keys gateway.kafka gains from this file. */
export const OutputSettings = {
  key: Type.Optional(KeyStrategySetting),
  routes: Type.Optional(
    Type.Array(Route, {
      description:
        'Routing rules, tried in order: the first whose `when` matches chooses the topic; events no rule matches go to `topic`.',
    }),
  ),
  state_topic: Type.Optional(
    Type.String({
      ...TopicName,
      description:
        'Compacted topic keyed by condition_id with the latest event of each alarm, and a tombstone once it is back to normal and acknowledged. Off when unset.',
    }),
  ),
  encoding: Type.Optional(Encoding),
  schema_registry: Type.Optional(SchemaRegistry),
  compression: Type.Optional(CompressionSetting),
};

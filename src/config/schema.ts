/**
 * The site file schema: the single source of the config types, of the JSON
 * Schema for editors (devices/schema.json) and of validation.
 *
 * Keys are snake_case like the event contract; durations carry their unit in
 * the key name (`_ms`) so a value is never ambiguous.
 */
import { type Static, Type } from '@sinclair/typebox';
import { AlarmSettings } from './alarm-schema.ts';
import { DEFAULTS } from './defaults.ts';
import { KafkaTls } from './kafka-tls-schema.ts';
import { TopicConfig } from './kafka-topic-schema.ts';
import { LONGEST_BUFFER_AGE_MS } from './limits.ts';
import { ComponentLogLevels, ListenerSettings } from './listener-schema.ts';
import { ModbusRtuDevice, ModbusTcpDevice } from './modbus-schema.ts';
import { MqttDevice } from './mqtt-schema.ts';
import { OpcuaDevice } from './opcua-schema.ts';
import { OutputSettings, TopicName } from './output-schema.ts';
import { Id, Milliseconds, SecretSource, strict, Tagged } from './schema-common.ts';

export * from './alarm-schema.ts';
export * from './kafka-tls-schema.ts';
export * from './kafka-topic-schema.ts';
export * from './listener-schema.ts';
export * from './modbus-schema.ts';
export * from './mqtt-schema.ts';
export * from './opcua-schema.ts';
export * from './output-schema.ts';
export * from './schema-common.ts';

export const Device = Tagged('protocol', [ModbusTcpDevice, ModbusRtuDevice, OpcuaDevice, MqttDevice]);
export type Device = Static<typeof Device>;

export const KafkaSasl = strict(
  {
    mechanism: Type.Union(
      [Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')],
      {
        description:
          'plain sends the password as it is (use it over TLS or on a trusted network); scram-sha-256/512 never send it.',
      },
    ),
    username: Type.String({
      minLength: 1,
      description: 'SASL user; the broker ACLs name it as the principal User:<username>.',
    }),
    password: SecretSource,
  },
  {
    title: 'SASL authentication',
    description: 'Signs in to the broker; the password never sits in the site file: give file or env.',
  },
);
export type KafkaSasl = Static<typeof KafkaSasl>;

export const KafkaProvisioning = strict(
  {
    sasl: Type.Optional(KafkaSasl),
    tls: Type.Optional(KafkaTls),
  },
  {
    title: 'Provisioning sign-in',
    description:
      'Who `gateway topics ensure` signs in as, when topics are created by a principal other than the gateway: sasl replaces gateway.kafka.sasl, tls keys replace those of gateway.kafka.tls (a client certificate, say). The running gateway never uses it.',
  },
);
export type KafkaProvisioning = Static<typeof KafkaProvisioning>;

export const KafkaSettings = strict({
  brokers: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'host:port list; the KAFKA_BROKERS environment variable overrides it.',
    }),
  ),
  client_id: Type.Optional(Type.String({ default: DEFAULTS.clientId })),
  topic: Type.Optional(
    Type.String({
      ...TopicName,
      default: DEFAULTS.topic,
      description: 'Default topic: events no route matches.',
    }),
  ),
  ...OutputSettings,
  batch_max_events: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULTS.batchMaxEvents })),
  batch_max_bytes: Type.Optional(Type.Integer({ minimum: 1024, default: DEFAULTS.batchMaxBytes })),
  request_timeout_ms: Type.Optional(
    Milliseconds('Timeout of one produce request.', 100, DEFAULTS.requestTimeoutMs),
  ),
  partitions: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Partitions of the topic when the gateway creates it. Default 3.',
    }),
  ),
  replication_factor: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: "Replication of the topic when the gateway creates it; default: the broker's default.",
    }),
  ),
  topic_config: Type.Optional(TopicConfig),
  idempotent: Type.Optional(Type.Boolean({ default: true })),
  sasl: Type.Optional(KafkaSasl),
  tls: Type.Optional(KafkaTls),
  provisioning: Type.Optional(KafkaProvisioning),
  drain_max_events_per_s: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Most backlog events sent per second after an outage, for thin uplinks; fresh events are not held to it. Unlimited by default.',
    }),
  ),
});
export type KafkaSettings = Static<typeof KafkaSettings>;

export const CommandSettings = strict(
  {
    enabled: Type.Optional(
      Type.Boolean({ default: true, description: 'false keeps the section but reads no commands.' }),
    ),
    topic: Type.Optional(
      Type.String({
        ...TopicName,
        default: DEFAULTS.commandTopic,
        description:
          'Topic the operator commands arrive on; shared by the sites, each gateway applies its own.',
      }),
    ),
    group_id: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Consumer group of this gateway; default <client_id>-commands. Unique per gateway: gateways sharing a group would split the commands.',
      }),
    ),
  },
  {
    title: 'Operator commands',
    description:
      'Reads operator commands (ack, shelve, out of service, reset) from a topic of the broker; without this section the gateway reads none.',
  },
);
export type CommandSettings = Static<typeof CommandSettings>;

export const BufferSettings = strict({
  path: Type.Optional(
    Type.String({
      default: DEFAULTS.bufferFile,
      description: 'SQLite file; relative to the state directory.',
    }),
  ),
  synchronous: Type.Optional(
    Type.Union([Type.Literal('full'), Type.Literal('normal')], {
      description: 'full (default) survives power loss; normal may lose the last commits on power loss.',
    }),
  ),
  max_bytes: Type.Optional(
    Type.Integer({
      minimum: 1_048_576,
      default: DEFAULTS.bufferMaxBytes,
      description:
        'Most event payload bytes the buffer holds (the file is about 1.9 times this (key, headers and indexes; more when encrypted)); beyond it, when_full applies.',
    }),
  ),
  max_age_ms: Type.Optional(
    Milliseconds(
      'Events older than this are dropped and reported; default 30 days, at most 365 days.',
      60_000,
      DEFAULTS.bufferMaxAgeMs,
      // Compared with the age of events, never set as a timer.
      LONGEST_BUFFER_AGE_MS,
    ),
  ),
  encryption_key_file: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'File with a 32-byte key (raw, 64 hex digits or base64): event payloads are encrypted at rest with AES-256-GCM. BUFFER_KEY_FILE overrides it.',
    }),
  ),
  disk_reserve_bytes: Type.Optional(
    Type.Integer({
      minimum: 0,
      default: DEFAULTS.diskReserveBytes,
      description:
        'Free space the buffer leaves on its file system: when_full applies before the disk is full. 0 turns the check off.',
    }),
  ),
  when_full: Type.Optional(
    Type.Union([Type.Literal('evict_low_priority'), Type.Literal('drop_newest'), Type.Literal('block')], {
      default: DEFAULTS.whenFull,
      description:
        'evict_low_priority drops the lowest-priority, oldest events (critical last); drop_newest drops new events; block refuses new events until the backlog drains. Every drop is counted and reported in an events_dropped event.',
    }),
  ),
});
export type BufferSettings = Static<typeof BufferSettings>;

export const GatewaySettings = strict({
  id: Type.String({ ...Id, description: 'Gateway id, the source of every event it publishes.' }),
  state_dir: Type.Optional(
    Type.String({
      default: DEFAULTS.stateDir,
      description: 'Where the buffer lives; STATE_DIRECTORY (systemd) overrides it.',
    }),
  ),
  buffer: Type.Optional(BufferSettings),
  kafka: Type.Optional(KafkaSettings),
  alarms: Type.Optional(AlarmSettings),
  commands: Type.Optional(CommandSettings),
  log_level: Type.Optional(
    Type.Union([
      Type.Literal('trace'),
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('warn'),
      Type.Literal('error'),
    ]),
  ),
  log_levels: Type.Optional(ComponentLogLevels),
  listener: Type.Optional(ListenerSettings),
});
export type GatewaySettings = Static<typeof GatewaySettings>;

export const SiteFile = strict(
  {
    $schema: Type.Optional(Type.String({ description: 'Location of the JSON Schema, for editors.' })),
    site: Type.String({ ...Id, description: 'Site id, part of every event.' }),
    description: Type.Optional(Type.String()),
    gateway: GatewaySettings,
    devices: Type.Array(Device, { minItems: 1 }),
  },
  { title: 'Edge alarm gateway site file' },
);
export type SiteFile = Static<typeof SiteFile>;

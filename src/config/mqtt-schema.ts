/** MQTT devices (plain, JSON and Sparkplug B payloads) and their points in the site file. */
import { type Static, Type } from '@sinclair/typebox';
import { AlarmRule, DeviceSuppressWhen } from './alarm-schema.ts';
import { DEFAULTS } from './defaults.ts';
import {
  Id,
  Milliseconds,
  Priority,
  SecretSource,
  SourceTimeTolerance,
  strict,
  Tagged,
} from './schema-common.ts';

/** Identifier that may name topic segments as `{name}`, e.g. `{asset}.temperature`. */
const PointIdTemplate = Type.String({
  pattern: '^(?:[A-Za-z0-9]|\\{[A-Za-z_][A-Za-z0-9_]*\\})(?:[A-Za-z0-9_.-]|\\{[A-Za-z_][A-Za-z0-9_]*\\})*$',
  maxLength: 64,
  description:
    'Point id, unique within its device; `{name}` is replaced by the topic level that `+name` matched.',
  patternErrorMessage:
    'must start with a letter, digit or {segment} and contain only letters, digits, "_", ".", "-" and {segment} names',
});

const TopicFilter = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    'MQTT topic filter: `+` matches one level, `#` (last) any rest; `+name` names the level for use in the point id.',
});

const MqttValueType = Type.Union([Type.Literal('number'), Type.Literal('boolean')], {
  description: 'What the payload holds; number (default) for limit alarms, boolean for discrete ones.',
});
export type MqttValueType = Static<typeof MqttValueType>;

const MqttPointCommon = {
  id: PointIdTemplate,
  type: Type.Optional(MqttValueType),
  unit: Type.Optional(Type.String({ description: 'Engineering unit, carried in events as it is.' })),
  description: Type.Optional(Type.String()),
  asset: Type.Optional(Type.String({ ...Id, description: "Overrides the device's asset for this point." })),
  alarms: Type.Optional(Type.Array(AlarmRule)),
};

export const MqttPlainPoint = strict(
  {
    ...MqttPointCommon,
    format: Type.Literal('plain'),
    topic: TopicFilter,
  },
  { title: 'Plain payload', description: 'The payload is the value as text: 12.5, true, false, 1, 0.' },
);
export type MqttPlainPoint = Static<typeof MqttPlainPoint>;

const JsonPath = Type.String({
  pattern: '^[^.]+(\\.[^.]+)*$',
  description: 'Dotted path into the JSON document; numbers index arrays (readings.0.value).',
  patternErrorMessage: 'must be keys separated by single dots, e.g. data.temperature',
});

export const MqttJsonPoint = strict(
  {
    ...MqttPointCommon,
    format: Type.Literal('json'),
    topic: TopicFilter,
    value_path: JsonPath,
    timestamp_path: Type.Optional(JsonPath),
    quality_path: Type.Optional(JsonPath),
  },
  {
    title: 'JSON payload',
    description:
      'Value at value_path; timestamp_path holds epoch ms or an RFC 3339 string; quality_path holds good, uncertain, bad or a boolean.',
  },
);
export type MqttJsonPoint = Static<typeof MqttJsonPoint>;

export const MqttSparkplugPoint = strict(
  {
    ...MqttPointCommon,
    format: Type.Literal('sparkplug'),
    metric: Type.String({ minLength: 1, description: 'Metric name as the birth certificate declares it.' }),
  },
  { title: 'Sparkplug B metric', description: "A metric of the device's Sparkplug edge node or device." },
);
export type MqttSparkplugPoint = Static<typeof MqttSparkplugPoint>;

export const MqttPoint = Tagged('format', [MqttPlainPoint, MqttJsonPoint, MqttSparkplugPoint]);
export type MqttPoint = Static<typeof MqttPoint>;

export const MqttTls = strict({
  ca_file: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM CA bundle the broker certificate must chain to.' }),
  ),
  cert_file: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM client certificate, with key_file.' }),
  ),
  key_file: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM client private key, with cert_file.' }),
  ),
  server_name: Type.Optional(
    Type.String({ minLength: 1, description: 'Name to verify when it differs from the URL host.' }),
  ),
});
export type MqttTls = Static<typeof MqttTls>;

export const SparkplugSource = strict(
  {
    group_id: Type.String({ minLength: 1, description: 'Sparkplug group id.' }),
    edge_node_id: Type.String({ minLength: 1, description: 'Edge node id within the group.' }),
    device_id: Type.Optional(
      Type.String({ minLength: 1, description: 'A device of the edge node; without it, the node itself.' }),
    ),
    birth_timeout_ms: Type.Optional(
      Milliseconds(
        'After connecting, how long to wait for a birth certificate (a rebirth is requested) before the node counts as lost.',
        100,
        DEFAULTS.sparkplugBirthTimeoutMs,
      ),
    ),
  },
  {
    description:
      'The Sparkplug B edge node (or one of its devices) this device is: its death is the communication-loss alarm.',
  },
);
export type SparkplugSource = Static<typeof SparkplugSource>;

export const MqttDevice = strict(
  {
    id: Type.String({ ...Id, description: 'Device id, unique within the site.' }),
    protocol: Type.Literal('mqtt'),
    url: Type.String({
      pattern: '^mqtts?://[^/\\s]+/?$',
      description: 'Broker: mqtt://host:port or mqtts://host:port (TLS).',
      patternErrorMessage: 'must be mqtt://host[:port] or mqtts://host[:port]',
    }),
    client_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Stable MQTT client id of the session; default <gateway id>-<device id>.',
      }),
    ),
    username: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(SecretSource),
    tls: Type.Optional(MqttTls),
    qos: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1,
        default: DEFAULTS.mqttQos,
        description: '1 (default): at least once, acknowledged after commit to the buffer; 0: at most once.',
      }),
    ),
    clean_session: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'false (default): the broker keeps the session and queues QoS 1 messages while the gateway is away.',
      }),
    ),
    keepalive_s: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, default: DEFAULTS.mqttKeepaliveS }),
    ),
    connect_timeout_ms: Type.Optional(
      Milliseconds('Timeout of one connection attempt.', 100, DEFAULTS.mqttConnectTimeoutMs),
    ),
    auth_retry_ms: Type.Optional(
      Milliseconds(
        'Wait before trying again after the broker refused the credentials or the subscription.',
        1000,
        DEFAULTS.mqttAuthRetryMs,
      ),
    ),
    source_time_tolerance_ms: SourceTimeTolerance('a timestamp in a payload'),
    sparkplug: Type.Optional(SparkplugSource),
    area: Type.String({ ...Id, description: 'Plant area (ISA-95), part of every event of this device.' }),
    line: Type.String({ ...Id, description: 'Production line or process unit within the area.' }),
    asset: Type.String({
      ...Id,
      description: 'Equipment the points belong to unless a point names its own.',
    }),
    comm_priority: Type.Optional(Priority),
    suppress_when: Type.Optional(DeviceSuppressWhen),
    description: Type.Optional(Type.String()),
    points: Type.Array(MqttPoint, { minItems: 1 }),
  },
  { title: 'MQTT device' },
);
export type MqttDevice = Static<typeof MqttDevice>;

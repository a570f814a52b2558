/**
 * The site file schema: the single source of the config types, of the JSON
 * Schema for editors (devices/schema.json) and of validation.
 *
 * Keys are snake_case like the event contract; durations carry their unit in
 * the key name (`_ms`) so a value is never ambiguous.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';

const Id = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  maxLength: 64,
  description: 'Identifier: letters, digits, "_", "." and "-"; no "/" because ids form paths.',
  // Read by editors (YAML and JSON language servers) and by the validator in place of the bare regex.
  patternErrorMessage: 'must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
});

/**
 * A union whose variants are told apart by the value of one key. Validators
 * check only the variant that key names, so a mistake yields the errors of
 * that variant instead of the errors of every variant.
 */
const Tagged = <T extends TSchema[]>(tag: string, variants: [...T]) =>
  Type.Union(variants, { discriminator: { propertyName: tag } });

const strict = <T extends Record<string, TSchema>>(
  properties: T,
  options: { description?: string; title?: string } = {},
) => Type.Object(properties, { additionalProperties: false, ...options });

const Milliseconds = (description: string, min = 0, defaultValue?: number) =>
  Type.Integer({
    minimum: min,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });

export const Priority = Type.Union(
  [
    Type.Literal('critical'),
    Type.Literal('high'),
    Type.Literal('medium'),
    Type.Literal('low'),
    Type.Literal('diagnostic'),
  ],
  { description: 'Alarm priority (ISA-18.2).' },
);
export type Priority = Static<typeof Priority>;

export const LimitLevel = Type.Union([
  Type.Literal('HH'),
  Type.Literal('H'),
  Type.Literal('L'),
  Type.Literal('LL'),
]);
export type LimitLevel = Static<typeof LimitLevel>;

const LimitSetting = strict({
  value: Type.Number({ description: 'Threshold in engineering units (after scale and offset).' }),
  priority: Type.Optional(Priority),
  deadband: Type.Optional(
    Type.Number({ minimum: 0, description: 'Overrides the rule deadband for this level.' }),
  ),
});
export type LimitSetting = Static<typeof LimitSetting>;

const RuleCommon = {
  id: Type.String({ ...Id, description: 'Rule id, unique within its point.' }),
  priority: Type.Optional(Priority),
  message: Type.Optional(
    Type.String({
      description:
        'Message template; {point}, {asset}, {device}, {alarm}, {value}, {unit}, {level}, {limit} are replaced.',
    }),
  ),
  on_delay_ms: Type.Optional(Milliseconds('The condition must hold this long before the alarm raises.')),
  off_delay_ms: Type.Optional(Milliseconds('The condition must be gone this long before the alarm clears.')),
};

export const LimitRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('limit'),
    deadband: Type.Optional(
      Type.Number({ minimum: 0, description: 'Hysteresis applied when a level clears.' }),
    ),
    HH: Type.Optional(LimitSetting),
    H: Type.Optional(LimitSetting),
    L: Type.Optional(LimitSetting),
    LL: Type.Optional(LimitSetting),
  },
  { title: 'Limit alarm', description: 'HH/H/L/LL limits; the most severe level that holds wins.' },
);
export type LimitRule = Static<typeof LimitRule>;

export const DiscreteRule = strict(
  {
    ...RuleCommon,
    kind: Type.Literal('discrete'),
    alarm_when: Type.Optional(
      Type.Boolean({ default: true, description: 'The boolean value that means "in alarm".' }),
    ),
  },
  { title: 'Discrete alarm', description: 'Raised while a boolean point holds alarm_when.' },
);
export type DiscreteRule = Static<typeof DiscreteRule>;

export const AlarmRule = Tagged('kind', [LimitRule, DiscreteRule]);
export type AlarmRule = Static<typeof AlarmRule>;

export const RegisterType = Type.Union([
  Type.Literal('holding'),
  Type.Literal('input'),
  Type.Literal('coil'),
  Type.Literal('discrete'),
]);
export type RegisterType = Static<typeof RegisterType>;

export const DataType = Type.Union([
  Type.Literal('int16'),
  Type.Literal('uint16'),
  Type.Literal('int32'),
  Type.Literal('uint32'),
  Type.Literal('float32'),
  Type.Literal('float64'),
  Type.Literal('bool'),
  Type.Literal('bit'),
]);
export type DataType = Static<typeof DataType>;

export const ByteOrder = Type.Union(
  [Type.Literal('ABCD'), Type.Literal('CDAB'), Type.Literal('BADC'), Type.Literal('DCBA')],
  {
    description:
      'Order of the bytes on the wire, A being the most significant: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA little-endian.',
  },
);
export type ByteOrder = Static<typeof ByteOrder>;

export const ModbusPoint = strict({
  id: Type.String({ ...Id, description: 'Point id, unique within its device.' }),
  register: RegisterType,
  address: Type.Integer({ minimum: 0, maximum: 65535, description: 'Zero-based protocol address.' }),
  type: Type.Optional(DataType),
  bit: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 15,
      description: 'Bit of the word, 0 = least significant (type bit).',
    }),
  ),
  order: Type.Optional(ByteOrder),
  scale: Type.Optional(Type.Number({ description: 'value = raw * scale + offset; default 1.' })),
  offset: Type.Optional(Type.Number({ description: 'value = raw * scale + offset; default 0.' })),
  unit: Type.Optional(Type.String({ description: 'Engineering unit, carried in events as it is.' })),
  description: Type.Optional(Type.String()),
  asset: Type.Optional(Type.String({ ...Id, description: "Overrides the device's asset for this point." })),
  alarms: Type.Optional(Type.Array(AlarmRule)),
});
export type ModbusPoint = Static<typeof ModbusPoint>;

export const ModbusTcpDevice = strict(
  {
    id: Type.String({ ...Id, description: 'Device id, unique within the site.' }),
    protocol: Type.Literal('modbus-tcp'),
    host: Type.String({ minLength: 1, description: 'IP address or host name of the PLC or Modbus gateway.' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: DEFAULTS.modbusPort })),
    unit_id: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 255,
        default: DEFAULTS.unitId,
        description: 'Modbus unit (slave) id; tells apart devices behind one serial gateway.',
      }),
    ),
    area: Type.String({ ...Id, description: 'Plant area (ISA-95), part of every event of this device.' }),
    line: Type.String({ ...Id, description: 'Production line or process unit within the area.' }),
    asset: Type.String({
      ...Id,
      description: 'Equipment the points belong to unless a point names its own.',
    }),
    poll_interval_ms: Type.Optional(Milliseconds('Time between polls.', 10, DEFAULTS.pollIntervalMs)),
    timeout_ms: Type.Optional(Milliseconds('Timeout of one request.', 10, DEFAULTS.timeoutMs)),
    max_gap: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: DEFAULTS.maxGap,
        description:
          'Unused registers (or coils) a read may span to merge two neighbours; 0 reads only contiguous runs.',
      }),
    ),
    max_registers_per_read: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 125,
        default: DEFAULTS.maxRegistersPerRead,
        description: 'Lower than 125 for devices with small buffers.',
      }),
    ),
    max_bits_per_read: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2000, default: DEFAULTS.maxBitsPerRead }),
    ),
    highest_address: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        default: DEFAULTS.highestAddress,
        description: 'The last address the device serves.',
      }),
    ),
    comm_loss_after: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULTS.commLossAfter,
        description: 'Failed polls in a row before the communication-loss alarm.',
      }),
    ),
    comm_priority: Type.Optional(Priority),
    description: Type.Optional(Type.String()),
    points: Type.Array(ModbusPoint, { minItems: 1 }),
  },
  { title: 'Modbus TCP device' },
);
export type ModbusTcpDevice = Static<typeof ModbusTcpDevice>;

/**
 * `nsu=<namespace URI>;` (survives a server that renumbers its namespaces) or
 * `ns=<index>;` (namespace 0 when absent), then one identifier: numeric,
 * string, GUID or opaque (base64).
 */
export const NODE_ID_PATTERN =
  '^(nsu=[^;]+;|ns=[0-9]{1,5};)?(i=[0-9]{1,10}|s=.+|g=[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/=]+)$';

const NodeIdText = Type.String({
  pattern: NODE_ID_PATTERN,
  description: 'OPC UA NodeId, e.g. "nsu=urn:acme:plc;s=Boiler.Level" (preferred) or "ns=2;i=1001".',
  patternErrorMessage:
    'must be a NodeId such as "nsu=urn:vendor:plc;s=Tank.Level", "ns=2;s=Tank.Level" or "ns=2;i=1001" (i=, s=, g= or b= identifier)',
});

export const OpcuaPointType = Type.Union([Type.Literal('number'), Type.Literal('bool')], {
  description: 'What the node holds: number (default) or bool; decides which alarm rules fit.',
});
export type OpcuaPointType = Static<typeof OpcuaPointType>;

export const Deadband = Tagged('kind', [
  strict(
    {
      kind: Type.Literal('absolute'),
      value: Type.Number({
        minimum: 0,
        description: 'Changes smaller than this (engineering units) are not reported.',
      }),
    },
    { title: 'Absolute deadband' },
  ),
  strict(
    {
      kind: Type.Literal('percent'),
      value: Type.Number({
        minimum: 0,
        maximum: 100,
        description: "Percent of the node's EURange; the server must expose an EURange.",
      }),
    },
    { title: 'Percent deadband' },
  ),
]);
export type Deadband = Static<typeof Deadband>;

export const DataChangeTrigger = Type.Union(
  [Type.Literal('status'), Type.Literal('status_value'), Type.Literal('status_value_timestamp')],
  {
    description:
      'What counts as a change: status only, status or value (default), or also the source timestamp.',
  },
);
export type DataChangeTrigger = Static<typeof DataChangeTrigger>;

export const OpcuaPoint = strict({
  id: Type.String({ ...Id, description: 'Point id, unique within its device.' }),
  node_id: NodeIdText,
  type: Type.Optional(OpcuaPointType),
  sampling_interval_ms: Type.Optional(
    Milliseconds("How often the server samples the node; defaults to the device's sampling_interval_ms."),
  ),
  queue_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: DEFAULTS.opcuaQueueSize,
      description: 'Values the server queues between publishes.',
    }),
  ),
  discard_oldest: Type.Optional(
    Type.Boolean({
      default: true,
      description: 'When the queue is full, drop the oldest value (true) or the newest.',
    }),
  ),
  trigger: Type.Optional(DataChangeTrigger),
  deadband: Type.Optional(Deadband),
  unit: Type.Optional(Type.String({ description: 'Engineering unit, carried in events as it is.' })),
  description: Type.Optional(Type.String()),
  asset: Type.Optional(Type.String({ ...Id, description: "Overrides the device's asset for this point." })),
  alarms: Type.Optional(Type.Array(AlarmRule)),
});
export type OpcuaPoint = Static<typeof OpcuaPoint>;

export const SecurityMode = Type.Union(
  [Type.Literal('None'), Type.Literal('Sign'), Type.Literal('SignAndEncrypt')],
  { description: 'Message security: None, Sign, or SignAndEncrypt (default).' },
);
export type SecurityMode = Static<typeof SecurityMode>;

export const SecurityPolicy = Type.Union(
  [
    Type.Literal('None'),
    Type.Literal('Basic256Sha256'),
    Type.Literal('Aes128_Sha256_RsaOaep'),
    Type.Literal('Aes256_Sha256_RsaPss'),
  ],
  { description: 'Security policy; None only with security_mode None. Default Basic256Sha256.' },
);
export type SecurityPolicy = Static<typeof SecurityPolicy>;

export const UserIdentity = Tagged('kind', [
  strict({ kind: Type.Literal('anonymous') }, { title: 'Anonymous user' }),
  strict(
    {
      kind: Type.Literal('username'),
      username: Type.String({ minLength: 1 }),
      password_file: Type.Optional(
        Type.String({ minLength: 1, description: 'File holding the password (trailing newline ignored).' }),
      ),
      password_env: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          description: 'Environment variable holding the password.',
        }),
      ),
    },
    {
      title: 'User name and password',
      description: 'The password never sits in the site file: give password_file or password_env.',
    },
  ),
  strict(
    {
      kind: Type.Literal('certificate'),
      cert_file: Type.String({ minLength: 1, description: 'X.509 user certificate (PEM or DER).' }),
      key_file: Type.String({ minLength: 1, description: 'Its private key (PEM).' }),
    },
    { title: 'X.509 user certificate' },
  ),
]);
export type UserIdentity = Static<typeof UserIdentity>;

export const OpcuaDevice = strict(
  {
    id: Type.String({ ...Id, description: 'Device id, unique within the site.' }),
    protocol: Type.Literal('opcua'),
    endpoint: Type.String({
      pattern: '^opc\\.tcp://[^/:]+(:[0-9]{1,5})?(/.*)?$',
      description: 'Endpoint URL, e.g. opc.tcp://10.0.0.5:4840.',
      patternErrorMessage: 'must be an endpoint URL such as opc.tcp://10.0.0.5:4840',
    }),
    security_mode: Type.Optional(SecurityMode),
    security_policy: Type.Optional(SecurityPolicy),
    user: Type.Optional(UserIdentity),
    trust_on_first_use: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "Trust the server's certificate the first time it is seen (commissioning only); otherwise an unknown certificate is rejected until `gateway certs trust`.",
      }),
    ),
    area: Type.String({ ...Id, description: 'Plant area (ISA-95), part of every event of this device.' }),
    line: Type.String({ ...Id, description: 'Production line or process unit within the area.' }),
    asset: Type.String({
      ...Id,
      description: 'Equipment the points belong to unless a point names its own.',
    }),
    mode: Type.Optional(
      Type.Union([Type.Literal('subscribe'), Type.Literal('poll')], {
        description:
          'subscribe (default): the server reports changes; poll: the gateway reads every poll_interval_ms.',
      }),
    ),
    poll_interval_ms: Type.Optional(
      Milliseconds('Time between reads in poll mode.', 10, DEFAULTS.pollIntervalMs),
    ),
    publishing_interval_ms: Type.Optional(
      Milliseconds(
        'How often the server sends the changes of a subscription.',
        10,
        DEFAULTS.opcuaPublishingIntervalMs,
      ),
    ),
    sampling_interval_ms: Type.Optional(
      Milliseconds('Default sampling interval of the points.', 0, DEFAULTS.opcuaSamplingIntervalMs),
    ),
    max_items_per_subscription: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULTS.opcuaMaxItemsPerSubscription,
        description: 'Monitored items per subscription; more points use more subscriptions.',
      }),
    ),
    timeout_ms: Type.Optional(
      Milliseconds('Timeout of one request and of a connection attempt.', 100, DEFAULTS.opcuaTimeoutMs),
    ),
    keepalive_ms: Type.Optional(
      Milliseconds(
        'A link silent for this long counts as lost (keep-alive), then the client reconnects.',
        1000,
        DEFAULTS.opcuaKeepAliveMs,
      ),
    ),
    comm_loss_after: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULTS.commLossAfter,
        description:
          'Failed connects (or polls) in a row before the communication-loss alarm; a lost link raises it at once.',
      }),
    ),
    comm_priority: Type.Optional(Priority),
    native_conditions: Type.Optional(
      strict(
        {
          source_node: Type.Optional({
            ...NodeIdText,
            default: DEFAULTS.opcuaEventSource,
            description:
              'The node whose events are subscribed to; default the Server object (i=2253): every condition.',
          }),
          event_types: Type.Optional(
            Type.Array(NodeIdText, {
              minItems: 1,
              description:
                'Only events of these types or their subtypes, e.g. ["i=2955"] (LimitAlarmType); default every type.',
            }),
          ),
          min_severity: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1000,
              description:
                'Only events at least this severe (OPC UA severity 1–1000); default every severity.',
            }),
          ),
        },
        {
          description:
            'Alarms the server keeps itself (Alarms & Conditions) become events of kind native; ConditionRefresh resynchronizes them after every connect.',
        },
      ),
    ),
    description: Type.Optional(Type.String()),
    points: Type.Array(OpcuaPoint, { minItems: 1 }),
  },
  { title: 'OPC UA device' },
);
export type OpcuaDevice = Static<typeof OpcuaDevice>;

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

const SecretSource = strict(
  {
    file: Type.Optional(
      Type.String({ minLength: 1, description: 'File holding the secret (trailing newline ignored).' }),
    ),
    env: Type.Optional(
      Type.String({ minLength: 1, description: 'Environment variable holding the secret.' }),
    ),
  },
  { description: 'Where a secret comes from: exactly one of file or env; never inline.' },
);
export type SecretSource = Static<typeof SecretSource>;

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
    sparkplug: Type.Optional(SparkplugSource),
    area: Type.String({ ...Id, description: 'Plant area (ISA-95), part of every event of this device.' }),
    line: Type.String({ ...Id, description: 'Production line or process unit within the area.' }),
    asset: Type.String({
      ...Id,
      description: 'Equipment the points belong to unless a point names its own.',
    }),
    comm_priority: Type.Optional(Priority),
    description: Type.Optional(Type.String()),
    points: Type.Array(MqttPoint, { minItems: 1 }),
  },
  { title: 'MQTT device' },
);
export type MqttDevice = Static<typeof MqttDevice>;

export const Device = Tagged('protocol', [ModbusTcpDevice, OpcuaDevice, MqttDevice]);
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

export const KafkaSettings = strict({
  brokers: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'host:port list; the KAFKA_BROKERS environment variable overrides it.',
    }),
  ),
  client_id: Type.Optional(Type.String({ default: DEFAULTS.clientId })),
  topic: Type.Optional(Type.String({ minLength: 1, default: DEFAULTS.topic })),
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
  idempotent: Type.Optional(Type.Boolean({ default: true })),
  sasl: Type.Optional(KafkaSasl),
  drain_max_events_per_s: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Most backlog events sent per second after an outage, for thin uplinks; fresh events are not held to it. Unlimited by default.',
    }),
  ),
});
export type KafkaSettings = Static<typeof KafkaSettings>;

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
      'Events older than this are dropped and reported; default 30 days.',
      60_000,
      DEFAULTS.bufferMaxAgeMs,
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
  log_level: Type.Optional(
    Type.Union([
      Type.Literal('trace'),
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('warn'),
      Type.Literal('error'),
    ]),
  ),
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

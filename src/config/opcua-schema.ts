/** OPC UA devices, their security, users and points in the site file. */
import { type Static, Type } from '@sinclair/typebox';
import { AlarmRule, DeviceSuppressWhen } from './alarm-schema.ts';
import { DEFAULTS } from './defaults.ts';
import { Id, Milliseconds, Priority, SourceTimeTolerance, strict, Tagged } from './schema-common.ts';

/**
 * `nsu=<namespace URI>;` (survives a server that renumbers its namespaces) or
 * `ns=<index>;` (namespace 0 when absent), then one identifier: numeric,
 * string, GUID or opaque (base64).
 */
export const NODE_ID_PATTERN =
  '^(nsu=[^;]+;|ns=[0-9]{1,5};)?(i=[0-9]{1,10}|s=.+|g=[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/=]+)$';

export const NodeIdText = Type.String({
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
    source_time_tolerance_ms: SourceTimeTolerance("a value's SourceTimestamp"),
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
        default: DEFAULTS.opcuaMode,
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
    suppress_when: Type.Optional(DeviceSuppressWhen),
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

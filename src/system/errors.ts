/**
 * The one catalogue of error codes. Every error the gateway reports names its
 * stage, says what happened and what to do; docs/errors.md lists them all.
 */
export type Stage =
  | 'config'
  | 'adapter'
  | 'operator'
  | 'alarms'
  | 'buffer'
  | 'producer'
  | 'telemetry'
  | 'cli'
  | 'system';

interface CatalogueEntry {
  readonly stage: Stage;
  readonly what: string;
  readonly todo: string;
}

export const ERRORS = {
  CONFIG_READ: {
    stage: 'config',
    what: 'the site file cannot be read',
    todo: 'check the path and the file permissions',
  },
  CONFIG_LIMIT: {
    stage: 'config',
    what: 'the site file is past a limit of the loader: too large, nested too deeply, aliases that expand too far, or loading it took too long or too much memory',
    todo: 'keep the site file within the limits listed in docs/device-map.md (Limits); the message says which limit was passed and where',
  },
  CONFIG_YAML: {
    stage: 'config',
    what: 'the site file is not valid YAML',
    todo: 'fix the syntax at the reported line and column',
  },
  CONFIG_SCHEMA: {
    stage: 'config',
    what: 'the site file does not match the schema',
    todo: 'fix each reported key; devices/schema.json gives editors completion and checks',
  },
  CONFIG_REFERENCE: {
    stage: 'config',
    what: 'the site file refers to something that does not exist or is defined twice',
    todo: 'fix each reported key',
  },
  MODBUS_EXCEPTION: {
    stage: 'adapter',
    what: 'the device answered a read with a Modbus exception',
    todo: 'check the address and register type of the points in that read against the device manual',
  },
  MODBUS_TIMEOUT: {
    stage: 'adapter',
    what: 'the device did not answer in time',
    todo: 'check that the device is powered and reachable, or raise timeout_ms',
  },
  MODBUS_CONNECT: {
    stage: 'adapter',
    what: 'the connection to the device failed or was lost',
    todo: 'check host, port and the network path; the gateway retries with backoff',
  },
  MODBUS_FRAME: {
    stage: 'adapter',
    what: 'the answer does not fit the request (TCP: MBAP protocol identifier, transaction, unit, length or byte count; serial line: CRC, length, unit or function)',
    todo: 'TCP: check that host and port lead to a Modbus TCP server (not another protocol, nor a serial gateway in RTU-over-TCP mode) and that unit_id is the one it answers for; serial line: check baud_rate, parity, data_bits and stop_bits against the device, the wiring and termination of the line, and that no two devices share a unit_id',
  },
  MODBUS_SERIAL: {
    stage: 'adapter',
    what: 'the serial port cannot be opened or was lost',
    todo: 'check the port path (ls -l /dev/serial/by-id), that no other program holds it, and that the service user is in the dialout group',
  },
  MQTT_CONNECT: {
    stage: 'adapter',
    what: 'the MQTT broker cannot be reached or dropped the connection',
    todo: 'check the url and the network path to the broker; the gateway reconnects with backoff',
  },
  MQTT_AUTH: {
    stage: 'adapter',
    what: 'the MQTT broker refused the credentials (bad user name or password, or not authorized)',
    todo: 'check username and the password file or variable, and the broker user; the gateway retries slowly (auth_retry_ms)',
  },
  MQTT_TLS: {
    stage: 'adapter',
    what: 'the TLS handshake with the MQTT broker failed',
    todo: 'check tls.ca_file against the broker certificate, the host name in the url, and the client certificate; retried slowly',
  },
  MQTT_SUBSCRIBE: {
    stage: 'adapter',
    what: 'the MQTT broker refused a subscription (ACL)',
    todo: "grant the gateway's user read access to the topics in the broker's ACL; the gateway retries slowly",
  },
  MQTT_SECRET: {
    stage: 'adapter',
    what: 'the MQTT password cannot be read',
    todo: 'check the file named in password.file (readable by the service user) or that password.env is set',
  },
  MQTT_PAYLOAD: {
    stage: 'adapter',
    what: 'an MQTT message could not be turned into a value (malformed payload, a timestamp far from the gateway clock, or a fault while handling it); its points are bad quality, the message is acknowledged and the session kept',
    todo: 'check the payload the publisher sends against the format, value_path and type of the points, and the device clock against source_time_tolerance_ms',
  },
  SPARKPLUG_REBIRTH: {
    stage: 'adapter',
    what: 'the messages of a Sparkplug edge node do not add up (sequence gap, unknown alias, data before birth); a rebirth was requested',
    todo: 'none if it recurs rarely; frequent gaps mean lost messages between edge node and broker',
  },
  DEVICE_POLL: {
    stage: 'adapter',
    what: 'polling the device failed',
    todo: 'check the device and the network path; the gateway retries with backoff',
  },
  DEVICE_LOST: {
    stage: 'adapter',
    what: 'the device is lost: it failed comm_loss_after polls in a row, or its link went down',
    todo: 'check the device and the network path; the gateway keeps retrying and raises its communication alarm',
  },
  OPCUA_CONNECT: {
    stage: 'adapter',
    what: 'the OPC UA server cannot be reached or the connection to it was lost',
    todo: 'check the endpoint URL and the network path; the gateway reconnects with backoff',
  },
  OPCUA_CERT_UNTRUSTED: {
    stage: 'adapter',
    what: "the OPC UA server's certificate is not trusted, so the gateway refused to connect",
    todo: 'compare the thumbprint with the server, then run `gateway certs trust <thumbprint>` (`gateway certs list` shows rejected certificates); for commissioning only, trust_on_first_use: true',
  },
  OPCUA_SECURITY: {
    stage: 'adapter',
    what: 'the OPC UA server offers no endpoint with the configured security mode and policy',
    todo: 'set security_mode and security_policy to a pair the server offers (listed in the message)',
  },
  OPCUA_SESSION: {
    stage: 'adapter',
    what: 'the OPC UA server refused to open a session',
    todo: "check the device's user (name, password source, certificate) against the accounts of the server",
  },
  OPCUA_CREDENTIALS: {
    stage: 'adapter',
    what: 'the credentials of an OPC UA user cannot be read',
    todo: 'check that password_env is set for the service, or that password_file, cert_file and key_file exist and are readable',
  },
  OPCUA_NODE: {
    stage: 'adapter',
    what: 'an OPC UA node cannot be read or monitored; its point has bad quality',
    todo: 'check the node_id (namespace URI and identifier) in a browser such as UaExpert',
  },
  OPCUA_CONDITIONS: {
    stage: 'adapter',
    what: "the OPC UA server's alarms (Alarms & Conditions) cannot be subscribed to or refreshed; the device's points are read all the same",
    todo: 'check native_conditions.source_node and that the server supports Alarms & Conditions and ConditionRefresh; the next reconnect tries again',
  },
  CERTS_UNKNOWN: {
    stage: 'cli',
    what: 'no certificate matches',
    todo: 'run `gateway certs list` for the thumbprints of rejected and trusted certificates',
  },
  ALARM_STATE: {
    stage: 'alarms',
    what: 'a persisted alarm state could not be restored and starts from normal',
    todo: 'none needed; the next reading re-evaluates the alarm',
  },
  POINT_DECODE: {
    stage: 'adapter',
    what: 'a point value could not be decoded into a usable number',
    todo: 'check the data type, byte order and address of the point',
  },
  BUFFER_OPEN: {
    stage: 'buffer',
    what: 'the buffer database cannot be opened',
    todo: 'check that the state directory exists and is writable by the service user',
  },
  BUFFER_WRITE: {
    stage: 'buffer',
    what: 'events could not be committed to the buffer',
    todo: 'check free disk space and the health of the state directory',
  },
  BUFFER_CORRUPT: {
    stage: 'buffer',
    what: 'the buffer file was damaged; it was moved aside and a fresh buffer started',
    todo: 'export what is still readable with `gateway buffer export --file <moved file>`, then check the disk (dmesg, SMART)',
  },
  BUFFER_KEY: {
    stage: 'buffer',
    what: 'the buffer encryption key is missing, unreadable or not the key the buffer was written with',
    todo: 'point gateway.buffer.encryption_key_file (or the buffer-key systemd credential) at the right 32-byte key; nothing was deleted',
  },
  BUFFER_FULL: {
    stage: 'buffer',
    what: 'the buffer is full and its policy (when_full: block) refuses new events until the backlog drains',
    todo: 'restore the broker connection, or raise gateway.buffer.max_bytes, or choose another when_full policy',
  },
  BUFFER_LOST: {
    stage: 'buffer',
    what: 'the buffer database no longer holds events it had issued (the file was replaced, emptied or cut short, or its WAL was lost); seq continues above every number issued and an events_dropped report (cause lost) names the range',
    todo: 'events in that seq range that downstream did not receive are lost; find what touched the state directory and check the disk (dmesg, SMART)',
  },
  BUFFER_CHECKSUM: {
    stage: 'buffer',
    what: 'a buffered event does not match its checksum (it changed on disk) or cannot be decoded; it was moved to the dead-letter table instead of being sent, and an events_dropped report (cause corrupt) tells downstream',
    todo: 'check the disk (dmesg, SMART); `gateway buffer dlq list` shows the event as it was read',
  },
  BUFFER_SEQ_FILE: {
    stage: 'buffer',
    what: 'the high-water file of seq numbers beside the buffer (buffer.db.seq) cannot be read or written',
    todo: 'check free space and permissions of the state directory; while it cannot be written no event is committed, and when it cannot be read seq continues from the database alone, so a loss before this start may go unreported',
  },
  PRODUCER_SEND: {
    stage: 'producer',
    what: 'the broker did not acknowledge a batch; it stays in the buffer and is retried',
    todo: 'check broker reachability (KAFKA_BROKERS or gateway.kafka.brokers) and the topic',
  },
  PRODUCER_REJECTED: {
    stage: 'producer',
    what: 'the broker refused an event for good; it was moved to the dead-letter table',
    todo: "see `gateway buffer dlq list`; fix the cause (the topic ACL the reason names, the broker's message.max.bytes), then `gateway buffer dlq requeue`",
  },
  PRODUCER_AUTH: {
    stage: 'producer',
    what: 'the broker refused the SASL credentials; events wait in the buffer and the gateway retries',
    todo: "check gateway.kafka.sasl (mechanism, username, the password file or variable) against the broker's users",
  },
  PRODUCER_NOT_AUTHORIZED: {
    stage: 'producer',
    what: 'the broker refused an operation for lack of an ACL; events wait in the buffer and the gateway retries',
    todo: 'grant the ACL the message names (docs/kafka-security.md lists what the gateway needs)',
  },
  PRODUCER_SECRET: {
    stage: 'producer',
    what: 'the Kafka SASL password or TLS key passphrase cannot be read',
    todo: 'check the file named in gateway.kafka.sasl.password.file or tls.key_passphrase.file (readable by the service user), or that the variable named in env is set',
  },
  PRODUCER_TLS: {
    stage: 'producer',
    what: 'the TLS handshake with the broker failed; events wait in the buffer and the gateway retries',
    todo: "the message says which side refused: check gateway.kafka.tls.ca_file against the CA that signed the broker's certificate, server_name (or the host in brokers) against the names in it, and that cert_file is signed by a CA the broker trusts (ssl.truststore)",
  },
  PRODUCER_TLS_FILE: {
    stage: 'producer',
    what: 'a TLS file of the broker connection cannot be read or used',
    todo: 'check the paths in gateway.kafka.tls (readable by the service user), that key_file belongs to cert_file and that key_passphrase opens key_file',
  },
  TOPIC_REFUSED: {
    stage: 'producer',
    what: 'the broker refused to create a topic or add partitions',
    todo: "the message names the broker's reason: INVALID_REPLICATION_FACTOR (more replicas than brokers), INVALID_CONFIG (an unknown or invalid topic_config entry) …; fix the site file or the broker's limits",
  },
  TOPIC_DRIFT: {
    stage: 'producer',
    what: 'a topic on the broker differs from the site file (partitions, replication or configuration)',
    todo: 'run `gateway topics ensure --check --config <site.yaml>` for the differences; change the topic (kafka-configs, --increase-partitions) or the site file so they agree',
  },
  PRODUCER_CONNECT: {
    stage: 'producer',
    what: 'the broker cannot be reached; events accumulate in the buffer',
    todo: 'check broker addresses and the network path; nothing is lost while it is down',
  },
  PRODUCER_REGISTRY: {
    stage: 'producer',
    what: 'the schema registry did not register the event schema; events wait in the buffer and the gateway retries',
    todo: "check gateway.kafka.schema_registry.url and the registry's message (an incompatible earlier schema under the same subject must be resolved there)",
  },
  LISTENER_BIND: {
    stage: 'telemetry',
    what: 'the local listener (metrics, health, status page) cannot listen on its address; the gateway runs on without it',
    todo: 'free the port or set gateway.listener.port (or host) to another one, then restart',
  },
  LISTENER_TOKEN: {
    stage: 'telemetry',
    what: 'the operator token cannot be read; operator actions and log level changes stay disabled',
    todo: 'check the file named in gateway.listener.operator_token.file (readable by the service user) or that operator_token.env is set',
  },
  LISTENER_REQUEST: {
    stage: 'telemetry',
    what: 'the local listener failed to answer a request and answered 500; the gateway runs on',
    todo: 'report the log line (method, path and the error); the request can be sent again',
  },
  LISTENER_ACCEPT: {
    stage: 'telemetry',
    what: 'the local listener could not accept a connection; it keeps listening',
    todo: 'for EMFILE (too many open files) find who opens that many connections, or raise LimitNOFILE of the service',
  },
  CLI_GATEWAY: {
    stage: 'cli',
    what: 'the running gateway did not take the request',
    todo: 'check that the service runs with its listener enabled (gateway.listener), and the operator token',
  },
  SYSTEMD_NOTIFY: {
    stage: 'system',
    what: 'readiness and watchdog notifications cannot be sent to systemd',
    todo: 'install perl (perl-base), which sends them; without it systemd times out the start of a Type=notify unit',
  },
  CONFIG_RELOAD: {
    stage: 'config',
    what: 'the reloaded site file was refused; the gateway goes on with the configuration it runs',
    todo: 'fix the problems listed with it, then reload again (systemctl reload edge-alarm-gateway)',
  },
  COMMAND_REJECTED: {
    stage: 'operator',
    what: 'an operator command was refused; a rejection event on the alarm topic says why',
    todo: 'fix what the sender writes to the command topic (docs/operator-commands.md gives the message format)',
  },
  COMMANDS_NOT_AUTHORIZED: {
    stage: 'operator',
    what: 'the broker refuses the gateway to read operator commands for lack of an ACL; they wait on the topic and the gateway retries',
    todo: 'grant the ACL the message names: READ on the command topic and READ on the consumer group (docs/operator-commands.md)',
  },
  COMMANDS_CONSUME: {
    stage: 'operator',
    what: 'operator commands cannot be read from the broker; they wait on the topic and the gateway retries',
    todo: 'check broker reachability and gateway.kafka.sasl; commands sent meanwhile are applied once the gateway reads again',
  },
  COMMAND_SEND: {
    stage: 'cli',
    what: 'the operator command could not be published to the command topic; nothing was applied',
    todo: 'check the brokers and gateway.kafka.sasl, and that the user may WRITE and DESCRIBE on the command topic; then send it again',
  },
  CLI_USAGE: {
    stage: 'cli',
    what: 'the command line is not valid',
    todo: 'run `gateway help` for the commands and their options',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly stage: Stage;
  readonly todo: string;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry: CatalogueEntry = ERRORS[code];
    super(`${entry.what}${detail ? `: ${detail}` : ''}`, options);
    this.name = 'GatewayError';
    this.code = code;
    this.stage = entry.stage;
    this.todo = entry.todo;
  }

  /** One line for logs and terminals: `[stage] CODE: what: detail (what to do)`. */
  describe(): string {
    return `[${this.stage}] ${this.code}: ${this.message} (${this.todo})`;
  }
}

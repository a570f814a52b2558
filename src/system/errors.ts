/**
 * The one catalogue of error codes. Every error the gateway reports names its
 * stage, says what happened and what to do; docs/errors.md lists them all.
 */
export type Stage = 'config' | 'adapter' | 'alarms' | 'buffer' | 'producer' | 'cli' | 'system';

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
    what: 'an MQTT message could not be turned into a value; its points are bad quality',
    todo: 'check the payload the publisher sends against the format, value_path and type of the points',
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
  PRODUCER_SEND: {
    stage: 'producer',
    what: 'the broker did not acknowledge a batch; it stays in the buffer and is retried',
    todo: 'check broker reachability (KAFKA_BROKERS or gateway.kafka.brokers) and the topic',
  },
  PRODUCER_CONNECT: {
    stage: 'producer',
    what: 'the broker cannot be reached; events accumulate in the buffer',
    todo: 'check broker addresses and the network path; nothing is lost while it is down',
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

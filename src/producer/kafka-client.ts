/**
 * The only module that imports kafkajs. The rest of the gateway sees a small
 * promise-based interface: connect, make sure the topic exists, send a batch.
 */
import kafkajs, {
  type CompressionTypes,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Compression } from '../config/output-schema.ts';
import { GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { createGrant, idempotentGrant, principalOf, topicGrant } from './authorization.ts';
import { BATCH_CODECS } from './compression-codecs.ts';
import type { SaslCredentials } from './sasl.ts';

export interface OutgoingRecord {
  topic: string;
  key: string;
  /** null is a tombstone: a compacted topic forgets the key. */
  value: string | Buffer | null;
  headers: Record<string, string>;
}

export interface BrokerClientOptions {
  brokers: readonly string[];
  clientId: string;
  idempotent: boolean;
  requestTimeoutMs: number;
  logger: Logger;
  /** Signs in with SASL; without it the connection is unauthenticated (User:ANONYMOUS). */
  sasl?: SaslCredentials;
  compression?: Compression;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic configuration set when the gateway creates it, e.g. cleanup.policy. */
  config?: Readonly<Record<string, string>>;
}

export type RejectionReason = 'too_large' | 'not_authorized' | 'invalid';

/**
 * The broker refused records for a reason that retrying cannot fix. Thrown by
 * `send` so the forwarder can set those records aside instead of retrying them for ever.
 */
export class RecordsRejectedError extends Error {
  readonly reason: RejectionReason;
  /** The broker's error name, e.g. MESSAGE_TOO_LARGE. */
  readonly brokerError: string;

  constructor(reason: RejectionReason, brokerError: string, message: string) {
    super(message);
    this.name = 'RecordsRejectedError';
    this.reason = reason;
    this.brokerError = brokerError;
  }
}

// Broker errors that no retry can fix, by the protocol's error name. A cluster
// authorization failure is not here: it is configuration, not a bad record,
// and stays a retried, clearly reported error.
const PERMANENT: Record<string, RejectionReason> = {
  MESSAGE_TOO_LARGE: 'too_large',
  RECORD_LIST_TOO_LARGE: 'too_large',
  TOPIC_AUTHORIZATION_FAILED: 'not_authorized',
  INVALID_RECORD: 'invalid',
  CORRUPT_MESSAGE: 'invalid',
  INVALID_TOPIC_EXCEPTION: 'invalid',
};

/** The first broker error (protocol error name and message) in kafkajs's chain of wrapped errors that `wanted` accepts. */
function brokerError(
  error: unknown,
  wanted: (type: string) => boolean,
  depth = 0,
): { type: string; message: string } | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const candidate = error as {
    type?: unknown;
    message?: string;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
  };
  if (typeof candidate.type === 'string' && wanted(candidate.type)) {
    return { type: candidate.type, message: candidate.message ?? candidate.type };
  }
  const nested = [
    candidate.cause,
    candidate.originalError,
    ...(Array.isArray(candidate.errors) ? candidate.errors : []),
  ];
  for (const inner of nested) {
    const found = brokerError(inner, wanted, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Finds a permanent broker error anywhere in kafkajs's chain of wrapped errors.
 * An authorization failure says which ACL to grant, so the dead-letter reason
 * is enough to fix it.
 */
export function permanentRejection(
  error: unknown,
  access?: { topic: string; principal: string },
): RecordsRejectedError | undefined {
  const found = brokerError(error, (type) => type in PERMANENT);
  if (!found) return undefined;
  const reason = PERMANENT[found.type] as RejectionReason;
  const grant =
    reason === 'not_authorized' && access ? `; ${topicGrant(access.topic, access.principal)}` : '';
  return new RecordsRejectedError(reason, found.type, `${found.message}${grant}`);
}

/**
 * Errors that are the connection's configuration rather than the records:
 * wrong credentials, a missing cluster ACL. Retried like an outage, but
 * reported with their own code so the log says what to fix.
 */
export function configurationError(
  error: unknown,
  access: { topic: string; principal: string },
): GatewayError | undefined {
  if (error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError') {
    return new GatewayError('PRODUCER_AUTH', `${access.principal}: ${error.message}`, { cause: error });
  }
  const cluster = brokerError(error, (type) => type === 'CLUSTER_AUTHORIZATION_FAILED');
  if (cluster) {
    const grant = idempotentGrant(access.topic, access.principal);
    return new GatewayError('PRODUCER_NOT_AUTHORIZED', `${cluster.message}; ${grant}`, { cause: error });
  }
  return undefined;
}

/** The topic is gone (deleted, or a broker that lost it): the forwarder creates it again instead of retrying blind. */
export class TopicMissingError extends Error {
  constructor(topic: string, message: string) {
    super(`topic ${topic}: ${message}`);
    this.name = 'TopicMissingError';
  }
}

export interface BrokerClient {
  /** Creates the topic when it is missing; an existing topic is left as it is. */
  ensureTopic(spec: TopicSpec): Promise<void>;
  /**
   * Resolves only when every record was acknowledged by all in-sync replicas.
   * Throws RecordsRejectedError when the broker refused them for good.
   */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Drops connections and producer state; the next call reconnects from scratch. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

// kafkajs logs connection errors loudly on every retry; the forwarder reports
// failures itself, once per state change, so library chatter goes to debug.
function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const line = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.debug(line, message);
      else logger.trace(line, message);
    };
}

// kafkajs is CommonJS and Node cannot see these through its `export`s statically.
const { CompressionCodecs, CompressionTypes: Codec } = kafkajs;

const COMPRESSION_TYPES: Record<Compression, CompressionTypes> = {
  none: Codec.None,
  gzip: Codec.GZIP,
  lz4: Codec.LZ4,
  zstd: Codec.ZSTD,
  snappy: Codec.Snappy,
};
CompressionCodecs[Codec.LZ4] = () => BATCH_CODECS.lz4;
CompressionCodecs[Codec.ZSTD] = () => BATCH_CODECS.zstd;
CompressionCodecs[Codec.Snappy] = () => BATCH_CODECS.snappy;

/** The partition kafkajs (like the Java client: murmur2 of the key) gives a key among `partitions`. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata, message: { key, value: null } });
}

/** Records grouped by topic, each topic's in the order given. */
function byTopic(records: readonly OutgoingRecord[]) {
  const topics = new Map<
    string,
    { key: string; value: string | Buffer | null; headers: Record<string, string> }[]
  >();
  for (const { topic, key, value, headers } of records) {
    const messages = topics.get(topic) ?? [];
    messages.push({ key, value, headers });
    topics.set(topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

export function createBrokerClient(options: BrokerClientOptions): BrokerClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: options.requestTimeoutMs,
    // One quick retry inside the library; the forwarder owns the long backoff.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(options.logger),
    ...(options.sasl ? { sasl: { ...options.sasl } as SASLOptions } : {}),
  });
  const principal = principalOf(options.sasl?.username);

  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  async function connectedProducer(): Promise<Producer> {
    if (producer) return producer;
    connecting ??= (async () => {
      const created = kafka.producer({
        idempotent: options.idempotent,
        // Idempotence in kafkajs requires one request in flight; it also keeps per-key order on retry.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await created.connect();
      } catch (error) {
        await created.disconnect().catch(() => {});
        throw error;
      }
      producer = created;
      return created;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    async ensureTopic(spec) {
      const access = { topic: spec.topic, principal };
      const admin = kafka.admin();
      try {
        await admin.connect();
        // Lists only the topics this principal may DESCRIBE.
        const existing = await admin.listTopics();
        if (existing.includes(spec.topic)) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: spec.topic,
              numPartitions: spec.partitions,
              ...(spec.replicationFactor ? { replicationFactor: spec.replicationFactor } : {}),
              ...(spec.config
                ? { configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })) }
                : {}),
            },
          ],
        });
      } catch (error) {
        // Without CREATE (least privilege) the topic is an operator's job: go on
        // and let the first send say whether it exists and may be written.
        const denied = brokerError(error, (type) => type === 'TOPIC_AUTHORIZATION_FAILED');
        if (!denied) throw configurationError(error, access) ?? error;
        options.logger.warn(
          { topic: spec.topic },
          `topic ${spec.topic} cannot be checked or created (${denied.type}); ` +
            `sending to it anyway (${createGrant(spec.topic, principal)})`,
        );
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },

    async send(records) {
      const topicMessages = byTopic(records);
      const topic = topicMessages.map((group) => group.topic).join(', ');
      const access = { topic, principal };
      let active: Producer;
      try {
        active = await connectedProducer();
      } catch (error) {
        throw configurationError(error, access) ?? error;
      }
      try {
        await active.sendBatch({
          topicMessages,
          acks: -1,
          timeout: options.requestTimeoutMs,
          compression: COMPRESSION_TYPES[options.compression ?? 'none'],
        });
      } catch (error) {
        const missing = brokerError(error, (type) => type === 'UNKNOWN_TOPIC_OR_PARTITION');
        if (missing) throw new TopicMissingError(topic, missing.message);
        throw configurationError(error, access) ?? permanentRejection(error, access) ?? error;
      }
    },

    async reset() {
      const previous = producer;
      producer = undefined;
      await previous?.disconnect().catch(() => {});
    },

    async close() {
      await this.reset();
    },
  };
}

export interface ClusterView {
  clusterId: string;
  brokers: number;
  /** Whether each topic exists (a principal without DESCRIBE cannot tell it from missing). */
  topics: Map<string, boolean>;
}

/**
 * Connects, signs in and reads the cluster metadata without producing or
 * creating anything, for diagnosis. Failures come as GatewayErrors where the
 * cause is known (authentication, ACLs), as they are otherwise.
 */
export async function describeCluster(
  options: BrokerClientOptions,
  topics: readonly string[],
): Promise<ClusterView> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(options.logger),
    ...(options.sasl ? { sasl: { ...options.sasl } as SASLOptions } : {}),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    return {
      clusterId: cluster.clusterId,
      brokers: cluster.brokers.length,
      topics: new Map(topics.map((topic) => [topic, existing.has(topic)])),
    };
  } catch (error) {
    const topic = topics[0] ?? '';
    throw configurationError(error, { topic, principal: principalOf(options.sasl?.username) }) ?? error;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

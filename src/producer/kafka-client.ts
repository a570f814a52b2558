/**
 * The only module that imports kafkajs. The rest of the gateway sees a small
 * promise-based interface: connect, make sure the topic exists, send a batch;
 * for provisioning and diagnosis, a topic admin; and, for the operator
 * commands, a consumer that reads a topic record by record.
 */
import kafkajs, {
  type Admin,
  type CompressionTypes,
  type Consumer,
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
import { AccessDeniedError, operationGrant, principalOf, readGrant } from './authorization.ts';
import { brokerError, configurationError, permanentRejection, TopicMissingError } from './broker-errors.ts';
import { BATCH_CODECS } from './compression-codecs.ts';
import { findInChain } from './error-chain.ts';
import './kafkajs-idle-timer.ts';
import type { SaslCredentials } from './sasl.ts';
import type { TlsSettings } from './tls.ts';
import { tlsFailure } from './tls-failure.ts';

import { ensureTopicAtStart } from './topic-provisioning.ts';

// kafkajs is CommonJS and Node cannot see this through its `export`s statically.
const { ConfigResourceTypes } = kafkajs;

export interface OutgoingRecord {
  topic: string;
  key: string;
  /** null is a tombstone: a compacted topic forgets the key. */
  value: string | Buffer | null;
  headers: Record<string, string>;
}

/** Where the broker is and how to reach it: what the producer and the topic admin share. */
export interface BrokerConnection {
  brokers: readonly string[];
  clientId: string;
  requestTimeoutMs: number;
  logger: Logger;
  /** Signs in with SASL; without it the connection is unauthenticated (User:ANONYMOUS). */
  sasl?: SaslCredentials;
  /** TLS (SSL, or SASL_SSL with sasl); without it the connection is plaintext. */
  tls?: TlsSettings;
}

export interface BrokerClientOptions extends BrokerConnection {
  idempotent: boolean;
  compression?: Compression;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic configuration (retention.ms, cleanup.policy …) set at creation and compared by `topics ensure`. */
  configs?: Readonly<Record<string, string>>;
}

export interface BrokerClient {
  /** Creates the topic when it is missing (with its partitions, replication and configs); an existing topic is left as it is. */
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

function kafkaOf(options: BrokerConnection): Kafka {
  const { certificateSubject: _subject, ...ssl } = options.tls ?? {};
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: options.requestTimeoutMs,
    // One quick retry inside the library; the forwarder owns the long backoff.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(options.logger),
    ...(options.sasl ? { sasl: { ...options.sasl } as SASLOptions } : {}),
    ...(options.tls ? { ssl: { ...ssl, rejectUnauthorized: true } } : {}),
  });
}

/** The principal the broker's ACLs name: the SASL user wins over a client certificate's subject. */
function principalOfConnection(options: BrokerConnection): string {
  return principalOf(options.sasl?.username ?? options.tls?.certificateSubject);
}

export function createBrokerClient(options: BrokerClientOptions): BrokerClient {
  const kafka = kafkaOf(options);
  const principal = principalOfConnection(options);
  const brokers = options.brokers;

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
      const admin = topicAdminOf(kafka, principal, brokers);
      try {
        await ensureTopicAtStart(admin, spec, options.logger);
      } finally {
        await admin.close();
      }
    },

    async send(records) {
      const topicMessages = byTopic(records);
      const topic = topicMessages.map((group) => group.topic).join(', ');
      const access = { topic, principal, brokers };
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

/** What `topics ensure` reads of an existing topic. */
export interface TopicState {
  partitions: number;
  /** The smallest replica count of its partitions. */
  replicationFactor: number;
}

/**
 * Topic administration for provisioning and diagnosis. A refused operation
 * throws AccessDeniedError naming the ACL to grant; a TLS or SASL failure
 * throws its PRODUCER_* error.
 */
export interface TopicAdmin {
  /** The principal the broker sees, for messages and reports. */
  readonly principal: string;
  /** The topic's partitions and replication, or undefined when it does not exist. Needs DESCRIBE. */
  describeTopic(topic: string): Promise<TopicState | undefined>;
  /** The current values of the named configs. Needs DESCRIBE_CONFIGS. */
  topicConfigs(topic: string, names: readonly string[]): Promise<Record<string, string | undefined>>;
  /** Creates the topic; false when it exists already. Needs CREATE. */
  createTopic(spec: TopicSpec): Promise<boolean>;
  /** Raises the topic's partition count to `total`. Needs ALTER. */
  addPartitions(topic: string, total: number): Promise<void>;
  /** The cluster as the bootstrap brokers describe it: proof that connection and sign-in work. */
  describeCluster(): Promise<{ clusterId: string; brokers: number; controller: number | null }>;
  close(): Promise<void>;
}

export function createTopicAdmin(options: BrokerConnection): TopicAdmin {
  return topicAdminOf(kafkaOf(options), principalOfConnection(options), options.brokers);
}

/** Operations that change the cluster: a broker error answering them is a refusal with a reason, not an outage. */
const changes = new Set(['CREATE', 'ALTER']);

function topicAdminOf(kafka: Kafka, principal: string, brokers: readonly string[]): TopicAdmin {
  let admin: Admin | undefined;

  /** Runs one admin request, connecting first; failures say what to grant or fix. */
  async function run<T>(operation: string, topic: string | undefined, request: (admin: Admin) => Promise<T>) {
    try {
      if (!admin) {
        const created = kafka.admin();
        await created.connect();
        admin = created;
      }
      return await request(admin);
    } catch (error) {
      const denied = brokerError(error, (type) => type.endsWith('_AUTHORIZATION_FAILED'));
      if (denied) {
        const cluster = denied.type.startsWith('CLUSTER');
        const grant = operationGrant([operation], cluster ? undefined : topic, principal);
        throw new AccessDeniedError(`${denied.message}; ${grant}`, cluster ? 'cluster' : 'topic', error);
      }
      const configuration = configurationError(error, { topic: topic ?? '', principal, brokers });
      if (configuration) throw configuration;
      const refused = changes.has(operation) ? brokerError(error, () => true) : undefined;
      if (refused) {
        throw new GatewayError('TOPIC_REFUSED', `${topic}: ${refused.type}: ${refused.message}`, {
          cause: error,
        });
      }
      if (
        findInChain(
          error,
          (link) => typeof link.message === 'string' && link.message.startsWith('Connection'),
        )
      ) {
        throw new GatewayError('PRODUCER_CONNECT', `${brokers.join(',')}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    principal,

    describeTopic: (topic) =>
      run('DESCRIBE', topic, async (client) => {
        try {
          const { topics } = await client.fetchTopicMetadata({ topics: [topic] });
          const partitions = topics.find((each) => each.name === topic)?.partitions ?? [];
          if (partitions.length === 0) return undefined;
          return {
            partitions: partitions.length,
            replicationFactor: Math.min(...partitions.map((partition) => partition.replicas.length)),
          };
        } catch (error) {
          if (brokerError(error, (type) => type === 'UNKNOWN_TOPIC_OR_PARTITION')) return undefined;
          throw error;
        }
      }),

    topicConfigs: (topic, names) =>
      run('DESCRIBE_CONFIGS', topic, async (client) => {
        const { resources } = await client.describeConfigs({
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [...names] }],
          includeSynonyms: false,
        });
        const entries = resources[0]?.configEntries ?? [];
        return Object.fromEntries(
          names.map((name) => [name, entries.find((e) => e.configName === name)?.configValue]),
        );
      }),

    createTopic: (spec) =>
      run('CREATE', spec.topic, async (client) => {
        // false: it existed already (kafkajs reports TOPIC_ALREADY_EXISTS that way).
        return await client.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: spec.topic,
              numPartitions: spec.partitions,
              ...(spec.replicationFactor ? { replicationFactor: spec.replicationFactor } : {}),
              configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      }),

    addPartitions: (topic, total) =>
      run('ALTER', topic, async (client) => {
        await client.createPartitions({ topicPartitions: [{ topic, count: total }] });
      }),

    describeCluster: () =>
      run('DESCRIBE', undefined, async (client) => {
        const cluster = await client.describeCluster();
        return {
          clusterId: cluster.clusterId,
          brokers: cluster.brokers.length,
          controller: cluster.controller,
        };
      }),

    async close() {
      const previous = admin;
      admin = undefined;
      await previous?.disconnect().catch(() => {});
    },
  };
}

export interface IncomingRecord {
  key: string | null;
  /** UTF-8 text; a tombstone reads as ''. */
  value: string;
  partition: number;
  offset: string;
}

export interface ConsumerHandlers {
  /** Called for one record at a time; its offset is committed only once this resolved. */
  record(record: IncomingRecord): Promise<void>;
  /** The group was joined: records sent from now on are read. */
  joined?(): void;
}

export interface RecordConsumer {
  /**
   * Joins the group and hands over the topic's records. Resolves when stop()
   * was called; rejects when reading failed (broker lost, ACL missing, a
   * handler threw): what was not committed comes again on the next run.
   */
  run(handlers: ConsumerHandlers): Promise<void>;
  /** Leaves the group for good: a run in progress resolves, later ones return at once. */
  stop(): Promise<void>;
}

/**
 * A consumer that never restarts itself: the caller owns retries, so every
 * failure is reported once, with its reason, and retried on one backoff.
 */
export function createRecordConsumer(
  options: BrokerConnection,
  target: { topic: string; groupId: string },
): RecordConsumer {
  const kafka = kafkaOf(options);
  const principal = principalOfConnection(options);
  let current: { consumer: Consumer; stopped: () => void } | undefined;
  let closed = false;

  return {
    async run(handlers) {
      if (closed) return;
      const consumer = kafka.consumer({
        groupId: target.groupId,
        allowAutoTopicCreation: false,
        // A gateway killed without leaving its group holds its partitions this long.
        sessionTimeout: 10_000,
        heartbeatInterval: 3000,
        // Bounds how long stop() waits for the fetch in flight.
        maxWaitTimeInMs: 1000,
        retry: { retries: 1, initialRetryTime: 200, restartOnFailure: async () => false },
      });
      const ended = new Promise<void>((resolve, reject) => {
        current = { consumer, stopped: resolve };
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
        consumer.on(consumer.events.GROUP_JOIN, () => handlers.joined?.());
      });
      try {
        await startAtEndOnce(kafka, target);
        if (closed) return;
        await consumer.connect();
        await consumer.subscribe({ topics: [target.topic], fromBeginning: false });
        await consumer.run({
          autoCommit: true,
          autoCommitThreshold: 1,
          eachMessage: ({ partition, message }) =>
            handlers.record({
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? '',
              partition,
              offset: message.offset,
            }),
        });
        await ended;
      } catch (error) {
        throw readDenied(error, target, principal) ?? tlsFailure(error, options.brokers.join(',')) ?? error;
      } finally {
        if (current?.consumer === consumer) current = undefined;
        await consumer.disconnect().catch(() => {});
      }
    },

    async stop() {
      closed = true;
      const running = current;
      await running?.consumer.disconnect().catch(() => {});
      running?.stopped();
    },
  };
}

/** An authorization failure of the command consumer, with the ACL it needs. */
function readDenied(
  error: unknown,
  target: { topic: string; groupId: string },
  principal: string,
): GatewayError | undefined {
  const group = { group: target.groupId };
  // kafkajs drops the broker's answer when it finds no coordinator; without READ on the group that is all it says.
  if (error instanceof Error && error.name === 'KafkaJSGroupCoordinatorNotFound') {
    const detail =
      `no coordinator for consumer group ${target.groupId} (a broker names none to a principal without READ ` +
      `on the group, nor for a moment while it starts); ${readGrant(group, principal)}`;
    return new GatewayError('COMMANDS_NOT_AUTHORIZED', detail, { cause: error });
  }
  const denied = brokerError(
    error,
    (type) => type === 'GROUP_AUTHORIZATION_FAILED' || type === 'TOPIC_AUTHORIZATION_FAILED',
  );
  if (!denied) return undefined;
  const resource = denied.type === 'GROUP_AUTHORIZATION_FAILED' ? group : { topic: target.topic };
  return new GatewayError('COMMANDS_NOT_AUTHORIZED', `${denied.message}; ${readGrant(resource, principal)}`, {
    cause: error,
  });
}

/**
 * A group with no committed offset would start at the end of the topic each
 * time it joins, so commands sent while a gateway that never committed was
 * down would be skipped. Committing the end once, before the first join,
 * makes every later start resume where the group was.
 */
async function startAtEndOnce(kafka: Kafka, target: { topic: string; groupId: string }): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: target.groupId, topics: [target.topic] });
    if (!committed?.partitions.some((partition) => partition.offset === '-1')) return;
    await admin.fetchOffsets({ groupId: target.groupId, topics: [target.topic], resolveOffsets: true });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

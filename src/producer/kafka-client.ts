/**
 * The only module that imports kafkajs. The rest of the gateway sees a small
 * promise-based interface: connect, make sure the topic exists, send a batch.
 */
import { Kafka, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../telemetry/logger.ts';

export interface OutgoingRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface BrokerClientOptions {
  brokers: readonly string[];
  clientId: string;
  idempotent: boolean;
  requestTimeoutMs: number;
  logger: Logger;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
}

export interface BrokerClient {
  /** Creates the topic when it is missing; an existing topic is left as it is. */
  ensureTopic(spec: TopicSpec): Promise<void>;
  /** Resolves only when every record was acknowledged by all in-sync replicas. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
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
  });

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
      const admin = kafka.admin();
      try {
        await admin.connect();
        const existing = await admin.listTopics();
        if (existing.includes(spec.topic)) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: spec.topic,
              numPartitions: spec.partitions,
              ...(spec.replicationFactor ? { replicationFactor: spec.replicationFactor } : {}),
            },
          ],
        });
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },

    async send(topic, records) {
      const active = await connectedProducer();
      await active.send({
        topic,
        acks: -1,
        timeout: options.requestTimeoutMs,
        messages: records.map((record) => ({
          key: record.key,
          value: record.value,
          headers: record.headers,
        })),
      });
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

/**
 * Kafka for tests: which broker to talk to, and a few kafkajs helpers that make
 * assertions about what actually landed in a topic.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { type IHeaders, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import '../../src/producer/kafkajs-idle-timer.ts';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { KafkaBroker, type KafkaBrokerOptions } from '../../scripts/kafka-broker.ts';

let shared: Promise<string> | undefined;

/**
 * Bootstrap address of the broker tests share: KAFKA_BROKERS when set (the one
 * test/global-setup.ts started, or an external Kafka/Redpanda), otherwise a
 * broker started once for this process and killed when it exits.
 */
export function sharedBrokers(): Promise<string> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return Promise.resolve(external);
  // A failed start is remembered: every later caller gets the same error at once.
  shared ??= KafkaBroker.start().then((broker) => broker.brokers);
  return shared;
}

const owned: Array<{ dataDir: string; broker?: KafkaBroker }> = [];
let removeOwnedOnExit = false;

/**
 * A broker of the caller's own, for tests that stop, kill or restart it. Its
 * data survives stop() so restart() can follow; the directory is removed when
 * the process exits, after the JVM is killed if the test did not stop it.
 */
export async function ownBroker(options: Omit<KafkaBrokerOptions, 'dataDir'> = {}): Promise<KafkaBroker> {
  const entry: (typeof owned)[number] = { dataDir: mkdtempSync(join(tmpdir(), 'kafka-own-')) };
  owned.push(entry);
  if (!removeOwnedOnExit) {
    removeOwnedOnExit = true;
    process.on('exit', () => {
      for (const { dataDir, broker } of owned) {
        broker?.abandon();
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      }
    });
  }
  entry.broker = await KafkaBroker.start({ ...options, dataDir: entry.dataDir });
  return entry.broker;
}

/**
 * A two-node cluster of the caller's own, for tests that fail one node: node 1
 * is broker and controller, node 2 a broker only that joins node 1's quorum.
 * Killing node 2 leaves the cluster working; killing node 1 does not.
 * Both are cleaned up like ownBroker()'s.
 */
export async function ownCluster(
  options: Omit<KafkaBrokerOptions, 'dataDir' | 'nodeId' | 'controllerQuorum' | 'clusterId'> = {},
): Promise<{ nodes: [KafkaBroker, KafkaBroker]; brokers: string }> {
  // Two JVMs on a small machine: a smaller heap than a lone broker's default.
  const sized = { heapMb: 384, ...options };
  const first = await ownBroker(sized);
  const clusterId = first.clusterId;
  if (!clusterId) throw new Error(`no cluster id in ${first.dataDir} after start`);
  const second = await ownBroker({
    ...sized,
    nodeId: 2,
    controllerQuorum: first.controllerQuorum,
    clusterId,
  });
  return { nodes: [first, second], brokers: `${first.brokers},${second.brokers}` };
}

/** A topic name no other test (or earlier run against a kept broker) uses. */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A kafkajs client for test code. Its logging is off: kafkajs reports every
 * retried transient error (coordinator still loading, leader moving) at ERROR,
 * and the helpers below surface real failures as rejections anyway.
 */
export function kafkaClient(brokers: string, user?: SaslUser, ssl?: ConnectionOptions): Kafka {
  return new Kafka({
    clientId: 'gateway-tests',
    brokers: brokers.split(','),
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
    ...(user ? { sasl: { mechanism: 'plain' as const, ...user } } : {}),
    ...(ssl ? { ssl } : {}),
  });
}

/** Creates the topic (replication factor 1) and waits for partition leaders; an existing topic is left alone. */
export async function createTopic(
  brokers: string,
  topic: string,
  partitions = 1,
  user?: SaslUser,
): Promise<void> {
  const admin = kafkaClient(brokers, user).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * How many records the topic holds: high minus low watermark, summed over its
 * partitions. Exact for the gateway's non-transactional writes; a transactional
 * producer would add commit markers to the count.
 */
export async function topicSize(brokers: string, topic: string): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const partitions = await admin.fetchTopicOffsets(topic);
    return partitions.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumedRecord {
  key: string | null;
  /** UTF-8 text; a null value (tombstone) reads as ''. */
  value: string;
  /** The value's bytes, null for a tombstone. */
  raw: Buffer | null;
  /** UTF-8 text; when a header name repeats, its last value. */
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

export interface ConsumeOptions {
  /** Resolve once this many records arrived. */
  expected: number;
  /** Reject when fewer arrived by then; default 30 s. */
  timeoutMs?: number;
  /**
   * Keep reading this long after `expected` is reached, so a test can assert
   * that nothing beyond it (a duplicate, say) was written; default 0.
   */
  settleMs?: number;
  /** The SASL/PLAIN user to read as, on a broker started with `auth`. */
  user?: SaslUser;
  /** TLS options (CA, client certificate) on a broker started with `tls`. */
  ssl?: ConnectionOptions;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) text[name] = last.toString();
  }
  return text;
}

function toRecord(partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    key: message.key === null ? null : message.key.toString(),
    value: message.value === null ? '' : message.value.toString(),
    raw: message.value,
    headers: headerText(message.headers),
    partition,
    offset: message.offset,
  };
}

/**
 * Reads the topic from the beginning and returns its records ordered by
 * partition, then offset, so records with the same key are in the order they
 * were written. kafkajs cannot consume without a consumer group, so each call
 * joins a fresh group and commits nothing. The topic must already exist.
 */
export async function consumeAll(
  brokers: string,
  topic: string,
  { expected, timeoutMs = 30_000, settleMs = 0, user, ssl }: ConsumeOptions,
): Promise<ConsumedRecord[]> {
  const consumer = kafkaClient(brokers, user, ssl).consumer({
    groupId: `gateway-tests-${randomUUID()}`,
    // Short fetch waits so disconnect() does not sit out a long poll.
    maxWaitTimeInMs: 250,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let settling = false;
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${topic}: ${records.length} of ${expected} records arrived within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const checkDone = () => {
        if (settling || records.length < expected) return;
        settling = true;
        setTimeout(() => {
          clearTimeout(timer);
          resolve();
        }, settleMs);
      };
      consumer.on(consumer.events.GROUP_JOIN, checkDone);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // A retriable crash (a group coordinator still loading, say) is followed by kafkajs restarting the consumer.
        if (payload.restart) return;
        clearTimeout(timer);
        reject(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            records.push(toRecord(partition, message));
            checkDone();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

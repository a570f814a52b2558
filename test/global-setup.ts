/**
 * Global setup for `node --test --test-global-setup=test/global-setup.ts`: one
 * Kafka broker for the whole run instead of one per test file. The runner starts
 * each test file as a child process after this ran, and children inherit
 * KAFKA_BROKERS, which test/harness/kafka.ts sharedBrokers() returns.
 * An already set KAFKA_BROKERS (an external Kafka or Redpanda) is used as it is.
 */
import { KafkaBroker } from '../scripts/kafka-broker.ts';

let broker: KafkaBroker | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  broker = await KafkaBroker.start();
  process.env.KAFKA_BROKERS = broker.brokers;
}

export async function globalTeardown(): Promise<void> {
  if (!broker) return;
  const stopping = broker;
  broker = undefined;
  delete process.env.KAFKA_BROKERS;
  await stopping.stop();
}

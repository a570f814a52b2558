/**
 * "Ready" means the broker answered a real Kafka request with itself as a live
 * broker and a known controller, not merely that its port accepts connections.
 */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import '../../src/producer/kafkajs-idle-timer.ts';
import type { SaslUser } from './auth.ts';

const POLL_MS = 250;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

async function answers(
  brokers: string,
  user: SaslUser | undefined,
  ssl: ConnectionOptions | undefined,
): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kafka-broker-probe',
    brokers: [brokers],
    connectionTimeout: 1000,
    requestTimeout: 5000,
    // This loop is the retry; kafkajs' own would hide how long start-up takes.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...(user ? { sasl: { mechanism: 'plain' as const, ...user } } : {}),
    ...(ssl ? { ssl } : {}),
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Resolves once the broker answers; rejects when the process exits first or the
 * deadline passes. `exited` settles when the JVM ends, whatever the reason.
 */
export async function waitUntilReady(
  brokers: string,
  exited: Promise<Exit>,
  timeoutMs: number,
  /** The user the probe signs in as on a SASL broker. */
  user?: SaslUser,
  /** TLS options of the probe on a TLS listener (CA, and a client certificate for mutual TLS). */
  ssl?: ConnectionOptions,
): Promise<void> {
  let exit: Exit | undefined;
  void exited.then((value) => {
    exit = value;
  });
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (exit) throw new Error(`the broker exited during start-up (${describeExit(exit)})`);
    if (await answers(brokers, user, ssl)) return;
    if (Date.now() > deadline)
      throw new Error(`the broker did not answer on ${brokers} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function describeExit(exit: Exit): string {
  if (exit.error) return exit.error.message;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

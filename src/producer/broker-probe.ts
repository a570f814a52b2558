/**
 * One look at the broker as the gateway would connect to it (addresses, TLS,
 * SASL, the same secrets), for diagnosis: can it be reached and signed in to,
 * and does it show the gateway's topics. Never throws; the result says what
 * failed and what to do, in words and as an error code.
 */
import type { SiteFile } from '../config/schema.ts';
import { type ErrorCode, GatewayError } from '../system/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { brokerConnection } from './connection.ts';
import { type BrokerConnection, createTopicAdmin, type TopicAdmin } from './kafka-client.ts';
import { gatewayTopics } from './topics.ts';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface TopicVisibility {
  topic: string;
  /** Partitions when the topic exists and this principal may describe it. */
  partitions?: number;
  /** missing: not there (or hidden: a principal without DESCRIBE sees the same); denied: DESCRIBE refused. */
  status: 'present' | 'missing' | 'denied';
}

export interface BrokerProbeResult {
  ok: boolean;
  brokers: readonly string[];
  security: SecurityProtocol;
  /** The principal the broker's ACLs must name for this gateway. */
  principal?: string;
  /** One readable line: what was found, or what failed and what to do. */
  summary: string;
  code?: ErrorCode;
  cluster?: { clusterId: string; brokers: number; controller: number | null };
  topics: TopicVisibility[];
  elapsedMs: number;
}

export interface ProbeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Give up after this long; default 15 s (kafkajs itself retries once within it). */
  timeoutMs?: number;
}

/** Kafka's name for how the gateway connects. */
export function securityProtocol(sasl: boolean, tls: boolean): SecurityProtocol {
  if (sasl) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return tls ? 'SSL' : 'PLAINTEXT';
}

export async function probeBroker(site: SiteFile, options: ProbeOptions = {}): Promise<BrokerProbeResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const kafka = site.gateway.kafka ?? {};
  const security = securityProtocol(kafka.sasl !== undefined, kafka.tls !== undefined);
  let connection: BrokerConnection;
  try {
    connection = brokerConnection(site, env, createLogger('silent'));
  } catch (error) {
    return failed(error, { brokers: kafka.brokers ?? [], security, topics: [], started });
  }
  const admin = createTopicAdmin(connection);
  const base = {
    brokers: connection.brokers,
    security,
    principal: admin.principal,
    topics: [] as TopicVisibility[],
    started,
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new GatewayError('PRODUCER_CONNECT', `no answer within ${options.timeoutMs ?? 15_000} ms`)),
      options.timeoutMs ?? 15_000,
    );
  });
  try {
    const cluster = await Promise.race([admin.describeCluster(), deadline]);
    const topics = await Promise.race([visibility(admin, site), deadline]);
    const summary =
      `reached ${cluster.brokers} broker(s) of cluster ${cluster.clusterId} over ${security} as ${admin.principal}; ` +
      topics
        .map(
          (each) =>
            `${each.topic} ${each.status}${each.partitions ? ` (${each.partitions} partitions)` : ''}`,
        )
        .join(', ');
    return { ...base, ok: true, summary, cluster, topics, elapsedMs: Date.now() - started };
  } catch (error) {
    return failed(error, base);
  } finally {
    clearTimeout(timer);
    await admin.close();
  }
}

async function visibility(admin: TopicAdmin, site: SiteFile): Promise<TopicVisibility[]> {
  const seen: TopicVisibility[] = [];
  for (const { topic } of gatewayTopics(site)) {
    try {
      const state = await admin.describeTopic(topic);
      seen.push(
        state ? { topic, status: 'present', partitions: state.partitions } : { topic, status: 'missing' },
      );
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === 'PRODUCER_NOT_AUTHORIZED')) throw error;
      seen.push({ topic, status: 'denied' });
    }
  }
  return seen;
}

function failed(
  error: unknown,
  base: Omit<BrokerProbeResult, 'ok' | 'summary' | 'elapsedMs'> & { started: number },
): BrokerProbeResult {
  const { started, ...rest } = base;
  const gateway =
    error instanceof GatewayError ? error : new GatewayError('PRODUCER_CONNECT', (error as Error).message);
  return {
    ...rest,
    ok: false,
    code: gateway.code,
    summary: gateway.describe(),
    elapsedMs: Date.now() - started,
  };
}

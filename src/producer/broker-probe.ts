/**
 * One look at the broker as the gateway would connect to it (addresses, SASL,
 * the same secrets), for `gateway doctor`: can it be reached and signed in
 * to, and does it show the gateway's topic. Never throws; the result says
 * what failed and what to do, in words and as an error code.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import { resolveBrokers } from '../gateway.ts';
import { type ErrorCode, GatewayError } from '../system/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { describeCluster } from './kafka-client.ts';
import { readSaslCredentials } from './sasl.ts';

export interface TopicVisibility {
  topic: string;
  /** missing: not there, or hidden from a principal without DESCRIBE. */
  status: 'present' | 'missing';
}

export interface BrokerProbeResult {
  ok: boolean;
  brokers: readonly string[];
  /** One readable line: what was found, or what failed and what to do. */
  summary: string;
  code?: ErrorCode;
  topics: TopicVisibility[];
  elapsedMs: number;
}

export interface ProbeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Give up after this long; default 15 s. */
  timeoutMs?: number;
}

export async function probeBroker(site: SiteFile, options: ProbeOptions = {}): Promise<BrokerProbeResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const kafka = site.gateway.kafka ?? {};
  const brokers = resolveBrokers(site, env);
  const topic = kafka.topic ?? DEFAULTS.topic;
  const timeoutMs = options.timeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new GatewayError('PRODUCER_CONNECT', `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const view = await Promise.race([
      describeCluster(
        {
          brokers,
          clientId: `${kafka.client_id ?? DEFAULTS.clientId}-${site.gateway.id}-doctor`,
          idempotent: false,
          requestTimeoutMs: kafka.request_timeout_ms ?? DEFAULTS.requestTimeoutMs,
          logger: createLogger('silent'),
          ...(kafka.sasl ? { sasl: readSaslCredentials(kafka.sasl, env) } : {}),
        },
        [topic],
      ),
      deadline,
    ]);
    const topics: TopicVisibility[] = [...view.topics].map(([name, present]) => ({
      topic: name,
      status: present ? 'present' : 'missing',
    }));
    const signedIn = kafka.sasl ? ` as ${kafka.sasl.username}` : '';
    const summary =
      `reached ${view.brokers} broker(s) of cluster ${view.clusterId}${signedIn}; ` +
      topics.map((each) => `${each.topic} ${each.status}`).join(', ');
    return { ok: true, brokers, summary, topics, elapsedMs: Date.now() - started };
  } catch (error) {
    const known =
      error instanceof GatewayError
        ? error
        : new GatewayError('PRODUCER_CONNECT', `${brokers.join(',')}: ${(error as Error).message}`);
    return {
      ok: false,
      brokers,
      code: known.code,
      summary: known.describe(),
      topics: [],
      elapsedMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How the gateway reaches its broker, from the site file and the environment:
 * addresses, client id, SASL and TLS with their secrets read. The running
 * gateway signs in as itself; `topics ensure` may sign in as a provisioning
 * principal (gateway.kafka.provisioning) that holds CREATE and DESCRIBE_CONFIGS.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { BrokerConnection } from './kafka-client.ts';
import { readSaslCredentials } from './sasl.ts';
import { readTlsSettings } from './tls.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** KAFKA_BROKERS (comma-separated) overrides the site file, so one map runs against any broker. */
export function resolveBrokers(site: SiteFile, env: Env = process.env): string[] {
  const fromEnv = env.KAFKA_BROKERS?.split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return [...(site.gateway.kafka?.brokers ?? [DEFAULTS.broker])];
}

/** The client id the broker sees; the command consumer group is named after it. */
export function resolveClientId(site: SiteFile): string {
  return site.gateway.kafka?.client_id ?? `${DEFAULTS.clientId}-${site.gateway.id}`;
}

export type SignIn = 'gateway' | 'provisioning';

export function brokerConnection(
  site: SiteFile,
  env: Env,
  logger: Logger,
  signIn: SignIn = 'gateway',
): BrokerConnection {
  const kafka = site.gateway.kafka ?? {};
  const provisioning = signIn === 'provisioning' ? kafka.provisioning : undefined;
  const sasl = provisioning?.sasl ?? kafka.sasl;
  const tls = provisioning?.tls ? { ...kafka.tls, ...provisioning.tls } : kafka.tls;
  return {
    brokers: resolveBrokers(site, env),
    clientId: resolveClientId(site),
    requestTimeoutMs: kafka.request_timeout_ms ?? DEFAULTS.requestTimeoutMs,
    logger,
    ...(sasl ? { sasl: readSaslCredentials(sasl, env) } : {}),
    ...(tls ? { tls: readTlsSettings(tls, env) } : {}),
  };
}

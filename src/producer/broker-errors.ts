/**
 * What a broker's answer means for the gateway: records it will never take
 * (dead letters), a connection misconfigured (credentials, TLS, cluster ACLs),
 * a topic that vanished. Reads kafkajs's chain of wrapped errors by the
 * protocol's error names, without importing kafkajs.
 */
import { GatewayError } from '../system/errors.ts';
import { idempotentGrant, topicGrant } from './authorization.ts';
import { findInChain } from './error-chain.ts';
import { tlsFailure } from './tls-failure.ts';

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
export function brokerError(
  error: unknown,
  wanted: (type: string) => boolean,
): { type: string; message: string } | undefined {
  const found = findInChain(error, (link) => typeof link.type === 'string' && wanted(link.type));
  if (!found) return undefined;
  const type = found.type as string;
  return { type, message: found.message ?? type };
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
  access: { topic: string; principal: string; brokers?: readonly string[] },
): GatewayError | undefined {
  const tls = tlsFailure(error, (access.brokers ?? []).join(','));
  if (tls) return tls;
  // kafkajs wraps a refusal met while reconnecting for a send in its retry errors.
  const sasl = findInChain(
    error,
    (link) =>
      (link as { name?: unknown }).name === 'KafkaJSSASLAuthenticationError' ||
      link.type === 'SASL_AUTHENTICATION_FAILED',
  );
  if (sasl) {
    return new GatewayError(
      'PRODUCER_AUTH',
      `${access.principal}: ${sasl.message ?? 'SASL authentication failed'}`,
      {
        cause: error,
      },
    );
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

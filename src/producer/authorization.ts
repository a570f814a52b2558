/**
 * What to grant when the broker says no. Kafka's authorization errors name
 * the resource but not the ACL, and the operator who reads the log is rarely
 * the one who knows Kafka's ACL model, so every message names the principal,
 * the operations and the resource (docs/kafka-security.md lists them all).
 */

import { GatewayError } from '../system/errors.ts';

/**
 * The principal the broker's ACLs must name: User:<SASL user>, else
 * User:<client certificate subject> over mutual TLS, else User:ANONYMOUS.
 */
export function principalOf(name: string | undefined): string {
  return `User:${name ?? 'ANONYMOUS'}`;
}

/** `grant A and B on topic T to P`, or on the cluster without a topic. */
export function operationGrant(
  operations: readonly string[],
  topic: string | undefined,
  principal: string,
): string {
  const resource = topic === undefined ? 'the cluster' : `topic ${topic}`;
  return `grant ${operations.join(' and ')} on ${resource} to ${principal}`;
}

/** A producer needs both: DESCRIBE for the topic's metadata, WRITE for the records. */
export function topicGrant(topic: string, principal: string): string {
  return operationGrant(['WRITE', 'DESCRIBE'], topic, principal);
}

/** The broker refused an admin operation; the message names the ACL to grant. */
export class AccessDeniedError extends GatewayError {
  readonly scope: 'topic' | 'cluster';

  constructor(detail: string, scope: 'topic' | 'cluster', cause: unknown) {
    super('PRODUCER_NOT_AUTHORIZED', detail, { cause });
    this.scope = scope;
  }
}

/**
 * An idempotent producer asks the cluster for a producer id first. Since
 * Kafka 3.0, WRITE on any topic also allows it, so a principal with no topic
 * ACL at all sees the cluster error before it sees the topic error.
 */
export function idempotentGrant(topic: string, principal: string): string {
  return (
    `grant IDEMPOTENT_WRITE on the cluster to ${principal} ` +
    `(or, on Kafka 3.0 and later, ${topicGrant(topic, principal)}), or set gateway.kafka.idempotent: false`
  );
}

/** Creating the topic is optional: without CREATE the topic must exist (`kafka-topics --create`). */
export function createGrant(topic: string, principal: string): string {
  return `grant CREATE and DESCRIBE on topic ${topic} to ${principal}, or create the topic with an admin user`;
}

/** Reading commands takes READ on the topic (DESCRIBE comes with it) and READ on the consumer group. */
export function readGrant(resource: { topic: string } | { group: string }, principal: string): string {
  const named = 'topic' in resource ? `topic ${resource.topic}` : `group ${resource.group}`;
  return `grant READ on ${named} to ${principal}`;
}

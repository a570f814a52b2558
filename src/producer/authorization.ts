/**
 * What to grant when the broker says no. Kafka's authorization errors name
 * the resource but not the ACL, and the operator who reads the log is rarely
 * the one who knows Kafka's ACL model, so every message names the principal,
 * the operations and the resource (docs/kafka-security.md lists them all).
 */

/** The principal the broker's ACLs must name: User:<SASL user>, or User:ANONYMOUS without SASL. */
export function principalOf(username: string | undefined): string {
  return `User:${username ?? 'ANONYMOUS'}`;
}

/** A producer needs both: DESCRIBE for the topic's metadata, WRITE for the records. */
export function topicGrant(topic: string, principal: string): string {
  return `grant WRITE and DESCRIBE on topic ${topic} to ${principal}`;
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

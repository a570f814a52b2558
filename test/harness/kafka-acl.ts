/**
 * ACLs on a test broker started with SASL/PLAIN and the authorizer: the admin
 * grants and revokes what a user may do, as a security team would with
 * kafka-acls.
 */
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { kafkaClient } from './kafka.ts';

// kafkajs is CommonJS and Node cannot see these through its `export`s statically.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type TopicOperation = 'WRITE' | 'DESCRIBE' | 'CREATE' | 'READ' | 'DESCRIBE_CONFIGS' | 'ALTER';

type Admin = SaslUser | { sasl?: SaslUser; ssl: ConnectionOptions };

/**
 * Allows `operations` on one topic (a literal name) to `principal`, e.g.
 * User:gateway or User:CN=gateway,O=Test. The admin signs in with SASL, with
 * its client certificate on a TLS broker, or both (SASL_SSL).
 */
export function grantTopic(
  brokers: string,
  admin: Admin,
  topic: string,
  principal: string,
  operations: readonly TopicOperation[],
): Promise<void> {
  return grant(brokers, admin, AclResourceTypes.TOPIC, topic, principal, operations);
}

/** Allows `operations` on one consumer group (a literal name) to `principal`. */
export function grantGroup(
  brokers: string,
  admin: Admin,
  group: string,
  principal: string,
  operations: readonly 'READ'[],
): Promise<void> {
  return grant(brokers, admin, AclResourceTypes.GROUP, group, principal, operations);
}

async function grant(
  brokers: string,
  admin: Admin,
  resourceType: number,
  resourceName: string,
  principal: string,
  operations: readonly TopicOperation[],
): Promise<void> {
  const client = (
    'ssl' in admin ? kafkaClient(brokers, admin.sasl, admin.ssl) : kafkaClient(brokers, admin)
  ).admin();
  await client.connect();
  try {
    await client.createAcls({
      acl: operations.map((operation) => ({
        resourceType,
        resourceName,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: '*',
        operation: AclOperationTypes[operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await client.disconnect();
  }
}

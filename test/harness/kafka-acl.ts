/**
 * ACLs on a test broker started with SASL/PLAIN and the authorizer: the admin
 * grants and revokes what a user may do, as a security team would with
 * kafka-acls.
 */
import kafkajs from 'kafkajs';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { kafkaClient } from './kafka.ts';

// kafkajs is CommonJS and Node cannot see these through its `export`s statically.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type TopicOperation = 'WRITE' | 'DESCRIBE' | 'CREATE' | 'READ';

/** Allows `operations` on one topic (a literal name) to `principal`, e.g. User:gateway. */
export function grantTopic(
  brokers: string,
  admin: SaslUser,
  topic: string,
  principal: string,
  operations: readonly TopicOperation[],
): Promise<void> {
  return grant(brokers, admin, AclResourceTypes.TOPIC, topic, principal, operations);
}

/** Allows `operations` on one consumer group (a literal name) to `principal`. */
export function grantGroup(
  brokers: string,
  admin: SaslUser,
  group: string,
  principal: string,
  operations: readonly 'READ'[],
): Promise<void> {
  return grant(brokers, admin, AclResourceTypes.GROUP, group, principal, operations);
}

async function grant(
  brokers: string,
  admin: SaslUser,
  resourceType: number,
  resourceName: string,
  principal: string,
  operations: readonly TopicOperation[],
): Promise<void> {
  const client = kafkaClient(brokers, admin).admin();
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

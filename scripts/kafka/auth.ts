/**
 * SASL/PLAIN users and the KRaft ACL authorizer for a broker that has to prove
 * least privilege: an admin super user grants ACLs, every other user gets only
 * what it was granted. Test credentials only: they sit in plain text in
 * server.properties of a loopback broker.
 */
export interface SaslUser {
  username: string;
  password: string;
}

export interface BrokerAuth {
  /** Super user: may do anything, including granting ACLs to the others. */
  admin: SaslUser;
  /** Users that get nothing until an ACL grants it. */
  users: readonly SaslUser[];
}

/** The admin and one `gateway` user, the principal the gateway runs as (User:gateway). */
export function defaultAuth(): BrokerAuth {
  return {
    admin: { username: 'admin', password: 'admin-secret' },
    users: [{ username: 'gateway', password: 'gateway-secret' }],
  };
}

// JAAS string literals are double-quoted; a quote or backslash would end them early.
function jaasValue(value: string): string {
  if (/["\\\n]/.test(value))
    throw new Error(`SASL user names and passwords may not hold quotes, backslashes or newlines`);
  return `"${value}"`;
}

/**
 * The server.properties lines for a SASL_PLAINTEXT client listener. The
 * controller listener stays PLAINTEXT, so the broker talks to its own
 * controller as User:ANONYMOUS: that principal must be a super user, which is
 * harmless because the controller port is not the one clients are given.
 */
export function authSettings(auth: BrokerAuth, listenerName: string): Record<string, string> {
  const everyone = [auth.admin, ...auth.users];
  const jaas = [
    'org.apache.kafka.common.security.plain.PlainLoginModule required',
    `username=${jaasValue(auth.admin.username)}`,
    `password=${jaasValue(auth.admin.password)}`,
    ...everyone.map((user) => `user_${user.username}=${jaasValue(user.password)}`),
  ].join(' ');
  return {
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    [`listener.name.${listenerName.toLowerCase()}.plain.sasl.jaas.config`]: `${jaas};`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${auth.admin.username};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

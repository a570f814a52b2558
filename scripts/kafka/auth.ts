/**
 * SASL users (PLAIN and SCRAM) and the KRaft ACL authorizer for a broker that
 * has to prove least privilege: an admin super user grants ACLs, every other
 * user gets only what it was granted. Test credentials only: they sit in plain
 * text in server.properties of a loopback broker.
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

const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

// Names and passwords end up inside JAAS string literals and the storage
// tool's `[name=…,password=…]` syntax; these characters would end them early.
function checked(value: string): string {
  if (/["\\\n,=[\]]/.test(value)) {
    throw new Error('SASL user names and passwords may not hold quotes, backslashes, newlines or , = [ ]');
  }
  return value;
}

/**
 * The server.properties lines for a SASL_PLAINTEXT client listener. PLAIN
 * users are listed in the JAAS line; SCRAM users live in the cluster metadata
 * (see scramFormatArgs). The controller listener stays PLAINTEXT, so the broker
 * talks to its own controller as User:ANONYMOUS: that principal must be a super
 * user, which is harmless because the controller port is not the one clients
 * are given.
 */
export function authSettings(auth: BrokerAuth, listenerName: string): Record<string, string> {
  const everyone = [auth.admin, ...auth.users];
  const plain = [
    'org.apache.kafka.common.security.plain.PlainLoginModule required',
    `username="${checked(auth.admin.username)}"`,
    `password="${checked(auth.admin.password)}"`,
    ...everyone.map((user) => `user_${checked(user.username)}="${checked(user.password)}"`),
  ].join(' ');
  const prefix = `listener.name.${listenerName.toLowerCase()}`;
  const scram = Object.fromEntries(
    SCRAM_MECHANISMS.map((mechanism) => [
      `${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`,
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ]),
  );
  return {
    'sasl.enabled.mechanisms': ['PLAIN', ...SCRAM_MECHANISMS].join(','),
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    [`${prefix}.plain.sasl.jaas.config`]: `${plain};`,
    ...scram,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${checked(auth.admin.username)};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** `kafka-storage format` arguments that add every user's SCRAM credentials to the new cluster. */
export function scramFormatArgs(auth: BrokerAuth): string[] {
  return [auth.admin, ...auth.users].flatMap((user) =>
    SCRAM_MECHANISMS.flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${checked(user.username)},password=${checked(user.password)}]`,
    ]),
  );
}

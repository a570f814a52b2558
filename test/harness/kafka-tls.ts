/**
 * Certificates for TLS tests, made fresh with openssl: the broker's CA and
 * certificate, a gateway client certificate whose key is encrypted, an admin
 * certificate, and a second CA the broker knows nothing of.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { type BrokerTls, createCa, type Identity, issue, issueBroker } from '../../scripts/kafka/tls.ts';

export interface TestPki {
  /** For KafkaBroker.start({ tls }). */
  broker: BrokerTls;
  /** CN=gateway,O=Test: the principal User:CN=gateway,O=Test; its key is encrypted with `passphrase`. */
  gateway: Identity;
  passphrase: string;
  /** CN=admin,O=Test: a super user on a broker with the authorizer. */
  admin: Identity;
  /** A CA that signed nothing the broker uses. */
  otherCa: string;
  /** A client certificate the broker's CA never signed. */
  stranger: Identity;
}

export function testPki(
  dir: string,
  clientAuth: BrokerTls['clientAuth'],
  options: { authorizer?: boolean } = {},
): TestPki {
  const ca = createCa(dir, 'ca');
  const other = createCa(join(dir, 'other'), 'other-ca');
  const passphrase = 'correct horse battery staple';
  const admin = issue(ca, dir, 'admin', { subject: '/O=Test/CN=admin' });
  return {
    broker: { broker: issueBroker(ca, dir), clientAuth, probe: admin, ...options },
    gateway: issue(ca, dir, 'gateway', { subject: '/O=Test/CN=gateway', passphrase }),
    passphrase,
    admin,
    otherCa: other.certFile,
    stranger: issue(other, join(dir, 'other'), 'stranger', { subject: '/O=Elsewhere/CN=stranger' }),
  };
}

/** Options for a test's own kafkajs client: trust the identity's CA, present its certificate. */
export function clientTls(identity: Identity): ConnectionOptions {
  return {
    ca: readFileSync(identity.caFile),
    cert: readFileSync(identity.certFile),
    key: readFileSync(identity.keyFile),
  };
}

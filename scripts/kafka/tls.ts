/**
 * TLS for the local broker: a throw-away PKI made with the openssl CLI (a CA,
 * the broker's certificate for 127.0.0.1 and localhost, client certificates)
 * and the server.properties lines of an SSL listener with PEM key and trust
 * stores. Test material only: keys sit unencrypted in the directory unless a
 * passphrase is asked for.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and its key as PEM files, and the CA that signed it. */
export interface Identity {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface CertificateAuthority {
  certFile: string;
  keyFile: string;
}

export interface BrokerTls {
  /** The broker's certificate (server and client use: it also talks to itself) and key. */
  broker: Identity;
  /** `required`: clients must present a certificate signed by the broker's CA (mutual TLS). */
  clientAuth: 'required' | 'none';
  /** What the broker's start-up probe presents; with clientAuth required it needs a certificate. */
  probe: Identity;
  /**
   * The ACL authorizer with certificate principals (User:CN=…): the broker
   * and the probe's certificate are super users, every other client gets
   * only what an ACL grants. Only without SASL, which brings its own.
   */
  authorizer?: boolean;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (EC P-256: quick to make, and Java's PEM stores accept it). */
export function createCa(dir: string, name: string): CertificateAuthority {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile], dir);
  openssl(
    ['req', '-x509', '-new', '-key', keyFile, '-subj', `/O=Test/CN=${name}`, '-days', '2', '-out', certFile],
    dir,
  );
  return { certFile, keyFile };
}

export interface IssueOptions {
  /** Subject in openssl's /K=V/... form, e.g. /O=Plant/CN=gateway. */
  subject: string;
  /** subjectAltName entries, e.g. ['IP:127.0.0.1', 'DNS:localhost']. */
  altNames?: readonly string[];
  /** Encrypts the key (PKCS#8, AES-256) with this passphrase. */
  passphrase?: string;
}

/** A certificate signed by `ca`, for server and client use, with a PKCS#8 key. */
export function issue(ca: CertificateAuthority, dir: string, name: string, options: IssueOptions): Identity {
  mkdirSync(dir, { recursive: true });
  const plainKey = join(dir, `${name}.plain.key`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', plainKey], dir);
  openssl(['req', '-new', '-key', plainKey, '-subj', options.subject, '-out', csr], dir);
  const extensions = ['extendedKeyUsage=serverAuth,clientAuth'];
  if (options.altNames?.length) extensions.push(`subjectAltName=${options.altNames.join(',')}`);
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      extFile,
      '-out',
      certFile,
    ],
    dir,
  );
  if (options.passphrase === undefined) {
    writeFileSync(keyFile, readFileSync(plainKey));
  } else {
    openssl(
      [
        'pkcs8',
        '-topk8',
        '-in',
        plainKey,
        '-v2',
        'aes-256-cbc',
        '-passout',
        `pass:${options.passphrase}`,
        '-out',
        keyFile,
      ],
      dir,
    );
  }
  return { certFile, keyFile, caFile: ca.certFile };
}

/** The broker's identity: valid for 127.0.0.1 and localhost, which is where clients reach it. */
export function issueBroker(ca: CertificateAuthority, dir: string): Identity {
  return issue(ca, dir, 'broker', {
    subject: '/O=Test/CN=kafka-broker',
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
  });
}

/**
 * A broker with a TLS listener, made in `dir`: the CA, the broker's
 * certificate and an admin client certificate the start-up probe presents.
 */
export function brokerTls(dir: string, clientAuth: BrokerTls['clientAuth'] = 'none'): BrokerTls {
  const ca = createCa(dir, 'ca');
  return {
    broker: issueBroker(ca, dir),
    clientAuth,
    probe: issue(ca, dir, 'admin', { subject: '/O=Test/CN=admin' }),
  };
}

/** Kafka's PEM key store (KIP-651): one file with the PKCS#8 key followed by the certificate chain. */
export function writeKeyStore(tls: BrokerTls, keyStoreFile: string): void {
  writeFileSync(
    keyStoreFile,
    `${readFileSync(tls.broker.keyFile, 'utf8')}${readFileSync(tls.broker.certFile, 'utf8')}`,
    { mode: 0o600 },
  );
}

/** Kafka's principal for a certificate: User: and its subject in RFC 2253 order, most specific first. */
export function certificatePrincipal(certFile: string): string {
  const subject = new X509Certificate(readFileSync(certFile)).subject;
  return `User:${subject.split('\n').filter(Boolean).reverse().join(',')}`;
}

/**
 * The server.properties lines of an SSL (or SASL_SSL) client listener with PEM
 * key and trust stores. Kafka ignores a bare `ssl.client.auth` on SASL_SSL
 * listeners (KIP-684), so it is set for the listener by name.
 */
export function tlsSettings(
  tls: BrokerTls,
  keyStoreFile: string,
  listenerName: string,
): Record<string, string> {
  return {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keyStoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tls.broker.caFile,
    [`listener.name.${listenerName.toLowerCase()}.ssl.client.auth`]: tls.clientAuth,
    ...(tls.authorizer
      ? {
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          // ANONYMOUS: the broker reaches its controller over the plaintext controller listener.
          'super.users': [
            certificatePrincipal(tls.broker.certFile),
            certificatePrincipal(tls.probe.certFile),
            'User:ANONYMOUS',
          ].join(';'),
          'allow.everyone.if.no.acl.found': 'false',
        }
      : {}),
  };
}

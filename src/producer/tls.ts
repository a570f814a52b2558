/**
 * The TLS settings of the broker connection, read from their files once at
 * start: a missing file or a key the passphrase does not open stops the start
 * with a clear error instead of failing every handshake later. The passphrase
 * goes to the TLS stack only; nothing here logs it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KafkaTls } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { readSecret, readSecretFile } from '../system/secret.ts';

/** What node's TLS stack needs (tls.connect options), plus the principal the broker derives from the certificate. */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  servername?: string;
  /** The client certificate's subject as Kafka names it (RFC 2253), e.g. CN=gateway,O=Plant: the principal is User:<it>. */
  certificateSubject?: string;
}

export function readTlsSettings(
  tls: KafkaTls,
  env: Readonly<Record<string, string | undefined>>,
): TlsSettings {
  const file = (path: string | undefined) =>
    path === undefined ? undefined : readSecretFile(path, 'PRODUCER_TLS_FILE');
  const ca = file(tls.ca_file);
  const cert = file(tls.cert_file);
  const key = file(tls.key_file);
  const passphrase =
    tls.key_passphrase === undefined ? undefined : readSecret(tls.key_passphrase, env, 'PRODUCER_SECRET');
  if (key !== undefined) checkKeyOpens(key, passphrase, tls.key_file as string);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert, certificateSubject: certificateSubject(cert, tls.cert_file) }),
    ...(key === undefined ? {} : { key }),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(tls.server_name === undefined ? {} : { servername: tls.server_name }),
  };
}

function checkKeyOpens(key: string, passphrase: string | undefined, path: string): void {
  try {
    createPrivateKey(passphrase === undefined ? key : { key, passphrase });
  } catch (error) {
    // OpenSSL's reason ("bad decrypt", "unsupported") is about the file, never the passphrase's value.
    const why =
      passphrase === undefined
        ? 'needs key_passphrase or is not a PEM key'
        : 'key_passphrase does not open it';
    throw new GatewayError('PRODUCER_TLS_FILE', `tls.key_file ${path}: ${why}`, { cause: error });
  }
}

/**
 * Kafka's default principal for a client certificate is User: and the subject
 * in RFC 2253 order (most specific first), as Java's X500Principal.getName()
 * writes it; the ACLs in error messages then match what the broker checks.
 */
export function certificateSubject(pem: string, path = 'cert_file'): string {
  let subject: string;
  try {
    subject = new X509Certificate(pem).subject;
  } catch (error) {
    throw new GatewayError('PRODUCER_TLS_FILE', `tls.cert_file ${path}: not a PEM certificate`, {
      cause: error,
    });
  }
  return subjectRfc2253(subject);
}

/**
 * Node lists the subject's attributes one per line, least specific first, with
 * values already escaped the RFC 2253 way; RFC 2253 reverses and comma-joins them.
 */
export function subjectRfc2253(subject: string): string {
  return subject.split('\n').filter(Boolean).reverse().join(',');
}

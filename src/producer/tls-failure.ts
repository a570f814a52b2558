/**
 * A failed TLS handshake, said the way the operator can act on it: which side
 * refused, and which setting of gateway.kafka.tls to look at. Node's error
 * codes (OpenSSL's verify results and alerts) tell the cases apart.
 */
import { GatewayError } from '../system/errors.ts';
import { findInChain } from './error-chain.ts';

const UNTRUSTED_BROKER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** What went wrong in words, or undefined when the code is no TLS failure. */
export function explainTlsCode(code: string, message = ''): string | undefined {
  if (UNTRUSTED_BROKER.has(code)) {
    return `the broker's certificate is not signed by a CA the gateway trusts (${code}): set tls.ca_file to the CA that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the broker's certificate is not made out to the host the gateway connected to (${code}): use a name from the certificate in brokers, or set tls.server_name`;
  }
  if (EXPIRED.has(code))
    return `the broker's certificate is expired or not yet valid (${code}); check the clocks, then the certificate`;
  if (/^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/.test(code)) {
    return `the broker refused the gateway's client certificate or wanted one (${code}): give tls.cert_file and tls.key_file signed by a CA in the broker's truststore`;
  }
  const notTls =
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    (code === 'EPROTO' && /wrong version number/i.test(message)) ||
    /before secure TLS connection was established/.test(message);
  if (notTls) {
    return `the broker's port does not speak TLS or closed the handshake (${code}): point brokers at its SSL or SASL_SSL listener, or remove gateway.kafka.tls`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS failed (${code})`;
  return undefined;
}

/** PRODUCER_TLS for a TLS failure anywhere in kafkajs's chain of errors; undefined for anything else. */
export function tlsFailure(error: unknown, brokers: string): GatewayError | undefined {
  let explained: string | undefined;
  findInChain(error, (link) => {
    if (typeof link.code !== 'string') return false;
    explained = explainTlsCode(link.code, link.message);
    return explained !== undefined;
  });
  return explained === undefined
    ? undefined
    : new GatewayError('PRODUCER_TLS', `${brokers}: ${explained}`, { cause: error });
}

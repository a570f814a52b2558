import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainTlsCode, tlsFailure } from '../../src/producer/tls-failure.ts';

test('an untrusted broker certificate points at tls.ca_file', () => {
  for (const code of [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  ]) {
    assert.match(explainTlsCode(code) ?? '', /not signed by a CA the gateway trusts .*tls\.ca_file/, code);
  }
});

test('a name mismatch points at brokers and tls.server_name; an expired certificate at the clocks', () => {
  assert.match(explainTlsCode('ERR_TLS_CERT_ALTNAME_INVALID') ?? '', /tls\.server_name/);
  assert.match(explainTlsCode('CERT_HAS_EXPIRED') ?? '', /expired or not yet valid/);
  assert.match(explainTlsCode('CERT_NOT_YET_VALID') ?? '', /check the clocks/);
});

test("the broker's alerts about the client certificate point at cert_file and key_file", () => {
  for (const code of [
    'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  ]) {
    assert.match(explainTlsCode(code) ?? '', /client certificate .*tls\.cert_file and tls\.key_file/, code);
  }
});

test('a port that does not speak TLS says so; other SSL codes are still TLS; anything else is not', () => {
  assert.match(explainTlsCode('ERR_SSL_WRONG_VERSION_NUMBER') ?? '', /does not speak TLS/);
  assert.match(explainTlsCode('EPROTO', 'ssl3_get_record:wrong version number') ?? '', /does not speak TLS/);
  assert.match(
    explainTlsCode(
      'ECONNRESET',
      'Client network socket disconnected before secure TLS connection was established',
    ) ?? '',
    /does not speak TLS or closed the handshake/,
  );
  assert.match(explainTlsCode('ERR_SSL_DECRYPTION_FAILED') ?? '', /TLS failed \(ERR_SSL_DECRYPTION_FAILED\)/);
  assert.equal(explainTlsCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9092'), undefined);
  assert.equal(explainTlsCode('ETIMEDOUT'), undefined);
});

test('tlsFailure finds the socket error inside kafkajs wrappers and names the brokers', () => {
  const socket = {
    name: 'KafkaJSConnectionError',
    message: 'Connection error: x',
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  };
  const wrapped = { name: 'KafkaJSNumberOfRetriesExceeded', message: 'Connection error: x', cause: socket };
  const error = tlsFailure({ name: 'KafkaJSNonRetriableError', originalError: wrapped }, 'k1:9093,k2:9093');
  assert.equal(error?.code, 'PRODUCER_TLS');
  assert.match(error?.message ?? '', /k1:9093,k2:9093: the broker's certificate is not signed/);
  assert.equal(tlsFailure(new Error('Connection timeout'), 'k:1'), undefined);
});

/** Reading the TLS settings at start: files, the key's passphrase, and the principal of the certificate. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCa, issue } from '../../scripts/kafka/tls.ts';
import { certificateSubject, readTlsSettings, subjectRfc2253 } from '../../src/producer/tls.ts';
import { GatewayError } from '../../src/system/errors.ts';
import { tempDir } from '../harness/fixtures.ts';

let temp: ReturnType<typeof tempDir>;
let ca: { certFile: string; keyFile: string };
let encrypted: { certFile: string; keyFile: string };
let plain: { certFile: string; keyFile: string };
const passphrase = 'p4ss phrase';

before(() => {
  temp = tempDir();
  ca = createCa(temp.dir, 'ca');
  encrypted = issue(ca, temp.dir, 'gw', { subject: '/C=DE/O=Plant\\, Inc/CN=gateway-1', passphrase });
  plain = issue(ca, temp.dir, 'plain', { subject: '/O=Test/CN=plain' });
});
after(() => temp.remove());

function isCode(code: string, pattern: RegExp) {
  return (error: unknown) =>
    error instanceof GatewayError && error.code === code && pattern.test(error.message);
}

test('files are read, the passphrase comes from its variable, and the principal is the subject in RFC 2253 order', () => {
  const settings = readTlsSettings(
    {
      ca_file: ca.certFile,
      cert_file: encrypted.certFile,
      key_file: encrypted.keyFile,
      key_passphrase: { env: 'KEY_PASS' },
      server_name: 'kafka.plant',
    },
    { KEY_PASS: passphrase },
  );
  assert.equal(settings.ca, readFileSync(ca.certFile, 'utf8'));
  assert.equal(settings.key, readFileSync(encrypted.keyFile, 'utf8'));
  assert.equal(settings.passphrase, passphrase);
  assert.equal(settings.servername, 'kafka.plant');
  assert.equal(settings.certificateSubject, 'CN=gateway-1,O=Plant\\, Inc,C=DE');
});

test('a passphrase from a file loses its trailing newline; tls: {} is the system CAs', () => {
  const file = join(temp.dir, 'pass');
  writeFileSync(file, `${passphrase}\n`);
  const settings = readTlsSettings(
    { cert_file: encrypted.certFile, key_file: encrypted.keyFile, key_passphrase: { file } },
    {},
  );
  assert.equal(settings.passphrase, passphrase);
  assert.deepEqual(readTlsSettings({}, {}), {});
});

test('a wrong or missing passphrase stops the start with PRODUCER_TLS_FILE, never showing the passphrase', () => {
  assert.throws(
    () =>
      readTlsSettings(
        { cert_file: encrypted.certFile, key_file: encrypted.keyFile, key_passphrase: { env: 'P' } },
        { P: 'wrong-guess' },
      ),
    (error: unknown) =>
      isCode('PRODUCER_TLS_FILE', /key_passphrase does not open it/)(error) &&
      !(error as Error).message.includes('wrong-guess'),
  );
  assert.throws(
    () => readTlsSettings({ cert_file: encrypted.certFile, key_file: encrypted.keyFile }, {}),
    isCode('PRODUCER_TLS_FILE', /needs key_passphrase/),
  );
  assert.throws(
    () =>
      readTlsSettings(
        { cert_file: encrypted.certFile, key_file: encrypted.keyFile, key_passphrase: { env: 'UNSET' } },
        {},
      ),
    isCode('PRODUCER_SECRET', /UNSET is not set/),
  );
});

test('a missing file or one that is no certificate is PRODUCER_TLS_FILE naming the key', () => {
  assert.throws(
    () => readTlsSettings({ ca_file: '/nonexistent/ca.pem' }, {}),
    isCode('PRODUCER_TLS_FILE', /\/nonexistent\/ca\.pem: ENOENT/),
  );
  assert.throws(
    () => readTlsSettings({ cert_file: plain.keyFile, key_file: plain.keyFile }, {}),
    isCode('PRODUCER_TLS_FILE', /tls\.cert_file .*not a PEM certificate/),
  );
});

test('the subject is reversed into RFC 2253 order, escapes kept', () => {
  assert.equal(subjectRfc2253('C=DE\nO=Plant\\, Inc\nOU=OT\nCN=gw'), 'CN=gw,OU=OT,O=Plant\\, Inc,C=DE');
  assert.equal(certificateSubject(readFileSync(plain.certFile, 'utf8')), 'CN=plain,O=Test');
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSaslCredentials } from '../../src/producer/sasl.ts';
import { GatewayError } from '../../src/system/errors.ts';
import { tempDir } from '../harness/fixtures.ts';

test('the password comes from its file without the trailing newline, or from its variable', () => {
  const temp = tempDir();
  try {
    const file = join(temp.dir, 'kafka.password');
    writeFileSync(file, 's3cret\n');
    const fromFile = readSaslCredentials({ mechanism: 'plain', username: 'gw', password: { file } }, {});
    assert.deepEqual(fromFile, { mechanism: 'plain', username: 'gw', password: 's3cret' });
    const fromEnv = readSaslCredentials(
      { mechanism: 'scram-sha-512', username: 'gw', password: { env: 'KAFKA_PASSWORD' } },
      { KAFKA_PASSWORD: 'other' },
    );
    assert.equal(fromEnv.password, 'other');
  } finally {
    temp.remove();
  }
});

test('a missing password source is PRODUCER_SECRET naming the source', () => {
  assert.throws(
    () => readSaslCredentials({ mechanism: 'plain', username: 'gw', password: { env: 'NOPE' } }, {}),
    (error: unknown) =>
      error instanceof GatewayError &&
      error.code === 'PRODUCER_SECRET' &&
      /NOPE is not set/.test(error.message),
  );
  assert.throws(
    () =>
      readSaslCredentials({ mechanism: 'plain', username: 'gw', password: { file: '/nonexistent/pw' } }, {}),
    (error: unknown) =>
      error instanceof GatewayError &&
      error.code === 'PRODUCER_SECRET' &&
      /\/nonexistent\/pw: ENOENT/.test(error.message),
  );
});

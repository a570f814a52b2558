import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSecret, readSecretFile } from '../../src/system/secret.ts';
import { tempDir } from '../harness/fixtures.ts';

test('a secret comes from a variable or a file, without the file trailing newline', () => {
  const temp = tempDir();
  try {
    const file = join(temp.dir, 'password');
    writeFileSync(file, 's3cret\n');
    assert.equal(readSecret({ file }, {}, 'MQTT_SECRET'), 's3cret');
    assert.equal(readSecret({ env: 'PW' }, { PW: 'from-env' }, 'MQTT_SECRET'), 'from-env');
    assert.equal(readSecretFile(file, 'OPCUA_CREDENTIALS'), 's3cret\n', 'certificates and keys stay whole');
  } finally {
    temp.remove();
  }
});

test('a missing secret is an error under the code of the stage that needs it, naming the source', () => {
  assert.throws(
    () => readSecret({ env: 'NOT_SET' }, {}, 'PRODUCER_SECRET'),
    (error: Error & { code?: string }) =>
      error.code === 'PRODUCER_SECRET' && /NOT_SET is not set/.test(error.message),
  );
  assert.throws(
    () => readSecret({ env: 'EMPTY' }, { EMPTY: '' }, 'MQTT_SECRET'),
    (error: Error & { code?: string }) => error.code === 'MQTT_SECRET',
  );
  assert.throws(
    () => readSecret({ file: '/nonexistent/secret' }, {}, 'OPCUA_CREDENTIALS'),
    (error: Error & { code?: string }) =>
      error.code === 'OPCUA_CREDENTIALS' && /\/nonexistent\/secret: ENOENT/.test(error.message),
  );
});

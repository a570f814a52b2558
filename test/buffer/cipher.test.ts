import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPayloadCipher, isSealed, NO_CIPHER } from '../../src/buffer/cipher.ts';
import { readKeyFile } from '../../src/buffer/key-file.ts';
import { tempDir } from '../harness/fixtures.ts';

const key = randomBytes(32);
const isKeyError = (error: Error & { code?: string }) => error.code === 'BUFFER_KEY';

test('a sealed payload opens to the same text under the same seq', () => {
  const cipher = createPayloadCipher(key);
  const sealed = cipher.seal(42, '{"value":"ümlaut ✓"}');
  assert.ok(isSealed(sealed));
  assert.ok(!sealed.includes('value'), 'no plaintext at rest');
  assert.equal(cipher.open(42, sealed), '{"value":"ümlaut ✓"}');
  assert.notEqual(cipher.seal(42, 'same'), cipher.seal(42, 'same'), 'a fresh nonce every time');
});

test('another seq, another key or a changed byte does not open', () => {
  const cipher = createPayloadCipher(key);
  const sealed = cipher.seal(7, 'payload');
  assert.throws(() => cipher.open(8, sealed), isKeyError);
  assert.throws(() => createPayloadCipher(randomBytes(32)).open(7, sealed), isKeyError);
  const tampered = `${sealed.slice(0, -4)}${sealed.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  assert.throws(() => cipher.open(7, tampered), isKeyError);
});

test('plaintext written before encryption was turned on still reads; without a key a sealed payload is an error', () => {
  assert.equal(createPayloadCipher(key).open(1, '{"plain":true}'), '{"plain":true}');
  assert.equal(NO_CIPHER.open(1, '{"plain":true}'), '{"plain":true}');
  assert.throws(() => NO_CIPHER.open(1, createPayloadCipher(key).seal(1, 'x')), isKeyError);
  assert.throws(() => createPayloadCipher(randomBytes(16)), isKeyError);
});

test('key files: 32 raw bytes, 64 hex digits or base64, each with a trailing newline or not', () => {
  const temp = tempDir();
  try {
    const write = (name: string, content: string | Buffer) => {
      const file = join(temp.dir, name);
      writeFileSync(file, content);
      return file;
    };
    assert.deepEqual(readKeyFile(write('raw', key)), key);
    assert.deepEqual(readKeyFile(write('hex', `${key.toString('hex')}\n`)), key);
    assert.deepEqual(readKeyFile(write('b64', key.toString('base64'))), key);
    assert.throws(
      () => readKeyFile(write('short', 'abc')),
      (error: Error & { code?: string }) => isKeyError(error) && /expected 32 raw bytes/.test(error.message),
    );
    assert.throws(
      () => readKeyFile(join(temp.dir, 'missing')),
      (error: Error & { code?: string }) =>
        isKeyError(error) && /cannot read the key file/.test(error.message),
    );
  } finally {
    temp.remove();
  }
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createPayloadCipher } from '../../src/buffer/cipher.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';

describe('encrypted buffer', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;
  const key = randomBytes(32);
  const open = (cipher = createPayloadCipher(key)) => new Outbox({ path, shapeOf: recordShape, cipher });
  const isKeyError = (error: Error & { code?: string }) => error.code === 'BUFFER_KEY';

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'buffer.db');
  });
  afterEach(() => temp.remove());

  test('payloads are sealed on disk and come out as the JSON that was committed', () => {
    const outbox = open();
    const [event] = outbox.commit([], [draft({ message: 'secret burner trip' })]);
    const [stored] = outbox.peek(10, 1e9);
    assert.deepEqual(JSON.parse(stored?.payload ?? '{}'), event);
    assert.equal(stored?.bytes, Buffer.byteLength(stored?.payload ?? ''), 'batch bounds count what is sent');
    outbox.close();
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT payload FROM outbox').get() as { payload: string };
    raw.close();
    assert.ok(!row.payload.includes('secret burner trip'), 'nothing readable at rest');
  });

  test('a wrong key or no key is refused at open, and the buffer is left as it was', () => {
    open().close();
    assert.throws(
      () => open(createPayloadCipher(randomBytes(32))),
      (error: Error & { code?: string }) =>
        isKeyError(error) && /written with another key/.test(error.message),
    );
    assert.throws(
      () => new Outbox({ path, shapeOf: recordShape }),
      (error: Error & { code?: string }) =>
        isKeyError(error) && /is encrypted and no key is configured/.test(error.message),
    );
    const again = open();
    assert.equal(again.recovery, undefined);
    again.close();
  });

  test('turning encryption on keeps the plaintext events already waiting', () => {
    const plain = new Outbox({ path, shapeOf: recordShape });
    plain.commit([], [draft({ message: 'before' })]);
    plain.close();
    const sealed = open();
    sealed.commit([], [draft({ message: 'after' })]);
    assert.deepEqual(
      sealed.peek(10, 1e9).map((event) => (JSON.parse(event.payload) as { message: string }).message),
      ['before', 'after'],
    );
    sealed.close();
  });

  test('dead letters are sealed too and read back with the key', () => {
    const outbox = open();
    outbox.commit([], [draft({ message: 'too big' })]);
    const [event] = outbox.peek(1, 1e9);
    assert.ok(event);
    outbox.deadLetter(event, 'MESSAGE_TOO_LARGE');
    assert.equal(
      (JSON.parse(outbox.deadLetters()[0]?.payload ?? '{}') as { message: string }).message,
      'too big',
    );
    outbox.close();
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordsRejectedError } from '../../src/producer/broker-errors.ts';
import { decodeEvent } from '../../src/producer/protobuf-event.ts';
import { createValueEncoder } from '../../src/producer/value-encoder.ts';
import { draft } from '../harness/fixtures.ts';

test('JSON goes out as the buffer holds it; Protobuf is encoded from the event; the content type says which', async () => {
  const event = { ...draft(), seq: 3 };
  const payload = JSON.stringify(event);
  assert.deepEqual(await createValueEncoder('json')(payload, event, 't'), {
    value: payload,
    contentType: 'application/json',
  });
  const encoded = await createValueEncoder('protobuf')(payload, event, 't');
  assert.equal(encoded.contentType, 'application/x-protobuf');
  assert.deepEqual(decodeEvent(encoded.value as Buffer), event);
});

test('an event Protobuf cannot express is refused for good, so it is dead-lettered instead of blocking the rest', async () => {
  const broken = { ...draft(), seq: 4, state: 'active' };
  await assert.rejects(
    createValueEncoder('protobuf')(JSON.stringify(broken), broken, 't'),
    (error: unknown) =>
      error instanceof RecordsRejectedError &&
      error.reason === 'invalid' &&
      /state: object expected/.test(error.message),
  );
});

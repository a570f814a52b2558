import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEvent, encodeEvent } from '../../src/producer/protobuf-event.ts';
import { registryFramed, valueSubject } from '../../src/producer/schema-registry.ts';
import { draft } from '../harness/fixtures.ts';

test('the registry wire format: magic byte 0, big-endian schema id, message index [0], then the message', () => {
  const event = { ...draft(), seq: 7 };
  const message = encodeEvent(event);
  const framed = registryFramed(0x01020304, message);
  assert.deepEqual([...framed.subarray(0, 6)], [0, 1, 2, 3, 4, 0]);
  assert.deepEqual(decodeEvent(framed.subarray(6)), event);
  assert.equal(registryFramed(65_537, message).readUInt32BE(1), 65_537);
});

test("subjects follow the registry's default topic name strategy", () => {
  assert.equal(valueSubject('iiot.alarms.v1'), 'iiot.alarms.v1-value');
});

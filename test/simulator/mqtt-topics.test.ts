import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseText } from '../../src/adapters/mqtt/decoded.ts';
import { decodeJsonPoint, parseJsonPayload } from '../../src/adapters/mqtt/json-payload.ts';
import type { MqttDevice, MqttJsonPoint, MqttPlainPoint } from '../../src/config/schema.ts';
import { concreteTopic, payloadOf } from '../../src/simulator/mqtt-topics.ts';

const device: MqttDevice = {
  id: 'd',
  protocol: 'mqtt',
  url: 'mqtt://127.0.0.1',
  area: 'utilities',
  line: 'water',
  asset: 'tank-1',
  points: [{ id: 'x', format: 'plain', topic: 'x' }],
};

test('named levels take the device place or their own name; # becomes one level', () => {
  const point: MqttPlainPoint = {
    id: '{line}.{asset}.{sensor}',
    format: 'plain',
    topic: 'p/+line/+asset/+sensor/+/#',
  };
  assert.deepEqual(concreteTopic(device, point), {
    topic: 'p/water/tank-1/sensor/any/value',
    pointId: 'water.tank-1.sensor',
  });
});

test('payloads decode with the adapter to the value they were made from', () => {
  const json: MqttJsonPoint = {
    id: 'l',
    format: 'json',
    topic: 't',
    value_path: 'data.readings.level',
    timestamp_path: 'meta.ts',
    quality_path: 'q',
  };
  const parsed = parseJsonPayload(payloadOf(json, 4.25, 1234));
  assert.ok(parsed.ok);
  assert.deepEqual(decodeJsonPoint(parsed.document, json), { ok: true, value: 4.25, sourceTime: 1234 });
  const plain: MqttPlainPoint = { id: 'r', format: 'plain', topic: 't', type: 'boolean' };
  assert.deepEqual(parseText(new TextDecoder().decode(payloadOf(plain, true, 0)), 'boolean'), {
    ok: true,
    value: true,
  });
});

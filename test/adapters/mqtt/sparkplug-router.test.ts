/** Sparkplug messages to readings, without a broker: metrics by name, malformations counted, death as bad quality. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedLog } from '../../../src/adapters/mqtt/malformed-log.ts';
import { DataType, encodeSparkplug } from '../../../src/adapters/mqtt/sparkplug-codec.ts';
import { SparkplugRouter } from '../../../src/adapters/mqtt/sparkplug-router.ts';
import type { MqttDevice } from '../../../src/config/schema.ts';
import { keptLog } from './fixtures.ts';

const device: MqttDevice = {
  id: 'filler',
  protocol: 'mqtt',
  url: 'mqtt://127.0.0.1',
  area: 'a',
  line: 'l',
  asset: 'f',
  sparkplug: { group_id: 'g', edge_node_id: 'n' },
  points: [
    { id: 'pressure', format: 'sparkplug', metric: 'P' },
    { id: 'jam', format: 'sparkplug', metric: 'J', type: 'boolean' },
  ],
};

function setup() {
  const log = new MalformedLog(keptLog().logger);
  return {
    log,
    router: new SparkplugRouter(device, device.sparkplug as NonNullable<MqttDevice['sparkplug']>, log),
  };
}

const birth = encodeSparkplug({
  seq: 0,
  metrics: [
    { name: 'bdSeq', datatype: DataType.Int64, value: 0 },
    { name: 'P', alias: 1, datatype: DataType.Double, value: 2 },
    { name: 'J', alias: 2, datatype: DataType.Boolean, value: false },
    { name: 'Label', alias: 3, datatype: DataType.String, value: 'x' },
  ],
});

test('birth and data become readings of the mapped points; other nodes and commands are ignored', () => {
  const { router } = setup();
  const born = router.route('spBv1.0/g/NBIRTH/n', birth, 7);
  assert.equal(born.born, true);
  assert.deepEqual(born.alive, { up: true, reason: 'edge node born (NBIRTH)' });
  assert.deepEqual(
    born.readings.map((r) => [r.pointId, r.value, r.quality]),
    [
      ['pressure', 2, 'good'],
      ['jam', false, 'good'],
    ],
  );
  const data = router.route(
    'spBv1.0/g/NDATA/n',
    encodeSparkplug({ seq: 1, metrics: [{ alias: 1, value: 3.5 }] }),
    8,
  );
  assert.deepEqual(
    data.readings.map((r) => [r.pointId, r.value]),
    [['pressure', 3.5]],
  );
  assert.deepEqual(router.route('spBv1.0/g/NDATA/other', birth, 9), { readings: [] });
  assert.deepEqual(router.route('spBv1.0/g/NCMD/n', birth, 9), { readings: [] });
});

test('undecodable protobuf: every point bad, counted, rebirth asked for', () => {
  const { router, log } = setup();
  const routed = router.route('spBv1.0/g/NDATA/n', new Uint8Array([0xff, 0xff]), 1);
  assert.deepEqual(
    routed.readings.map((r) => [r.pointId, r.quality]),
    [
      ['pressure', 'bad'],
      ['jam', 'bad'],
    ],
  );
  assert.equal(log.counters.bad_protobuf, 1);
  assert.match(routed.rebirth ?? '', /undecodable NDATA/);
});

test('a metric of the wrong type, data before birth and an unknown alias are counted', () => {
  const { router, log } = setup();
  router.route('spBv1.0/g/NDATA/n', encodeSparkplug({ seq: 4, metrics: [{ alias: 1, value: 1 }] }), 1);
  assert.equal(log.counters.before_birth, 1);
  router.route('spBv1.0/g/NBIRTH/n', birth, 2);
  const wrong = router.route(
    'spBv1.0/g/NDATA/n',
    encodeSparkplug({ seq: 1, metrics: [{ name: 'J', datatype: DataType.String, value: 'yes' }] }),
    3,
  );
  assert.equal(wrong.readings[0]?.quality, 'bad');
  assert.equal(log.counters.wrong_type, 1);
  router.route('spBv1.0/g/NDATA/n', encodeSparkplug({ seq: 2, metrics: [{ alias: 99, value: 1 }] }), 4);
  assert.equal(log.counters.unknown_alias, 1);
});

test('death makes every point bad and reports the loss', () => {
  const { router } = setup();
  router.route('spBv1.0/g/NBIRTH/n', birth, 1);
  const death = router.route(
    'spBv1.0/g/NDEATH/n',
    encodeSparkplug({ metrics: [{ name: 'bdSeq', value: 0 }] }),
    2,
  );
  assert.equal(death.alive?.up, false);
  assert.ok(
    death.readings.every((r) => r.quality === 'bad' && r.qualityReason === 'edge node died (NDEATH)'),
  );
  assert.equal(death.readings.length, 2);
});

test('a metric time outside the tolerance makes that reading bad (bad_timestamp); the others are read', () => {
  const log = new MalformedLog(keptLog().logger);
  const spec = { ...device, source_time_tolerance_ms: 60_000 };
  const router = new SparkplugRouter(spec, device.sparkplug as NonNullable<MqttDevice['sparkplug']>, log);
  const now = Date.UTC(2026, 0, 2);
  router.route('spBv1.0/g/NBIRTH/n', birth, now);
  const data = router.route(
    'spBv1.0/g/NDATA/n',
    encodeSparkplug({
      seq: 1,
      metrics: [
        { alias: 1, value: 3.5, timestamp: Number(2n ** 64n - 1n) },
        { alias: 2, value: true, timestamp: now - 1000 },
      ],
    }),
    now,
  );
  assert.deepEqual(
    data.readings.map((r) => [r.pointId, r.value, r.quality, r.sourceTime]),
    [
      ['pressure', null, 'bad', undefined],
      ['jam', true, 'good', now - 1000],
    ],
  );
  assert.match(
    data.readings[0]?.qualityReason ?? '',
    /^metric P: source time 18446744073709552000 is no time/,
  );
  const late = router.route(
    'spBv1.0/g/NDATA/n',
    encodeSparkplug({ seq: 2, metrics: [{ alias: 1, value: 4, timestamp: now - 120_000 }] }),
    now,
  );
  assert.match(late.readings[0]?.qualityReason ?? '', /2 min behind the gateway clock/);
  assert.equal(log.counters.bad_timestamp, 2);
});

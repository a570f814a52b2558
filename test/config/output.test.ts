/** Validation of gateway.kafka's output settings: routes, key, state topic, encoding, registry, compression. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems, yaml } from './helpers.ts';

/** A valid site whose gateway.kafka holds `kafka` (written from column 7, one key per line); kafka: is on line 5. */
function siteWithKafka(kafka: string): string {
  const indented = kafka
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `${yaml`
    site: demo
    description: output settings
    gateway:
      id: gw-1
      kafka:
  `}${indented}\n${yaml`
    devices:
      - id: plc-1
        protocol: modbus-tcp
        host: 10.0.0.1
        area: utilities
        line: steam
        asset: boiler-1
        points:
          - { id: p, register: holding, address: 0 }
  `}`;
}

test('routes, key strategies, state topic, encodings, registry and codecs that fit are valid', () => {
  const text = siteWithKafka(`
topic: iiot.alarms.v1
key: condition_id
routes:
  - { when: { priority: [critical] }, topic: iiot.alarms.critical.v1 }
  - { when: { kind: [system, comm], site: [demo], area: [utilities] }, topic: iiot.gateway.v1 }
state_topic: iiot.alarms.state.v1
encoding: protobuf
schema_registry: { url: "http://127.0.0.1:8081" }
compression: zstd
`);
  assert.deepEqual(problems(text), []);
  for (const key of ['asset', 'condition_id', 'line', 'site']) {
    assert.deepEqual(problems(siteWithKafka(`key: ${key}`)), [], key);
  }
  for (const codec of ['none', 'gzip', 'lz4', 'zstd', 'snappy']) {
    assert.deepEqual(problems(siteWithKafka(`compression: ${codec}`)), [], codec);
  }
});

test('unknown values name the key, its line and what is allowed', () => {
  assert.deepEqual(problems(siteWithKafka('key: device')), [
    'site.yaml:6:12 gateway.kafka.key: must be one of asset, condition_id, line, site',
  ]);
  assert.deepEqual(problems(siteWithKafka('compression: brotli')), [
    'site.yaml:6:20 gateway.kafka.compression: must be one of none, gzip, lz4, zstd, snappy',
  ]);
  assert.deepEqual(problems(siteWithKafka('encoding: avro')), [
    'site.yaml:6:17 gateway.kafka.encoding: must be one of json, protobuf',
  ]);
  const kind = problems(siteWithKafka('routes:\n  - { when: { kind: [limit, alarm] }, topic: t }'));
  assert.match(
    kind.join('\n'),
    /^site\.yaml:7:\d+ gateway\.kafka\.routes\[0\]\.when\.kind\[1\]: must be one of limit, discrete, bit, rate, deviation, stale, comm, native, system$/m,
  );
  const topic = problems(siteWithKafka('state_topic: "alarms/state"'));
  assert.match(topic.join('\n'), /site\.yaml:6:\d+ gateway\.kafka\.state_topic: must be a Kafka topic name/);
});

test('a route must match something, and something this file can produce', () => {
  assert.deepEqual(problems(siteWithKafka('routes:\n  - { when: {}, topic: t }')), [
    'site.yaml:7:19 gateway.kafka.routes[0].when: needs at least one of priority, kind, site, area: a route that matches everything would hide the default topic',
  ]);
  assert.deepEqual(problems(siteWithKafka('routes:\n  - when: { site: [elsewhere] }\n    topic: t')), [
    `site.yaml:7:26 gateway.kafka.routes[0].when.site[0]: never matches: this file's site is "demo"`,
  ]);
  assert.deepEqual(
    problems(siteWithKafka('routes:\n  - when: { area: [utilities, packing] }\n    topic: t')),
    [
      'site.yaml:7:37 gateway.kafka.routes[0].when.area[1]: never matches: no device is in area "packing" (areas: utilities)',
    ],
  );
});

test('the state topic is a topic of its own, and a registry needs protobuf', () => {
  assert.deepEqual(problems(siteWithKafka('topic: alarms\nstate_topic: alarms')), [
    'site.yaml:7:20 gateway.kafka.state_topic: the state topic is compacted and must not carry events too (also used at line 6)',
  ]);
  const routed = problems(
    siteWithKafka('routes:\n  - { when: { kind: [native] }, topic: s }\nstate_topic: s'),
  );
  assert.match(
    routed.join('\n'),
    /gateway\.kafka\.state_topic: the state topic is compacted .*\(also used at line 7\)/,
  );
  assert.match(
    problems(siteWithKafka('state_topic: iiot.alarms.v1')).join('\n'),
    /gateway\.kafka\.state_topic: the state topic is compacted/,
  );
  assert.deepEqual(problems(siteWithKafka('schema_registry: { url: "http://127.0.0.1:8081" }')), [
    'site.yaml:6:7 gateway.kafka.schema_registry: a schema registry is used for protobuf records only: set encoding: protobuf, or remove schema_registry',
  ]);
  assert.match(
    problems(siteWithKafka('encoding: protobuf\nschema_registry: { url: "127.0.0.1:8081" }')).join('\n'),
    /gateway\.kafka\.schema_registry\.url: must be an http:\/\/ or https:\/\/ URL/,
  );
});

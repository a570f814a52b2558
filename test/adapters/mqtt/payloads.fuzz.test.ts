/**
 * Property-based fuzzing of what an MQTT publisher controls: JSON and plain
 * payloads (random JSON, extreme numbers and their text forms, NaN and
 * Infinity, deep nesting, huge strings, timestamps of every magnitude) and
 * Sparkplug B payloads (random bytes, mutated valid payloads, hand-built
 * protobuf with any 64-bit field, NaN floats). Whatever comes in, decoding
 * and routing yield readings or precise malformations and never throw, every
 * reading keeps the reading contract, and building events from them never
 * throws and always gives RFC 3339 times. Pure: no broker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MALFORMED_KINDS } from '../../../src/adapters/mqtt/decoded.ts';
import { MalformedLog } from '../../../src/adapters/mqtt/malformed-log.ts';
import { DataType, decodeSparkplug, encodeSparkplug } from '../../../src/adapters/mqtt/sparkplug-codec.ts';
import { SparkplugRouter } from '../../../src/adapters/mqtt/sparkplug-router.ts';
import { TopicRouter } from '../../../src/adapters/mqtt/topic-router.ts';
import { isRepresentableTime, type Reading } from '../../../src/adapters/reading.ts';
import type { AlarmDefinition } from '../../../src/alarms/definition.ts';
import { evaluate } from '../../../src/alarms/engine.ts';
import type { AlarmEventDraft } from '../../../src/alarms/event.ts';
import { initialState } from '../../../src/alarms/state.ts';
import { DEFAULTS } from '../../../src/config/defaults.ts';
import type { MqttDevice } from '../../../src/config/schema.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { discreteDef, limitDef, ruleDef } from '../../alarms/fixtures.ts';
import { fuzzBudget, fuzzTimeoutMs } from '../../harness/fuzz.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const TOLERANCE_MS = DEFAULTS.sourceTimeToleranceMs;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const silentLog = () => new MalformedLog(createLogger('silent'));

// ---- times and numbers of every magnitude -------------------------------------------------------

const UINT64_MAX = 2n ** 64n - 1n;

/** Epoch values as devices get them wrong: s, ms, µs, ns, negative, beyond a Date, NaN, Infinity. */
const anyTime: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    NOW,
    NOW / 1000,
    NOW * 1000,
    NOW * 1e6,
    1e16,
    1.7e18,
    Number(UINT64_MAX),
    8.64e15,
    8.64e15 + 1,
    -8.64e15,
    253_402_300_799_999,
    253_402_300_800_000,
    NOW + TOLERANCE_MS,
    NOW + TOLERANCE_MS + 1,
    NOW - TOLERANCE_MS - 1,
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
  fc.integer({ min: -30, max: 30 }).map((exponent) => 10 ** exponent),
  fc.integer({ min: -(10 * TOLERANCE_MS), max: 10 * TOLERANCE_MS }).map((offset) => NOW + offset),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map(Number),
  fc.double(),
);

/** A number as a publisher may write it in JSON or plain text, including forms JSON does not have. */
const numberText: fc.Arbitrary<string> = fc.oneof(
  anyTime.map(String),
  fc.double().map(String),
  fc.constantFrom(
    '1e16',
    '1.7e18',
    '1e309',
    '-1e309',
    '18446744073709551615',
    '9007199254740993',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '-0',
    '1_000',
    '.5',
    '5.',
    '',
  ),
);

const timeText: fc.Arbitrary<string> = fc.oneof(
  numberText,
  fc.constantFrom(
    '"2026-01-02T03:04:05Z"',
    '"2026-01-02T03:04:05.678+14:00"',
    '"9999-12-31T23:59:59.999Z"',
    '"0000-01-01T00:00:00Z"',
    '"+275760-09-13T00:00:00.000Z"',
    '"10000-01-01T00:00:00Z"',
    '"2026-13-45T99:99:99Z"',
    '"2026-01-02T"',
    'null',
    'true',
    '{}',
    '[]',
  ),
  anyTime.filter(Number.isFinite).map((ms) => {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? '"bad"' : JSON.stringify(date.toISOString());
  }),
);

// ---- JSON and plain payloads ----------------------------------------------------------------

const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      value: fc.oneof(numberText, fc.constantFrom('true', 'false', '"12.5"', 'null', '[1]', '{"v":1}')),
      ts: timeText,
      q: fc.constantFrom('"good"', '"Bad"', '"uncertain"', 'true', 'false', '"meh"', '1', 'null'),
      extra: fc.oneof(
        deepNesting,
        fc.integer({ min: 0, max: 200_000 }).map((n) => JSON.stringify('x'.repeat(n))),
      ),
    })
    .map(
      ({ value, ts, q, extra }) =>
        `{"value": ${value}, "ts": ${ts}, "q": ${q}, "a": {"b": [${value}]}, "x": ${extra}}`,
    ),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify({ value, ts: value, q: value, a: { b: [value] } })),
  deepNesting,
  fc.string({ maxLength: 200 }),
);

const payloadBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  jsonText.map((text) => new TextEncoder().encode(text)),
  numberText.map((text) => new TextEncoder().encode(text)),
  fc.uint8Array({ maxLength: 512 }),
);

const topicDevice: MqttDevice = {
  id: 'sensors',
  protocol: 'mqtt',
  url: 'mqtt://127.0.0.1',
  area: 'a',
  line: 'l',
  asset: 'tank',
  points: [
    {
      id: 'level',
      format: 'json',
      topic: 'p/json',
      value_path: 'value',
      timestamp_path: 'ts',
      quality_path: 'q',
    },
    { id: 'deep', format: 'json', topic: 'p/json', value_path: 'a.b.0', timestamp_path: 'ts' },
    { id: 'flag', format: 'json', topic: 'p/json', value_path: 'value', type: 'boolean' },
    { id: '{n}.v', format: 'plain', topic: 'p/+n/plain' },
    { id: '{n}.on', format: 'plain', topic: 'p/+n/plain', type: 'boolean' },
  ],
};

const topicName = fc.oneof(
  fc.constantFrom('p/json', 'p/pump-1/plain', 'p/has space/plain', 'p/x/y/plain', 'q'),
  fc.string({ maxLength: 30 }).map((level) => `p/${level}/plain`),
);

// ---- Sparkplug B payloads -------------------------------------------------------------------

/** A minimal protobuf writer, so fields carry values the gateway's own encoder would never write. */
function varint(value: bigint): number[] {
  let rest = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const varintField = (field: number, value: bigint) => [...tag(field, 0), ...varint(value)];
const bytesField = (field: number, bytes: number[]) => [
  ...tag(field, 2),
  ...varint(BigInt(bytes.length)),
  ...bytes,
];
function fixedField(field: number, value: number, width: 4 | 8): number[] {
  const view = new DataView(new ArrayBuffer(width));
  if (width === 8) view.setFloat64(0, value, true);
  else view.setFloat32(0, value, true);
  return [...tag(field, width === 8 ? 1 : 5), ...new Uint8Array(view.buffer)];
}

const uint64: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: UINT64_MAX }),
  fc.constantFrom(0n, 1n, 255n, 256n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, UINT64_MAX),
  anyTime
    .filter((time) => Number.isFinite(time) && time >= 0 && time < 2 ** 64)
    .map((time) => BigInt(Math.trunc(time))),
);

const metricValue: fc.Arbitrary<number[]> = fc.oneof(
  uint64.map((v) => varintField(10, v)),
  uint64.map((v) => varintField(11, v)),
  fc.float().map((v) => fixedField(12, v, 4)),
  fc.double().map((v) => fixedField(13, v, 8)),
  fc.boolean().map((v) => varintField(14, v ? 1n : 0n)),
  fc.string({ maxLength: 20 }).map((v) => bytesField(15, [...new TextEncoder().encode(v)])),
  fc.constant<number[]>([]),
);

const rawMetric: fc.Arbitrary<number[]> = fc
  .record(
    {
      name: fc.oneof(
        fc.constantFrom('P', 'J', 'bdSeq', 'Node Control/Rebirth'),
        fc.string({ maxLength: 10 }),
      ),
      alias: fc.oneof(fc.integer({ min: 0, max: 4 }).map(BigInt), uint64),
      timestamp: uint64,
      datatype: fc.oneof(fc.integer({ min: 0, max: 20 }).map(BigInt), uint64),
      isNull: fc.boolean(),
      value: metricValue,
    },
    { requiredKeys: ['value'] },
  )
  .map((m) => [
    ...(m.name === undefined ? [] : bytesField(1, [...new TextEncoder().encode(m.name)])),
    ...(m.alias === undefined ? [] : varintField(2, m.alias)),
    ...(m.timestamp === undefined ? [] : varintField(3, m.timestamp)),
    ...(m.datatype === undefined ? [] : varintField(4, m.datatype)),
    ...(m.isNull === undefined ? [] : varintField(7, m.isNull ? 1n : 0n)),
    ...m.value,
  ]);

const rawPayload: fc.Arbitrary<Uint8Array> = fc
  .record(
    {
      timestamp: uint64,
      seq: fc.oneof(fc.integer({ min: 0, max: 256 }).map(BigInt), uint64),
      metrics: fc.array(rawMetric, { maxLength: 6 }),
    },
    { requiredKeys: ['metrics'] },
  )
  .map(
    (p) =>
      new Uint8Array([
        ...(p.timestamp === undefined ? [] : varintField(1, p.timestamp)),
        ...p.metrics.flatMap((metric) => bytesField(2, metric)),
        ...(p.seq === undefined ? [] : varintField(3, p.seq)),
      ]),
  );

/** Payloads the gateway's own encoder writes, from finite values. */
const validPayload: fc.Arbitrary<Uint8Array> = fc
  .record({
    seq: fc.integer({ min: 0, max: 255 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 52 }),
    metrics: fc.array(
      fc.record({
        name: fc.constantFrom('P', 'J', 'bdSeq', 'Q'),
        alias: fc.integer({ min: 1, max: 4 }),
        datatype: fc.constantFrom(
          DataType.Int32,
          DataType.Int64,
          DataType.UInt64,
          DataType.Double,
          DataType.Boolean,
        ),
        timestamp: fc.integer({ min: 0, max: 2 ** 52 }),
        value: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.boolean()),
      }),
      { maxLength: 5 },
    ),
  })
  .map((payload) => encodeSparkplug(payload));

/** A valid payload with bytes flipped, cut, inserted or repeated. */
const mutatedPayload: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    validPayload,
    fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('flip', 'cut', 'insert', 'repeat'),
        byte: fc.nat(255),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([bytes, mutations]) => {
    let out = [...bytes];
    for (const { at, kind, byte } of mutations) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'flip') out[i] = byte;
      else if (kind === 'cut') out = out.slice(0, i);
      else if (kind === 'insert') out.splice(i, 0, byte);
      else out = [...out.slice(0, i), ...out.slice(i)];
    }
    return new Uint8Array(out);
  });

const sparkplugBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  rawPayload,
  validPayload,
  mutatedPayload,
  fc.uint8Array({ maxLength: 256 }),
);

const sparkplugTopicName = fc.oneof(
  fc.constantFrom(
    'spBv1.0/g/NBIRTH/n',
    'spBv1.0/g/NDATA/n',
    'spBv1.0/g/NDEATH/n',
    'spBv1.0/g/DBIRTH/n/d',
    'spBv1.0/g/DDATA/n/d',
    'spBv1.0/g/DDEATH/n/d',
    'spBv1.0/g/DBIRTH/n/other',
    'spBv1.0/g/DDATA/n/other',
    'spBv1.0/g/NCMD/n',
    'spBv1.0/g/NDATA/n/d',
    'spBv1.0/g/NDATA/elsewhere',
  ),
  fc.string({ maxLength: 30 }),
);

function sparkplugDevice(deviceId: string | undefined): MqttDevice {
  return {
    id: 'edge',
    protocol: 'mqtt',
    url: 'mqtt://127.0.0.1',
    area: 'a',
    line: 'l',
    asset: 'filler',
    sparkplug: {
      group_id: 'g',
      edge_node_id: 'n',
      ...(deviceId === undefined ? {} : { device_id: deviceId }),
    },
    points: [
      { id: 'pressure', format: 'sparkplug', metric: 'P' },
      { id: 'jam', format: 'sparkplug', metric: 'J', type: 'boolean' },
      { id: 'label', format: 'sparkplug', metric: 'Q' },
    ],
  };
}

// ---- the invariants ---------------------------------------------------------------------------

/** What every reading an adapter hands on must be. */
function assertReadingContract(reading: Reading): void {
  assert.ok(['good', 'uncertain', 'bad'].includes(reading.quality));
  if (reading.value !== null) {
    assert.ok(
      typeof reading.value === 'boolean' || Number.isFinite(reading.value),
      `value ${String(reading.value)}`,
    );
  } else {
    assert.equal(reading.quality, 'bad', 'no value only with bad quality');
  }
  if (reading.quality !== 'good') assert.equal(typeof reading.qualityReason, 'string');
  if (reading.sourceTime !== undefined) {
    assert.ok(isRepresentableTime(reading.sourceTime), `source time ${reading.sourceTime}`);
    assert.ok(Math.abs(reading.sourceTime - reading.gatewayTime) <= TOLERANCE_MS);
  }
}

const definitions: AlarmDefinition[] = [
  limitDef(),
  limitDef({ on_delay_ms: 1000, off_delay_ms: 500 }),
  discreteDef(),
  ruleDef({ id: 'rate', kind: 'rate', rising: { value: 1 } }),
  ruleDef({ id: 'stale', kind: 'stale', no_update_ms: 1000 }),
];

function assertEventContract(event: AlarmEventDraft): void {
  assert.match(event.source_time, RFC3339);
  assert.match(event.gateway_time, RFC3339);
  assert.equal(event.event_date, event.source_time.slice(0, 10));
  for (const sample of event.reason.samples ?? []) assert.match(sample.time, RFC3339);
}

/** Every rule kind evaluates the readings in turn, as the alarm stage would; events must be well formed. */
function assertEventsBuild(readings: readonly Reading[]): void {
  let id = 0;
  for (const def of definitions) {
    let state = initialState(def);
    for (const reading of readings) {
      const evaluation = evaluate(def, state, reading, reading.gatewayTime + 1, () => `e-${id++}`);
      for (const event of evaluation.events) assertEventContract(event);
      state = evaluation.state;
    }
  }
}

// ---- the properties ---------------------------------------------------------------------------

test('JSON and plain payloads: readings or precise malformations, never a throw; events always build', {
  timeout: fuzzTimeoutMs(),
}, () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(topicName, payloadBytes), { minLength: 1, maxLength: 4 }), (messages) => {
      const router = new TopicRouter(topicDevice);
      const readings: Reading[] = [];
      for (const [topic, payload] of messages) {
        for (const { reading, problem } of router.route(topic, payload, NOW)) {
          assertReadingContract(reading);
          if (problem) {
            assert.ok(MALFORMED_KINDS.includes(problem.kind));
            assert.ok(problem.reason.length > 0);
            assert.equal(reading.quality, 'bad');
          }
          readings.push(reading);
        }
      }
      assertEventsBuild(readings);
    }),
    fuzzBudget(),
  );
});

test('Sparkplug B payloads: decoded or a precise reason, routed without a throw; events always build', {
  timeout: fuzzTimeoutMs(),
}, () => {
  fc.assert(
    fc.property(
      fc.constantFrom(undefined, 'd'),
      fc.array(fc.tuple(sparkplugTopicName, sparkplugBytes), { minLength: 1, maxLength: 8 }),
      (deviceId, messages) => {
        const device = sparkplugDevice(deviceId);
        const router = new SparkplugRouter(
          device,
          device.sparkplug as NonNullable<MqttDevice['sparkplug']>,
          silentLog(),
        );
        const readings: Reading[] = [];
        for (const [topic, payload] of messages) {
          const decoded = decodeSparkplug(payload);
          if (!decoded.ok) assert.match(decoded.reason, /^not a Sparkplug B payload/);
          const routed = router.route(topic, payload, NOW);
          if (routed.rebirth !== undefined) assert.equal(typeof routed.rebirth, 'string');
          for (const reading of routed.readings) assertReadingContract(reading);
          readings.push(...routed.readings);
        }
        assert.ok(router.node.stateSize.aliasTables <= 2);
        assertEventsBuild(readings);
      },
    ),
    fuzzBudget(),
  );
});

test('events build from any reading, even one no adapter screened: times fall back to the gateway clock', {
  timeout: fuzzTimeoutMs(),
}, () => {
  const value = fc.oneof(fc.double(), fc.boolean(), fc.constant(null), fc.integer({ min: -20, max: 20 }));
  const reading: fc.Arbitrary<Reading> = fc
    .record(
      {
        value,
        quality: fc.constantFrom('good', 'uncertain', 'bad'),
        sourceTime: anyTime,
        gatewayTime: fc.integer({ min: NOW - 1000, max: NOW + 1000 }),
      },
      { requiredKeys: ['value', 'quality', 'gatewayTime'] },
    )
    .map((r) => ({ deviceId: 'boiler-plc', pointId: 'drum_pressure', ...r }) as Reading);
  fc.assert(fc.property(fc.array(reading, { minLength: 1, maxLength: 6 }), assertEventsBuild), fuzzBudget());
});

/** The host's view of a Sparkplug edge node: births, aliases, sequence, death. Pure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataType, decodeSparkplug, encodeSparkplug } from '../../../src/adapters/mqtt/sparkplug-codec.ts';
import { MAX_NOTICED_DEVICES, SparkplugNode } from '../../../src/adapters/mqtt/sparkplug-node.ts';
import { parseSparkplugTopic, type SparkplugTopic } from '../../../src/adapters/mqtt/sparkplug-topic.ts';

const at = (type: SparkplugTopic['type'], device?: string): SparkplugTopic => ({
  group: 'g',
  type,
  node: 'n',
  ...(device ? { device } : {}),
});

const birth = (seq = 0, bdSeq = 1) => ({
  seq,
  timestamp: 1000,
  metrics: [
    { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq },
    { name: 'Temp', alias: 1, datatype: DataType.Double, value: 20 },
    { name: 'Run', alias: 2, datatype: DataType.Boolean, value: true },
  ],
});

describe('Sparkplug node state', () => {
  test('NBIRTH makes the node alive and gives the values; NDATA by alias resolves names', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n' });
    const born = node.handle(at('NBIRTH'), birth());
    assert.deepEqual(born.alive, { up: true, reason: 'edge node born (NBIRTH)' });
    assert.deepEqual(
      born.metrics.filter((m) => m.name !== 'bdSeq').map((m) => [m.name, m.value]),
      [
        ['Temp', 20],
        ['Run', true],
      ],
    );
    const data = node.handle(at('NDATA'), { seq: 1, timestamp: 2000, metrics: [{ alias: 1, value: 21 }] });
    assert.deepEqual(data.metrics, [
      { name: 'Temp', datatype: DataType.Double, value: 21, isNull: false, time: 2000 },
    ]);
    assert.equal(data.rebirth, undefined);
  });

  test('a sequence gap asks for a rebirth; a repeated seq (redelivery) does not; seq wraps at 255', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n' });
    node.handle(at('NBIRTH'), birth(0));
    assert.equal(node.handle(at('NDATA'), { seq: 1, metrics: [] }).rebirth, undefined);
    assert.equal(node.handle(at('NDATA'), { seq: 1, metrics: [] }).rebirth, undefined);
    assert.match(node.handle(at('NDATA'), { seq: 3, metrics: [] }).rebirth ?? '', /expected seq 2, got 3/);
    node.handle(at('NBIRTH'), birth(254));
    assert.equal(node.handle(at('NDATA'), { seq: 255, metrics: [] }).rebirth, undefined);
    assert.equal(node.handle(at('NDATA'), { seq: 0, metrics: [] }).rebirth, undefined);
  });

  test('unknown alias and data before birth are malformed and ask for a rebirth', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n' });
    const early = node.handle(at('NDATA'), { seq: 5, metrics: [{ alias: 1, value: 1 }] });
    assert.deepEqual(
      early.problems.map((p) => p.kind),
      ['before_birth'],
    );
    assert.ok(early.rebirth);
    node.handle(at('NBIRTH'), birth());
    const unknown = node.handle(at('NDATA'), { seq: 1, metrics: [{ alias: 9, value: 1 }] });
    assert.deepEqual(
      unknown.problems.map((p) => p.kind),
      ['unknown_alias'],
    );
    assert.match(unknown.rebirth ?? '', /alias 9/);
  });

  test('NDEATH of the current birth kills the node; one of an older session (other bdSeq) is ignored', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n' });
    node.handle(at('NBIRTH'), birth(0, 7));
    const stale = node.handle(at('NDEATH'), { metrics: [{ name: 'bdSeq', value: 6 }] });
    assert.equal(stale.alive, undefined);
    assert.equal(node.alive, true);
    const death = node.handle(at('NDEATH'), { metrics: [{ name: 'bdSeq', value: 7 }] });
    assert.deepEqual(death.alive, { up: false, reason: 'edge node died (NDEATH)' });
    assert.equal(node.alive, false);
  });

  test('a followed device lives from its DBIRTH to its DDEATH or its node death; other devices only count for seq', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n', device_id: 'd1' });
    assert.equal(node.handle(at('NBIRTH'), birth(0)).alive, undefined);
    const other = node.handle(at('DBIRTH', 'd2'), { seq: 1, metrics: [{ name: 'X', alias: 1, value: 1 }] });
    assert.deepEqual(
      [other.metrics, other.problems, other.rebirth, other.alive],
      [[], [], undefined, undefined],
    );
    assert.match(other.notice ?? '', /device d2; this device map entry follows d1 and ignores it/);
    const born = node.handle(at('DBIRTH', 'd1'), {
      seq: 2,
      metrics: [{ name: 'Level', alias: 1, datatype: DataType.Float, value: 3 }],
    });
    assert.equal(born.alive?.up, true);
    const data = node.handle(at('DDATA', 'd1'), { seq: 3, metrics: [{ alias: 1, value: 4 }] });
    assert.deepEqual(
      data.metrics.map((m) => [m.name, m.value]),
      [['Level', 4]],
    );
    assert.equal(node.handle(at('DDEATH', 'd1'), { seq: 4, metrics: [] }).alive?.up, false);
    node.handle(at('DBIRTH', 'd1'), { seq: 5, metrics: [{ name: 'Level', alias: 1, value: 3 }] });
    assert.equal(node.handle(at('NDEATH'), { metrics: [{ name: 'bdSeq', value: 1 }] }).alive?.up, false);
  });

  test('births of devices the map entry does not follow keep no alias tables, and the devices noticed are bounded', () => {
    const metrics = Array.from({ length: 50 }, (_, i) => ({ name: `m${i}`, alias: i + 1, value: i }));
    for (const device_id of [undefined, 'd1']) {
      const node = new SparkplugNode({
        group_id: 'g',
        edge_node_id: 'n',
        ...(device_id ? { device_id } : {}),
      });
      node.handle(at('NBIRTH'), birth(0));
      node.handle(at('DBIRTH', 'd1'), { seq: 1, metrics: [{ name: 'Level', alias: 1, value: 3 }] });
      let seq = 2;
      for (let i = 0; i < 5000; i++) {
        const outcome = node.handle(at('DBIRTH', `other-${i}`), { seq: seq++ % 256, metrics });
        assert.deepEqual([outcome.problems, outcome.rebirth], [[], undefined]);
      }
      const size = node.stateSize;
      assert.ok(size.aliasTables <= 2, `${size.aliasTables} alias tables kept`);
      assert.ok(size.aliases <= 3, `${size.aliases} aliases kept`);
      assert.ok(size.noticedDevices <= MAX_NOTICED_DEVICES, `${size.noticedDevices} devices noticed`);
      assert.equal(node.unfollowedBirths, device_id ? 5000 : 5001, 'd1 too when the node itself is followed');
      // Data of a device not followed is no reason for a rebirth, born or not.
      const data = node.handle(at('DDATA', 'never-born'), {
        seq: seq++ % 256,
        metrics: [{ alias: 1, value: 1 }],
      });
      assert.deepEqual([data.metrics, data.problems, data.rebirth], [[], [], undefined]);
      if (device_id) {
        const followed = node.handle(at('DDATA', 'd1'), {
          seq: seq++ % 256,
          metrics: [{ alias: 1, value: 4 }],
        });
        assert.deepEqual(
          followed.metrics.map((m) => [m.name, m.value]),
          [['Level', 4]],
        );
      }
    }
  });

  test('a null metric is flagged', () => {
    const node = new SparkplugNode({ group_id: 'g', edge_node_id: 'n' });
    node.handle(at('NBIRTH'), birth());
    const data = node.handle(at('NDATA'), { seq: 1, metrics: [{ alias: 1, isNull: true }] });
    assert.equal(data.metrics[0]?.isNull, true);
  });
});

describe('Sparkplug codec and topics', () => {
  test('round trip of every numeric type, with signed values', () => {
    const metrics = [
      { name: 'i8', datatype: DataType.Int8, value: -5 },
      { name: 'i16', datatype: DataType.Int16, value: -300 },
      { name: 'i32', datatype: DataType.Int32, value: -70000 },
      { name: 'i64', datatype: DataType.Int64, value: -7 },
      { name: 'u32', datatype: DataType.UInt32, value: 4_000_000_000 },
      { name: 'u64', datatype: DataType.UInt64, value: 2 ** 40 },
      { name: 'f', datatype: DataType.Float, value: 1.5 },
      { name: 'd', datatype: DataType.Double, value: 0.1 },
      { name: 'b', datatype: DataType.Boolean, value: false },
      { name: 's', datatype: DataType.String, value: 'x' },
    ];
    const decoded = decodeSparkplug(encodeSparkplug({ seq: 9, timestamp: 123, metrics }));
    assert.ok(decoded.ok);
    assert.equal(decoded.payload.seq, 9);
    assert.equal(decoded.payload.timestamp, 123);
    assert.deepEqual(
      decoded.payload.metrics.map((m) => m.value),
      metrics.map((m) => m.value),
    );
  });

  test('undecodable bytes are a reason, not a throw', () => {
    for (const bytes of [new Uint8Array([0xff, 0xff, 0xff]), new TextEncoder().encode('{"json": true}')]) {
      const decoded = decodeSparkplug(bytes);
      assert.ok(!decoded.ok && decoded.reason.startsWith('not a Sparkplug B payload'));
    }
  });

  test('topics', () => {
    assert.deepEqual(parseSparkplugTopic('spBv1.0/g/DDATA/n/d'), {
      group: 'g',
      type: 'DDATA',
      node: 'n',
      device: 'd',
    });
    assert.deepEqual(parseSparkplugTopic('spBv1.0/g/NBIRTH/n'), { group: 'g', type: 'NBIRTH', node: 'n' });
    assert.equal(parseSparkplugTopic('spBv1.0/g/NDATA/n/d'), undefined, 'node message with a device level');
    assert.equal(parseSparkplugTopic('spBv1.0/g/DDATA/n'), undefined, 'device message without device');
    assert.equal(parseSparkplugTopic('spBv1.0/g/XDATA/n'), undefined);
    assert.equal(parseSparkplugTopic('plant/g/NDATA/n'), undefined);
  });
});

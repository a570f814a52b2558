import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseNodeId, resolveNodeId } from '../../../src/adapters/opcua/node-id.ts';
import { planSubscriptions } from '../../../src/adapters/opcua/plan.ts';
import { convertValue, qualityOf } from '../../../src/adapters/opcua/quality.ts';

describe('NodeIds', () => {
  test('parse by namespace URI, index or namespace 0', () => {
    assert.deepEqual(parseNodeId('nsu=urn:a:b;s=Tank.Level'), {
      namespaceUri: 'urn:a:b',
      identifier: 's=Tank.Level',
    });
    assert.deepEqual(parseNodeId('ns=3;i=1001'), { namespaceIndex: 3, identifier: 'i=1001' });
    assert.deepEqual(parseNodeId('i=2258'), { namespaceIndex: 0, identifier: 'i=2258' });
    assert.deepEqual(parseNodeId('ns=2;s=a;b'), { namespaceIndex: 2, identifier: 's=a;b' });
    assert.throws(() => parseNodeId('ns=2;x=1'), /not a NodeId/);
  });

  test('resolve against the current namespace array', () => {
    const parsed = parseNodeId('nsu=urn:plc;s=Level');
    assert.deepEqual(resolveNodeId(parsed, ['http://opcfoundation.org/UA/', 'urn:server', 'urn:plc']), {
      ok: true,
      nodeId: 'ns=2;s=Level',
    });
    assert.deepEqual(resolveNodeId(parsed, ['http://opcfoundation.org/UA/', 'urn:x', 'urn:y', 'urn:plc']), {
      ok: true,
      nodeId: 'ns=3;s=Level',
    });
    assert.deepEqual(resolveNodeId(parsed, ['http://opcfoundation.org/UA/']), {
      ok: false,
      reason: 'the server has no namespace urn:plc',
    });
    assert.deepEqual(resolveNodeId(parseNodeId('ns=4;i=7'), []), { ok: true, nodeId: 'ns=4;i=7' });
  });
});

describe('status codes and values', () => {
  test('severity bits decide the quality', () => {
    assert.equal(qualityOf(0), 'good');
    assert.equal(qualityOf(0x00a20000), 'good'); // GoodLocalOverride
    assert.equal(qualityOf(0x408f0000), 'uncertain'); // UncertainLastUsableValue
    assert.equal(qualityOf(0x80340000), 'bad'); // BadNodeIdUnknown
    assert.equal(qualityOf(0x808c0000), 'bad'); // BadSensorFailure
  });

  test('numbers and booleans pass; garbage is refused with a reason', () => {
    assert.deepEqual(convertValue(1.5), { ok: true, value: 1.5 });
    assert.deepEqual(convertValue(true), { ok: true, value: true });
    assert.deepEqual(convertValue([1, 2]), { ok: true, value: 0x1_0000_0002 });
    assert.deepEqual(convertValue(Number.NaN), { ok: false, reason: 'not a finite number (NaN)' });
    assert.deepEqual(convertValue('on'), {
      ok: false,
      reason: 'the node holds string, not a number or boolean',
    });
    assert.deepEqual(convertValue(null), {
      ok: false,
      reason: 'the node holds null, not a number or boolean',
    });
  });
});

describe('subscription plan', () => {
  const items = Array.from({ length: 25 }, (_, i) => i);

  test('split by the per-subscription limit, then by the per-call limit', () => {
    const plan = planSubscriptions(items, 10, 4);
    assert.deepEqual(
      plan.subscriptions.map((calls) => calls.map((call) => call.length)),
      [
        [4, 4, 2],
        [4, 4, 2],
        [4, 1],
      ],
    );
    assert.deepEqual(plan.subscriptions.flat(2), items);
  });

  test('no per-call limit (0) means one call per subscription', () => {
    const plan = planSubscriptions(items, 1000, 0);
    assert.deepEqual(
      plan.subscriptions.map((calls) => calls.map((call) => call.length)),
      [[25]],
    );
  });
});

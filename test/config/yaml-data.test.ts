/**
 * The loader builds the data of a document itself (yaml's toJS is quadratic
 * in the number of aliases); it must give what yaml's toJS gives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { resolveAliases } from '../../src/config/anchors.ts';
import { documentData } from '../../src/config/yaml-data.ts';

function both(text: string): { ours: unknown; yaml: unknown } {
  const doc = parseDocument(text, { uniqueKeys: false, merge: true });
  assert.deepEqual(doc.errors, []);
  return { ours: documentData(doc.contents, resolveAliases(doc)), yaml: doc.toJS() };
}

const CASES: Record<string, string> = {
  'the example plant': readFileSync('devices/plant.yaml', 'utf8'),
  'scalars of every type':
    'a: 1\nb: -2.5\nc: true\nd: null\ne: ~\nf: "7"\ng: .inf\nh: 0x1F\ni:\nj: 12345678901234567890\n',
  'keys that are not strings': '1: a\ntrue: b\nnull: c\n~: d\n1.5: e\n',
  'an alias is the data of its anchor': 'a: &x { k: [1, 2] }\nb: *x\nc: [*x, *x]\n',
  'an anchor set twice: the alias takes the last before it': 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n',
  'a merge adds only keys the mapping does not set before it':
    'd: &d { a: 1, b: 2 }\nm: { a: 0, <<: *d, b: 3 }\n',
  'keys after a merge override it': 'd: &d { a: 1, b: 2 }\nm:\n  <<: *d\n  a: 9\n',
  'the first of several merge sources wins':
    'x: &x { a: 1 }\ny: &y { a: 2, b: 2 }\nm: { <<: [*x, *y], c: 3 }\n',
  'a merge source that merges itself': 'x: &x { a: 1 }\ny: &y { <<: *x, b: 2 }\nm: { <<: *y }\n',
  'an inline merge source': 'm: { <<: { a: 1 }, b: 2 }\n',
  'a repeated key keeps the last value': 'a: 1\na: 2\n',
  'keys named like object properties': '__proto__: 1\nconstructor: 2\ntoString: { a: 1 }\n',
  'a list at the top': '- 1\n- [2, { a: 3 }]\n',
  'a scalar at the top': 'just text\n',
  'an empty document': '',
};

describe('the data of a document', () => {
  for (const [name, text] of Object.entries(CASES)) {
    test(`equals yaml's toJS: ${name}`, () => {
      const { ours, yaml } = both(text);
      assert.deepEqual(ours, yaml);
      assert.equal(JSON.stringify(ours), JSON.stringify(yaml), 'same key order');
    });
  }

  test('a key named __proto__ is an own key, not the prototype', () => {
    const { ours } = both('__proto__: { polluted: true }\n');
    assert.ok(Object.hasOwn(ours as object, '__proto__'));
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });
});

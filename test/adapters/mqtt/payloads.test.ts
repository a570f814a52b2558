/** Plain and JSON payload decoding: every malformation is classified, never thrown. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asPointValue, parseText } from '../../../src/adapters/mqtt/decoded.ts';
import { decodeJsonPoint, lookup, parseJsonPayload } from '../../../src/adapters/mqtt/json-payload.ts';

const bytes = (value: string) => new TextEncoder().encode(value);

function json(payload: string, paths: Parameters<typeof decodeJsonPoint>[1]) {
  const parsed = parseJsonPayload(bytes(payload));
  return parsed.ok ? decodeJsonPoint(parsed.document, paths) : parsed.decoded;
}

describe('plain payloads', () => {
  test('numbers, with surrounding blanks', () => {
    assert.deepEqual(parseText(' 12.5\n', 'number'), { ok: true, value: 12.5 });
    assert.deepEqual(parseText('-3e2', 'number'), { ok: true, value: -300 });
  });

  test('booleans as true/false, 1/0, on/off in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'on'])
      assert.deepEqual(parseText(word, 'boolean'), { ok: true, value: true });
    for (const word of ['false', '0', 'Off'])
      assert.deepEqual(parseText(word, 'boolean'), { ok: true, value: false });
  });

  test('anything else is wrong_type, naming the payload', () => {
    for (const text of ['', 'warm', 'NaN', 'Infinity', '1,5']) {
      const decoded = parseText(text, 'number');
      assert.equal(decoded.ok, false, text);
      assert.equal(!decoded.ok && decoded.kind, 'wrong_type');
    }
    const bool = parseText('yes', 'boolean');
    assert.ok(!bool.ok && bool.kind === 'wrong_type' && bool.reason.includes('"yes"'));
  });

  test('long payloads are cut in the reason', () => {
    const decoded = parseText('x'.repeat(500), 'number');
    assert.ok(!decoded.ok && decoded.reason.length < 100);
  });
});

describe('JSON payloads', () => {
  test('value, timestamp and quality at their paths', () => {
    const decoded = json('{"d": {"v": 3.5}, "ts": 1700000000000, "q": "Uncertain"}', {
      value_path: 'd.v',
      timestamp_path: 'ts',
      quality_path: 'q',
    });
    assert.deepEqual(decoded, {
      ok: true,
      value: 3.5,
      sourceTime: 1700000000000,
      quality: 'uncertain',
      qualityReason: 'the device reports uncertain quality',
    });
  });

  test('RFC 3339 timestamps, boolean qualities, array indexes', () => {
    const decoded = json('{"r": [{"v": 1}, {"v": 2}], "t": "2026-01-02T03:04:05.678Z", "ok": true}', {
      value_path: 'r.1.v',
      timestamp_path: 't',
      quality_path: 'ok',
    });
    assert.deepEqual(decoded, { ok: true, value: 2, sourceTime: Date.parse('2026-01-02T03:04:05.678Z') });
    assert.deepEqual(json('{"v": 1, "ok": false}', { value_path: 'v', quality_path: 'ok' }), {
      ok: true,
      value: 1,
      quality: 'bad',
      qualityReason: 'the device reports bad quality',
    });
  });

  test('boolean points take booleans and 0/1', () => {
    assert.deepEqual(json('{"v": true}', { value_path: 'v', type: 'boolean' }), { ok: true, value: true });
    assert.deepEqual(json('{"v": 0}', { value_path: 'v', type: 'boolean' }), { ok: true, value: false });
    const two = json('{"v": 2}', { value_path: 'v', type: 'boolean' });
    assert.ok(!two.ok && two.kind === 'wrong_type');
  });

  const cases: [string, string, Parameters<typeof decodeJsonPoint>[1], string][] = [
    ['not JSON', '{"v": 1', { value_path: 'v' }, 'bad_json'],
    ['empty payload', '', { value_path: 'v' }, 'bad_json'],
    ['missing value', '{"w": 1}', { value_path: 'v' }, 'missing_path'],
    ['path through a number', '{"v": 1}', { value_path: 'v.x' }, 'missing_path'],
    ['index past the end', '{"v": [1]}', { value_path: 'v.3' }, 'missing_path'],
    ['inherited key', '{}', { value_path: 'constructor' }, 'missing_path'],
    ['missing timestamp', '{"v": 1}', { value_path: 'v', timestamp_path: 't' }, 'missing_path'],
    ['missing quality', '{"v": 1}', { value_path: 'v', quality_path: 'q' }, 'missing_path'],
    ['string value', '{"v": "1"}', { value_path: 'v' }, 'wrong_type'],
    ['null value', '{"v": null}', { value_path: 'v' }, 'wrong_type'],
    ['object value', '{"v": {}}', { value_path: 'v' }, 'wrong_type'],
    ['array document', '[1]', { value_path: 'v' }, 'missing_path'],
    ['bad timestamp', '{"v": 1, "t": "yesterday"}', { value_path: 'v', timestamp_path: 't' }, 'wrong_type'],
    ['negative timestamp', '{"v": 1, "t": -5}', { value_path: 'v', timestamp_path: 't' }, 'wrong_type'],
    ['bad quality', '{"v": 1, "q": "fine"}', { value_path: 'v', quality_path: 'q' }, 'wrong_type'],
  ];
  for (const [what, payload, paths, kind] of cases) {
    test(`${what} is ${kind}`, () => {
      const decoded = json(payload, paths);
      assert.equal(decoded.ok, false);
      assert.equal(!decoded.ok && decoded.kind, kind);
    });
  }

  test('lookup', () => {
    assert.deepEqual(lookup({ a: { b: [0, { c: 5 }] } }, 'a.b.1.c'), { ok: true, value: 5 });
    assert.deepEqual(lookup({ a: 1 }, 'b'), { ok: false });
  });

  test('asPointValue refuses non-finite numbers', () => {
    assert.equal(asPointValue(Number.NaN, 'number', 'x').ok, false);
    assert.equal(asPointValue(Number.POSITIVE_INFINITY, 'number', 'x').ok, false);
  });
});

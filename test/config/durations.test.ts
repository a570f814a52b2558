/**
 * Every duration (`_ms` key) has a maximum a Node timer can wait: past
 * 2^31 - 1 ms a timer fires after 1 ms, so a poll interval of 10^11 ms would
 * poll hundreds of times a second. The table covers every `_ms` key of the
 * generated JSON Schema, so a key added later cannot forget its maximum.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { siteJsonSchema } from '../../src/config/json-schema.ts';
import { LONGEST_BUFFER_AGE_MS, LONGEST_TIMER_MS } from '../../src/config/limits.ts';
import { problems, withPoints, yaml } from './helpers.ts';

type Schema = { [key: string]: unknown };

/** Durations that are only compared with an age, never waited for; each with the maximum it has instead. */
const COMPARED_ONLY: Record<string, number> = {
  '/properties/gateway/properties/buffer/properties/max_age_ms': LONGEST_BUFFER_AGE_MS,
};

/** Every property whose name ends in `_ms`, by its JSON pointer in the schema. */
function durationKeys(node: unknown, pointer = ''): [string, Schema][] {
  if (Array.isArray(node)) return node.flatMap((item, index) => durationKeys(item, `${pointer}/${index}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${pointer}/${key}`;
    const own: [string, Schema][] =
      pointer.endsWith('/properties') && key.endsWith('_ms') ? [[here, value as Schema]] : [];
    return [...own, ...durationKeys(value, here)];
  });
}

const keys = durationKeys(siteJsonSchema());

describe('every _ms key of the site file schema', () => {
  test('the table is the whole schema', () => {
    const names = new Set(keys.map(([pointer]) => pointer.split('/').at(-1)));
    // The schema repeats shared definitions (alarm rules, per device kind); these are the distinct names.
    assert.ok(names.size >= 20, `found only ${names.size} duration keys: ${[...names].join(', ')}`);
    for (const pointer of Object.keys(COMPARED_ONLY)) {
      assert.ok(
        keys.some(([found]) => found === pointer),
        `${pointer} is no longer in the schema`,
      );
    }
  });

  for (const [pointer, schema] of keys) {
    test(`${pointer} is an integer with a maximum a timer can wait`, () => {
      assert.equal(schema.type, 'integer');
      assert.equal(typeof schema.maximum, 'number', 'no maximum');
      const limit = COMPARED_ONLY[pointer] ?? LONGEST_TIMER_MS;
      assert.ok((schema.maximum as number) <= limit, `maximum ${schema.maximum} > ${limit}`);
      if (typeof schema.default === 'number') assert.ok(schema.default <= (schema.maximum as number));
    });
  }
});

describe('a duration past the longest timer', () => {
  test('is refused at its line with its key path', () => {
    const text = withPoints('- { id: p1, register: holding, address: 0 }').replace(
      '    host: 10.0.0.1\n',
      '    host: 10.0.0.1\n    poll_interval_ms: 100000000000\n',
    );
    assert.deepEqual(problems(text), [
      'site.yaml:8:23 devices[0].poll_interval_ms: must be an integer >= 10 and <= 2147483647 (about 24.8 days, the longest a timer can wait)',
    ]);
  });

  test('the longest timer itself is accepted', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
        alarms: { max_shelve_ms: ${LONGEST_TIMER_MS} }
      devices:
        - id: plc-1
          protocol: modbus-tcp
          host: 10.0.0.1
          poll_interval_ms: ${LONGEST_TIMER_MS}
          area: a
          line: l
          asset: x
          points: [{ id: p1, register: holding, address: 0 }]
    `;
    assert.deepEqual(problems(text), []);
  });
});

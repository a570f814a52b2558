import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordShape, recordShaper } from '../../src/producer/record.ts';
import { draft } from '../harness/fixtures.ts';

test('the record key is the asset path and the headers carry what consumers route and partition by', () => {
  const event = { ...draft({ event_id: 'e-9', priority: 'critical', event_date: '2026-03-04' }), seq: 9 };
  assert.deepEqual(recordShape(event), {
    key: 'site-a/area-1/line-1/asset-1',
    headers: {
      schema: 'iiot.alarm.v1',
      'content-type': 'application/json',
      event_id: 'e-9',
      site: 'site-a',
      event_date: '2026-03-04',
      priority: 'critical',
    },
  });
});

test('each key strategy keys by its level of the hierarchy', () => {
  const event = { ...draft(), seq: 1 };
  const keys = Object.fromEntries(
    (['asset', 'condition_id', 'line', 'site'] as const).map((strategy) => [
      strategy,
      recordShaper(strategy)(event).key,
    ]),
  );
  assert.deepEqual(keys, {
    asset: 'site-a/area-1/line-1/asset-1',
    condition_id: 'site-a/area-1/line-1/asset-1/temperature/temp',
    line: 'site-a/area-1/line-1',
    site: 'site-a',
  });
  assert.deepEqual(recordShaper('line')(event).headers, recordShape(event).headers);
});

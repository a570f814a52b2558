import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TEMPLATE_POINTS, TopicRouter } from '../../../src/adapters/mqtt/topic-router.ts';
import { jsonDevice } from './fixtures.ts';

const bytes = (value: string) => new TextEncoder().encode(value);

test('every matching point gets a reading; overlapping filters each get theirs; others none', () => {
  const router = new TopicRouter(
    jsonDevice('mqtt://x', {
      points: [
        { id: 'a', format: 'json', topic: 'p/+/v', value_path: 'a' },
        { id: 'b', format: 'json', topic: 'p/#', value_path: 'b' },
      ],
    }),
  );
  assert.deepEqual(router.subscriptions, ['p/+/v', 'p/#']);
  const routed = router.route('p/x/v', bytes('{"a": 1, "b": 2}'), 5);
  assert.deepEqual(
    routed.map(({ reading }) => [reading.pointId, reading.value, reading.quality]),
    [
      ['a', 1, 'good'],
      ['b', 2, 'good'],
    ],
  );
  assert.deepEqual(router.route('q/x', bytes('1'), 5), []);
});

test('a topic level that is no valid id is a bad reading of the template', () => {
  const router = new TopicRouter(jsonDevice('mqtt://x'));
  const [routed] = router.route('plant/has space/temp', bytes('1'), 5);
  assert.equal(routed?.reading.pointId, '{asset}.temp');
  assert.equal(routed?.reading.quality, 'bad');
  assert.equal(routed?.problem?.kind, 'unusable_topic');
});

test('templates make at most MAX_TEMPLATE_POINTS concrete points per device', () => {
  const router = new TopicRouter(jsonDevice('mqtt://x'));
  for (let i = 0; i < MAX_TEMPLATE_POINTS; i++) {
    assert.equal(router.route(`plant/s${i}/temp`, bytes('1'), 0)[0]?.reading.quality, 'good');
  }
  const [over] = router.route('plant/one-more/temp', bytes('1'), 0);
  assert.equal(over?.problem?.kind, 'unusable_topic');
  assert.equal(router.route('plant/s7/temp', bytes('2'), 0)[0]?.reading.value, 2, 'known points still read');
});

test('a JSON timestamp outside the tolerance is a bad reading (bad_timestamp); within it, the source time', () => {
  const router = new TopicRouter(jsonDevice('mqtt://x', { source_time_tolerance_ms: 60_000 }));
  const now = Date.UTC(2026, 0, 2);
  for (const ts of ['1e16', '1.7e18', String(now / 1000), String(now + 120_000)]) {
    const [routed] = router.route('plant/tank-1/level', bytes(`{"value": 1, "ts": ${ts}, "q": "good"}`), now);
    assert.equal(routed?.reading.quality, 'bad', ts);
    assert.equal(routed?.reading.value, null);
    assert.equal(routed?.problem?.kind, 'bad_timestamp');
  }
  const [fine] = router.route(
    'plant/tank-1/level',
    bytes(`{"value": 1, "ts": ${now - 30_000}, "q": "good"}`),
    now,
  );
  assert.equal(fine?.reading.sourceTime, now - 30_000);
});

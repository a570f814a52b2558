import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '../../src/config/output-schema.ts';
import { createRouter, eventTopics } from '../../src/producer/routing.ts';

const ROUTES: Route[] = [
  { when: { priority: ['critical'] }, topic: 'critical' },
  { when: { kind: ['system'] }, topic: 'gateway' },
  { when: { area: ['packing'], priority: ['high', 'medium'] }, topic: 'packing' },
  { when: { site: ['north'], kind: ['comm'] }, topic: 'north-comm' },
  { when: { priority: ['critical'], area: ['packing'] }, topic: 'never-reached' },
];

const event = (overrides: Partial<Parameters<ReturnType<typeof createRouter>>[0]> = {}) => ({
  priority: 'low' as const,
  kind: 'limit' as const,
  site: 'north',
  area: 'utilities',
  ...overrides,
});

test('the first route whose criteria all match wins; no match means the default topic', () => {
  const route = createRouter(ROUTES, 'alarms');
  const cases: [ReturnType<typeof event>, string][] = [
    [event({ priority: 'critical' }), 'critical'],
    [event({ priority: 'critical', area: 'packing' }), 'critical'],
    [event({ kind: 'system', priority: 'high' }), 'gateway'],
    [event({ kind: 'system', priority: 'critical' }), 'critical'],
    [event({ area: 'packing', priority: 'high' }), 'packing'],
    [event({ area: 'packing', priority: 'medium' }), 'packing'],
    [event({ area: 'packing', priority: 'low' }), 'alarms'],
    [event({ kind: 'comm' }), 'north-comm'],
    [event({ kind: 'comm', site: 'south' }), 'alarms'],
    [event(), 'alarms'],
  ];
  for (const [input, topic] of cases) assert.equal(route(input), topic, JSON.stringify(input));
});

test('without routes every event goes to the default topic', () => {
  assert.equal(createRouter([], 'alarms')(event({ priority: 'critical', kind: 'system' })), 'alarms');
});

test('the topics to create: the default first, each once', () => {
  assert.deepEqual(eventTopics(ROUTES, 'alarms'), [
    'alarms',
    'critical',
    'gateway',
    'packing',
    'north-comm',
    'never-reached',
  ]);
  assert.deepEqual(eventTopics([{ when: { kind: ['system'] }, topic: 'alarms' }], 'alarms'), ['alarms']);
});

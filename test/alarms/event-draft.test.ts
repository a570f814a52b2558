import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate } from '../../src/alarms/engine.ts';
import { EVENT_SCHEMA } from '../../src/alarms/event.ts';
import { initialState } from '../../src/alarms/state.ts';
import type { Priority } from '../../src/config/schema.ts';
import { limitDef, reading, Scenario, sequentialIds, T0 } from './fixtures.ts';

const plantRule = {
  deadband: 0.2,
  HH: { value: 12, priority: 'critical' as const },
  H: { value: 10, priority: 'high' as const },
  L: { value: 2, priority: 'medium' as const },
  LL: { value: 1, priority: 'high' as const },
};

describe('event fields', () => {
  test('a raise carries every field of the contract', () => {
    const def = limitDef(plantRule);
    const r = reading(12.399999618530273, T0 + 20, { sourceTime: T0 + 10 });
    const { events } = evaluate(def, initialState(def), r, T0 + 30, () => 'evt-1');
    assert.deepEqual(events, [
      {
        event_id: 'evt-1',
        schema: EVENT_SCHEMA,
        gateway_id: 'gw-1',
        site: 'plant',
        area: 'utilities',
        line: 'steam',
        asset: 'boiler-1',
        device: 'boiler-plc',
        point: 'drum_pressure',
        alarm: 'pressure',
        condition_id: 'plant/utilities/steam/boiler-1/drum_pressure/pressure',
        kind: 'limit',
        transition: 'raise',
        state: {
          active: true,
          acked: false,
          latched: false,
          shelved: false,
          suppressed: false,
          out_of_service: false,
          level: 'HH',
          isa_state: 'unacknowledged',
        },
        priority: 'critical',
        severity: 900,
        value: 12.399999618530273,
        unit: 'bar',
        quality: 'good',
        limit: 12,
        deadband: 0.2,
        source_time: '2026-01-02T03:04:05.010Z',
        gateway_time: '2026-01-02T03:04:05.030Z',
        event_date: '2026-01-02',
        message: 'boiler-1 drum_pressure HH alarm: 12.4 bar (limit 12)',
        reason: {
          rule: 'pressure',
          text: 'value 12.4 >= HH limit 12',
          threshold: 12,
          deadband: 0.2,
          samples: [{ value: 12.399999618530273, quality: 'good', time: '2026-01-02T03:04:05.010Z' }],
        },
      },
    ]);
  });

  test('every transition draws a new id, in order', () => {
    const def = limitDef(plantRule);
    let state = initialState(def);
    const newId = sequentialIds();
    const ids: string[] = [];
    for (const [i, value] of [10.5, 12.5, 5].entries()) {
      const result = evaluate(def, state, reading(value, T0 + i), T0 + i, newId);
      state = result.state;
      ids.push(...result.events.map((e) => e.event_id));
    }
    assert.deepEqual(ids, ['id-1', 'id-2', 'id-3']);
  });

  test('no id is drawn when nothing happens', () => {
    const def = limitDef(plantRule);
    let drawn = 0;
    evaluate(def, initialState(def), reading(5, T0), T0, () => `id-${++drawn}`);
    assert.equal(drawn, 0);
  });

  const severities: [Priority, number][] = [
    ['critical', 900],
    ['high', 700],
    ['medium', 500],
    ['low', 300],
    ['diagnostic', 100],
  ];
  for (const [priority, severity] of severities) {
    test(`priority ${priority} maps to OPC UA severity ${severity}`, () => {
      const [event] = new Scenario(limitDef({ H: { value: 10, priority } })).read(10.5, 0);
      assert.equal(event?.priority, priority);
      assert.equal(event?.severity, severity);
    });
  }

  test('priority: the level, else the rule, else medium', () => {
    const levelWins = limitDef({ priority: 'low', H: { value: 10, priority: 'critical' } });
    assert.equal(new Scenario(levelWins).read(10.5, 0)[0]?.priority, 'critical');
    const ruleNext = limitDef({ priority: 'low', H: { value: 10 } });
    assert.equal(new Scenario(ruleNext).read(10.5, 0)[0]?.priority, 'low');
    assert.equal(new Scenario(limitDef()).read(10.5, 0)[0]?.priority, 'medium');
  });

  test('a level change takes the priority of the level entered, a clear that of the level left', () => {
    const run = new Scenario(limitDef(plantRule));
    run.read(10.5, 0);
    run.read(12.5, 100);
    run.read(11, 200);
    run.read(12.5, 300);
    run.read(5, 400);
    assert.deepEqual(
      run.events.map((e) => [e.transition, e.priority, e.limit]),
      [
        ['raise', 'high', 10],
        ['level_change', 'critical', 12],
        ['level_change', 'high', 10],
        ['level_change', 'critical', 12],
        ['clear', 'critical', 12],
      ],
    );
  });

  test('source_time is the device time when there is one, else the gateway time of the reading', () => {
    const def = limitDef();
    const withSource = evaluate(
      def,
      initialState(def),
      reading(10.5, T0 + 5, { sourceTime: T0 + 1 }),
      T0 + 9,
      () => 'a',
    );
    assert.equal(withSource.events[0]?.source_time, '2026-01-02T03:04:05.001Z');
    assert.equal(withSource.events[0]?.gateway_time, '2026-01-02T03:04:05.009Z');
    const without = evaluate(def, initialState(def), reading(10.5, T0 + 5), T0 + 9, () => 'a');
    assert.equal(without.events[0]?.source_time, '2026-01-02T03:04:05.005Z');
  });

  test('a garbled device time falls back to the gateway time instead of failing', () => {
    const def = limitDef();
    const r = reading(10.5, T0 + 5, { sourceTime: Number.NaN });
    const { events } = evaluate(def, initialState(def), r, T0 + 9, () => 'a');
    assert.equal(events[0]?.source_time, '2026-01-02T03:04:05.005Z');
  });

  test('a device time no RFC 3339 time can hold falls back to the gateway time, and the reason says so', () => {
    const def = limitDef();
    const times = [1e16, 1.7e18, Number(2n ** 64n - 1n), -1e16, Date.UTC(10_000, 0, 1)];
    for (const sourceTime of times) {
      const r = reading(10.5, T0 + 5, { sourceTime });
      const { events } = evaluate(def, initialState(def), r, T0 + 9, () => 'a');
      const [event] = events;
      assert.equal(event?.source_time, '2026-01-02T03:04:05.009Z', `source time ${sourceTime}`);
      assert.equal(event?.event_date, '2026-01-02');
      assert.match(event?.reason.text ?? '', /device time .* is no valid time; gateway time used/);
      assert.equal(event?.reason.samples?.[0]?.time, '2026-01-02T03:04:05.009Z');
    }
  });

  test('event_date is the UTC date of source_time, even when the gateway is already past midnight', () => {
    const def = limitDef();
    const beforeMidnight = Date.UTC(2025, 11, 31, 23, 59, 59, 999);
    const afterMidnight = Date.UTC(2026, 0, 1, 0, 0, 0, 100);
    const r = reading(10.5, afterMidnight, { sourceTime: beforeMidnight });
    const [event] = evaluate(def, initialState(def), r, afterMidnight, () => 'a').events;
    assert.equal(event?.source_time, '2025-12-31T23:59:59.999Z');
    assert.equal(event?.gateway_time, '2026-01-01T00:00:00.100Z');
    assert.equal(event?.event_date, '2025-12-31');
  });

  test('a delay that elapses after midnight dates its event on the new day', () => {
    const def = limitDef({ on_delay_ms: 1000 });
    const lastMinute = Date.UTC(2025, 11, 31, 23, 59, 59, 500) - T0;
    const run = new Scenario(def);
    run.read(10.5, lastMinute);
    const [raise] = run.tick(lastMinute + 1000);
    assert.equal(raise?.source_time, '2026-01-01T00:00:00.500Z');
    assert.equal(raise?.event_date, '2026-01-01');
    assert.equal(raise?.reason.samples?.[0]?.time, '2025-12-31T23:59:59.500Z');
  });

  test('unit is left out when the point has none', () => {
    const [event] = new Scenario(limitDef({}, null)).read(10.5, 0);
    assert.equal('unit' in (event ?? {}), false);
    assert.equal(event?.message, 'boiler-1 drum_pressure H alarm: 10.5 (limit 10)');
  });

  test('limit and deadband: the level entered, or for a clear the level left', () => {
    const run = new Scenario(limitDef({ deadband: 0.5, HH: { value: 12, deadband: 1 } }));
    run.read(12.5, 0);
    run.read(10.5, 100);
    run.read(5, 200);
    assert.deepEqual(
      run.events.map((e) => [e.limit, e.deadband, e.reason.threshold, e.reason.deadband]),
      [
        [12, 1, 12, 1],
        [10, 0.5, 10, 0.5],
        [10, 0.5, 10, 0.5],
      ],
    );
  });

  test('reason samples carry value, quality and RFC 3339 time', () => {
    const [event] = new Scenario(limitDef()).read(10.5, 0, { quality: 'uncertain' });
    assert.deepEqual(event?.reason.samples, [
      { value: 10.5, quality: 'uncertain', time: '2026-01-02T03:04:05.000Z' },
    ]);
  });

  test('an immediate transition names no delay', () => {
    const [event] = new Scenario(limitDef()).read(10.5, 0);
    assert.equal('on_delay_ms' in (event?.reason ?? {}), false);
    assert.equal('off_delay_ms' in (event?.reason ?? {}), false);
  });
});

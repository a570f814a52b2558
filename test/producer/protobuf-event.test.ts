import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVENT_KINDS } from '../../src/config/output-schema.ts';
import { decodeEvent, encodeEvent } from '../../src/producer/protobuf-event.ts';
import { draft } from '../harness/fixtures.ts';

const TRANSITIONS = [
  'raise',
  'clear',
  'level_change',
  'ack',
  'confirm',
  'shelve',
  'unshelve',
  'suppress',
  'unsuppress',
  'out_of_service',
  'in_service',
  'reset',
  'chatter',
  'flood_start',
  'flood_end',
  'command_rejected',
  'events_dropped',
  'buffer_replaced',
];

function roundTrip(event: object): unknown {
  return decodeEvent(encodeEvent(event));
}

describe('alarm events in Protobuf decode to the JSON they were made from', () => {
  test('every kind and transition of the contract', () => {
    for (const kind of EVENT_KINDS) {
      for (const transition of TRANSITIONS) {
        const event = { ...draft(), seq: 42, kind, transition };
        assert.deepEqual(roundTrip(event), event, `${kind} ${transition}`);
      }
    }
  });

  test('values of every type, and null; optional fields absent or present', () => {
    const bare = { ...draft(), seq: 1 } as Record<string, unknown>;
    delete bare.unit;
    delete bare.limit;
    delete bare.deadband;
    for (const value of [0, -3.25, 1e12, true, false, null]) {
      assert.deepEqual(roundTrip({ ...bare, value }), { ...bare, value });
    }
    const operator = { ...draft(), seq: 2, transition: 'ack', actor: 'jdoe', comment: 'seen, valve closed' };
    assert.deepEqual(roundTrip(operator), operator);
  });

  test('state flags all false, level and confirmed, and flags newer than the .proto', () => {
    const flags = {
      active: false,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
    };
    for (const state of [
      flags,
      { ...flags, active: true, level: 'LL' },
      { ...flags, confirmed: false },
      { ...flags, shelved: true, shelved_until: '2026-01-02T05:00:00.000Z', enabled: true },
    ]) {
      const event = { ...draft(), seq: 3, state };
      assert.deepEqual(roundTrip(event), event);
    }
  });

  test('reason: samples, delays, dropped report, native branches and fields newer than the .proto', () => {
    const reasons = [
      {
        rule: 'temp',
        text: 'value 81 >= H limit 80 for 2000 ms (on-delay)',
        threshold: 80,
        deadband: 1,
        on_delay_ms: 2000,
        off_delay_ms: 0,
        samples: [
          { value: 80.5, quality: 'good', time: '2026-01-02T03:04:03.678Z' },
          { value: true, quality: 'uncertain', time: '2026-01-02T03:04:05.678Z' },
          { value: null, quality: 'good', time: '2026-01-02T03:04:05.678Z' },
        ],
      },
      {
        rule: 'buffer_bounds',
        text: '12 events dropped',
        dropped: {
          count: 12,
          first_seq: 100,
          last_seq: 111,
          by_priority: { low: 10, diagnostic: 2 },
          by_cause: { size: 12 },
          policy: 'evict_low_priority',
          since: '2026-01-02T03:00:00.000Z',
        },
      },
      { rule: 'HighAlarm', text: 'server says so', refresh: true, branch_id: 'ns=1;g=abc', branch_of: 'x/y' },
      {
        rule: 'rate',
        text: 'rose 5 bar in 1 s',
        window_ms: 1000,
        rate: 5,
        command: { id: 'c-1', by: 'jdoe' },
      },
    ];
    for (const reason of reasons) {
      const event = { ...draft(), seq: 4, reason };
      assert.deepEqual(roundTrip(event), event);
    }
  });

  test("the alarm engine's operator, chatter and flood details", () => {
    const event = {
      ...draft(),
      seq: 6,
      kind: 'discrete',
      transition: 'shelve',
      actor: 'jdoe',
      comment: 'pump swap',
      command_id: 'cmd-17',
      state: {
        active: true,
        acked: true,
        latched: false,
        shelved: true,
        suppressed: false,
        out_of_service: false,
        shelved_until: '2026-01-02T05:00:00.000Z',
        shelved_one_shot: false,
        isa_state: 'shelved',
      },
      reason: {
        rule: 'run',
        text: 'shelved by jdoe',
        condition: 'a > 3 && !b',
        chatter: { raises: 5, window_ms: 60_000 },
        flood: { alarms: 12, window_ms: 600_000, max_alarms: 10, end_below: 5 },
        suppressed_by: ['site-a/area-1/line-1/asset-1/trip/trip'],
        command: { id: 'cmd-17', action: 'shelve', duration_ms: 3_600_000 },
        samples: [{ value: 4, quality: 'good', time: '2026-01-02T03:04:05.678Z', measure: 4.5 }],
      },
    };
    assert.deepEqual(roundTrip(event), event);
  });

  test('top-level fields newer than the .proto travel and come back', () => {
    const event = { ...draft(), seq: 5, escalation: { level: 2 }, tags: ['a', 'b'] };
    assert.deepEqual(roundTrip(event), event);
  });
});

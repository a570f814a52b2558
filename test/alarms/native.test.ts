import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConditionReport } from '../../src/adapters/condition-report.ts';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent, AlarmEventDraft } from '../../src/alarms/event.ts';
import {
  evaluateNative,
  idOf,
  type NativePlace,
  type NativeState,
  nativeConditionId,
  priorityOfSeverity,
  restoreNativeState,
  unreportedNative,
  vanishedNative,
} from '../../src/alarms/native.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { GatewayError } from '../../src/system/errors.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const place: NativePlace = { gatewayId: 'gw', site: 's', area: 'a', line: 'l', asset: 'tank', device: 'ua' };
const T = Date.UTC(2026, 5, 1, 12);
let counter = 0;
const newId = () => `id-${++counter}`;

function report(overrides: Partial<ConditionReport> = {}): ConditionReport {
  return {
    deviceId: 'ua',
    sourceName: 'Tank/Level',
    conditionName: 'HighLevel',
    active: true,
    acked: false,
    severity: 700,
    message: 'level high',
    retain: true,
    time: T,
    gatewayTime: T + 5,
    ...overrides,
  };
}

describe('native condition transitions (pure)', () => {
  test('a new active condition raises, with the server message, severity and time', () => {
    const { state, events } = evaluateNative(place, undefined, report(), 'live', T + 10, newId);
    assert.equal(events.length, 1);
    const [event] = events as [AlarmEventDraft];
    assert.equal(event.transition, 'raise');
    assert.equal(event.kind, 'native');
    assert.equal(event.point, 'Tank_Level');
    assert.equal(event.alarm, 'HighLevel');
    assert.equal(event.condition_id, 's/a/l/tank/Tank_Level/HighLevel');
    assert.equal(event.severity, 700);
    assert.equal(event.priority, 'high');
    assert.equal(event.message, 'level high');
    assert.equal(event.source_time, new Date(T).toISOString());
    assert.equal(event.reason.refresh, undefined);
    assert.deepEqual([state.flags.active, state.flags.acked], [true, false]);
  });

  test('the same state reported again (a refresh) yields nothing', () => {
    const { state } = evaluateNative(place, undefined, report(), 'live', T, newId);
    const again = evaluateNative(place, state, report(), 'refresh', T + 1000, newId);
    assert.deepEqual(again.events, []);
  });

  test('ack, confirm and clear follow the flags; what a refresh reveals is marked', () => {
    const raised = evaluateNative(place, undefined, report({ confirmed: false }), 'live', T, newId).state;
    const acked = evaluateNative(place, raised, report({ acked: true, confirmed: false }), 'live', T, newId);
    assert.deepEqual(
      acked.events.map((e) => e.transition),
      ['ack'],
    );
    const both = evaluateNative(
      place,
      acked.state,
      report({ active: false, acked: true, confirmed: true }),
      'refresh',
      T,
      newId,
    );
    assert.deepEqual(
      both.events.map((e) => [e.transition, e.state.active, e.reason.refresh]),
      [
        ['confirm', true, true],
        ['clear', false, true],
      ],
    );
  });

  test('an inactive condition never seen before raises nothing', () => {
    assert.deepEqual(
      evaluateNative(place, undefined, report({ active: false }), 'refresh', T, newId).events,
      [],
    );
  });

  test('an active condition a complete refresh no longer mentions clears', () => {
    const previous = evaluateNative(place, undefined, report(), 'live', T, newId).state;
    const { events, state } = vanishedNative(place, previous as NativeState, T + 1, newId);
    assert.deepEqual(
      events.map((e) => [e.transition, e.reason.refresh, e.reason.text]),
      [['clear', true, 'not reported by ConditionRefresh any more']],
    );
    assert.equal(state.flags.active, false);
  });

  test('severity bands and ids', () => {
    assert.deepEqual([900, 700, 500, 300, 1].map(priorityOfSeverity), [
      'critical',
      'high',
      'medium',
      'low',
      'diagnostic',
    ]);
    assert.equal(idOf('2 Tank / Level'), '2_Tank___Level');
    assert.equal(idOf('///'), 'unnamed');
  });
});

describe('native condition branches (pure)', () => {
  const BRANCH = 'ns=1;g=7c1f3b2a-0000-4000-8000-00000000a1b2';

  test('a branch has its own identity, derived from the BranchId, next to the condition', () => {
    const trunk = nativeConditionId(place, report());
    const branch = nativeConditionId(place, report({ branch: BRANCH }));
    assert.equal(branch.point, trunk.point);
    assert.match(branch.alarm, /^HighLevel\.branch-[0-9a-f]{8}$/);
    assert.equal(branch.conditionId, `s/a/l/tank/Tank_Level/${branch.alarm}`);
    assert.deepEqual(branch.branch, { id: BRANCH, of: trunk.conditionId });
    assert.equal(nativeConditionId(place, report({ branch: BRANCH })).alarm, branch.alarm, 'stable');
    assert.notEqual(nativeConditionId(place, report({ branch: `${BRANCH}3` })).alarm, branch.alarm);
    const long = nativeConditionId(place, report({ conditionName: 'x'.repeat(80), branch: BRANCH }));
    assert.equal(long.alarm.length, 64);
  });

  test('a branch is acknowledged and confirmed with the branch id in the reason; no second raise', () => {
    const seen = evaluateNative(
      place,
      undefined,
      report({ branch: BRANCH, active: true, acked: false, confirmed: false }),
      'live',
      T,
      newId,
    );
    assert.deepEqual(seen.events, [], 'the raise was published under the condition itself');
    const acked = evaluateNative(
      place,
      seen.state,
      report({ branch: BRANCH, active: false, acked: true, confirmed: false }),
      'live',
      T + 1,
      newId,
    );
    assert.deepEqual(
      acked.events.map((e) => e.transition),
      ['ack'],
      'no clear either',
    );
    const [event] = acked.events as [AlarmEventDraft];
    assert.equal(event.reason.branch_id, BRANCH);
    assert.equal(event.reason.branch_of, 's/a/l/tank/Tank_Level/HighLevel');
    assert.match(event.condition_id, /\/HighLevel\.branch-[0-9a-f]{8}$/);
    assert.equal(event.kind, 'native');
    const confirmed = evaluateNative(
      place,
      acked.state,
      report({ branch: BRANCH, active: false, acked: true, confirmed: true }),
      'live',
      T + 2,
      newId,
    );
    assert.deepEqual(
      confirmed.events.map((e) => [e.transition, e.reason.branch_id]),
      [['confirm', BRANCH]],
    );
  });

  test('events of the condition itself carry no branch fields', () => {
    const { events } = evaluateNative(place, undefined, report(), 'live', T, newId);
    assert.equal(events[0]?.reason.branch_id, undefined);
    assert.equal(events[0]?.reason.branch_of, undefined);
  });

  test('a branch a refresh no longer mentions was deleted by the server: no clear', () => {
    const seen = evaluateNative(place, undefined, report({ branch: BRANCH }), 'live', T, newId).state;
    const { events, state } = vanishedNative(place, seen, T + 1, newId);
    assert.deepEqual(events, []);
    assert.equal(state.flags.active, false);
  });

  test('the branch survives a restart of the gateway through its saved state', () => {
    const { state } = evaluateNative(place, undefined, report({ branch: BRANCH }), 'live', T, newId);
    assert.deepEqual(restoreNativeState(JSON.parse(JSON.stringify(state)))?.branch, state.branch);
  });
});

describe('native conditions when the server refuses ConditionRefresh (pure)', () => {
  const published = () => evaluateNative(place, undefined, report(), 'live', T, newId).state;

  test('a condition read in another state than published yields the missed transitions, marked and explained', () => {
    const { state, events } = evaluateNative(
      place,
      published(),
      report({ active: false, acked: true, time: T + 50 }),
      'read',
      T + 100,
      newId,
    );
    assert.deepEqual(
      events.map((e) => [e.transition, e.reason.refresh]),
      [
        ['ack', true],
        ['clear', true],
      ],
    );
    for (const event of events) {
      assert.match(
        event.reason.text ?? '',
        /state reconciled by reading, because the server refused ConditionRefresh/,
      );
    }
    assert.equal(events[1]?.source_time, new Date(T + 50).toISOString());
    assert.equal(state.unconfirmed, undefined);
  });

  test('a condition read in the state already published yields nothing', () => {
    assert.deepEqual(evaluateNative(place, published(), report(), 'read', T + 100, newId).events, []);
  });

  test('an active condition a read did not find is unconfirmed, with no event; a refresh that left it out clears it', () => {
    const unread = unreportedNative(place, published(), 'read', T + 1, newId);
    assert.deepEqual(unread.events, []);
    assert.equal(unread.state.unconfirmed, true);
    assert.equal(
      unread.state.flags.active,
      true,
      'what downstream was told stays the state until the server says more',
    );
    const vanished = unreportedNative(place, published(), 'refresh', T + 1, newId);
    assert.deepEqual(
      vanished.events.map((e) => e.transition),
      ['clear'],
    );
  });

  test('inactive conditions and branches a read did not find stay as they were', () => {
    const inactive = evaluateNative(place, published(), report({ active: false }), 'live', T, newId).state;
    assert.equal(unreportedNative(place, inactive, 'read', T, newId).state.unconfirmed, undefined);
    const branch = evaluateNative(place, undefined, report({ branch: 'ns=1;i=7' }), 'live', T, newId).state;
    assert.equal(unreportedNative(place, branch, 'read', T, newId).state.unconfirmed, undefined);
  });

  test('the next event about an unconfirmed condition decides: active is a raise, not swallowed', () => {
    const unconfirmed = unreportedNative(place, published(), 'read', T + 1, newId).state;
    const { state, events } = evaluateNative(
      place,
      unconfirmed,
      report({ time: T + 9 }),
      'live',
      T + 10,
      newId,
    );
    assert.deepEqual(
      events.map((e) => [e.transition, e.state.active, e.reason.refresh]),
      [['raise', true, undefined]],
    );
    assert.match(events[0]?.reason.text ?? '', /published before was unconfirmed .*refused ConditionRefresh/);
    assert.equal(state.unconfirmed, undefined, 'decided');
    assert.deepEqual(
      evaluateNative(place, state, report(), 'live', T + 11, newId).events,
      [],
      'and then trusted',
    );
  });

  test('an acknowledged activation of an unconfirmed condition is one raise, already acknowledged', () => {
    const unconfirmed = unreportedNative(place, published(), 'read', T + 1, newId).state;
    const { events } = evaluateNative(place, unconfirmed, report({ acked: true }), 'live', T + 10, newId);
    assert.deepEqual(
      events.map((e) => [e.transition, e.state.active, e.state.acked]),
      [['raise', true, true]],
    );
  });

  test('the next event about an unconfirmed condition being inactive is its clear', () => {
    const unconfirmed = unreportedNative(place, published(), 'read', T + 1, newId).state;
    const { events } = evaluateNative(place, unconfirmed, report({ active: false }), 'live', T + 10, newId);
    assert.deepEqual(
      events.map((e) => [e.transition, e.state.active]),
      [['clear', false]],
    );
    assert.match(events[0]?.reason.text ?? '', /unconfirmed/);
  });

  test('a later refresh or read decides an unconfirmed condition like any other', () => {
    const unconfirmed = unreportedNative(place, published(), 'read', T + 1, newId).state;
    for (const sync of ['refresh', 'read'] as const) {
      const { state, events } = evaluateNative(place, unconfirmed, report(), sync, T + 10, newId);
      assert.deepEqual(events, [], `${sync}: the same state as published`);
      assert.equal(state.unconfirmed, undefined);
    }
  });

  test('an unconfirmed state is not written to the state table', () => {
    const unconfirmed = unreportedNative(place, published(), 'read', T + 1, newId).state;
    assert.equal(restoreNativeState(JSON.parse(JSON.stringify(unconfirmed)))?.unconfirmed, undefined);
  });
});

describe('native conditions in the evaluator', () => {
  const site: SiteFile = {
    site: 's',
    gateway: { id: 'gw' },
    devices: [
      {
        id: 'ua',
        protocol: 'opcua',
        endpoint: 'opc.tcp://127.0.0.1:4840',
        area: 'a',
        line: 'l',
        asset: 'tank',
        native_conditions: {},
        points: [{ id: 'level', node_id: 'ns=2;s=L' }],
      },
    ],
  };

  function setup(restored = new Map<string, unknown>()) {
    const events: AlarmEvent[] = [];
    const states = new Map<string, unknown>();
    let fail = false;
    const evaluator = new AlarmEvaluator({
      alarms: compileAlarms(site),
      identity: { gatewayId: site.gateway.id, site: site.site },
      restored,
      commit: ({ changes, drafts }: CommitRequest) => {
        if (fail) throw new GatewayError('BUFFER_WRITE', 'disk full');
        for (const change of changes) states.set(change.conditionId, change.state);
        const committed = drafts.map((d) => ({ ...d, seq: events.length + 1 }));
        events.push(...committed);
        return committed;
      },
      newId,
      logger: createLogger('silent'),
      now: () => T,
    });
    return { evaluator, events, states, failNext: () => (fail = true), recover: () => (fail = false) };
  }

  test('state and events are committed together, and a restart remembers what was published', () => {
    const first = setup();
    assert.equal(first.evaluator.conditions('ua', [report()], 'live'), true);
    assert.deepEqual(
      first.events.map((e) => e.transition),
      ['raise'],
    );
    const restarted = setup(first.states);
    assert.equal(restarted.evaluator.conditions('ua', [report()], 'refresh'), true);
    assert.equal(restarted.events.length, 0, 'a refresh of the published state is no news');
    restarted.evaluator.conditions('ua', [], 'refresh');
    assert.deepEqual(
      restarted.events.map((e) => [e.transition, e.reason.refresh]),
      [['clear', true]],
    );
  });

  test('a failed commit rolls back, so the same report decides again', () => {
    const { evaluator, events, failNext, recover } = setup();
    failNext();
    assert.equal(evaluator.conditions('ua', [report()], 'live'), false);
    recover();
    assert.equal(evaluator.conditions('ua', [report()], 'live'), true);
    assert.deepEqual(
      events.map((e) => e.transition),
      ['raise'],
    );
  });

  test('a branch and its condition are kept apart, also through a refresh and a restart', () => {
    const BRANCH = 'ns=1;i=90001';
    const first = setup();
    first.evaluator.conditions('ua', [report()], 'live');
    first.evaluator.conditions('ua', [report({ active: false })], 'live');
    // Active again while the first activation is still unacknowledged: the server keeps that one as a branch.
    first.evaluator.conditions(
      'ua',
      [report({ branch: BRANCH, active: false, acked: false }), report({ time: T + 10 })],
      'live',
    );
    first.evaluator.conditions('ua', [report({ branch: BRANCH, active: false, acked: true })], 'live');
    assert.deepEqual(
      first.events.map((e) => [e.transition, e.reason.branch_id]),
      [
        ['raise', undefined],
        ['clear', undefined],
        ['raise', undefined],
        ['ack', BRANCH],
      ],
    );
    const restarted = setup(first.states);
    // The branch is gone from the refresh (acknowledged and deleted), the condition still active: no news.
    assert.equal(restarted.evaluator.conditions('ua', [report()], 'refresh'), true);
    assert.deepEqual(restarted.events, []);
  });

  test('after a gateway restart with ConditionRefresh refused: what was read is reconciled, what was not is decided by the next event', () => {
    const first = setup();
    first.evaluator.conditions('ua', [report(), report({ conditionName: 'LowLevel' })], 'live');
    assert.equal(first.events.length, 2);
    const restarted = setup(first.states);
    // HighLevel cleared while the gateway was stopped and its node was read; LowLevel could not be read.
    assert.equal(
      restarted.evaluator.conditions('ua', [report({ active: false, acked: true })], 'read'),
      true,
    );
    assert.deepEqual(
      restarted.events.map((e) => [e.alarm, e.transition, e.reason.refresh]),
      [
        ['HighLevel', 'ack', true],
        ['HighLevel', 'clear', true],
      ],
    );
    // LowLevel's next event says active: it may have cleared and been raised again unseen, so it is published.
    restarted.evaluator.conditions('ua', [report({ conditionName: 'LowLevel', time: T + 60_000 })], 'live');
    assert.deepEqual(
      restarted.events.slice(2).map((e) => [e.alarm, e.transition]),
      [['LowLevel', 'raise']],
    );
    // And HighLevel's next raise is a raise: the gateway knows it cleared.
    restarted.evaluator.conditions('ua', [report({ time: T + 61_000 })], 'live');
    assert.deepEqual(
      restarted.events.slice(3).map((e) => [e.alarm, e.transition]),
      [['HighLevel', 'raise']],
    );
  });

  test('devices without native_conditions are ignored', () => {
    const { evaluator, events } = setup();
    assert.equal(evaluator.conditions('other', [report()], 'live'), true);
    assert.deepEqual(events, []);
  });
});

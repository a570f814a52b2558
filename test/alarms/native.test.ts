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
    const { state, events } = evaluateNative(place, undefined, report(), false, T + 10, newId);
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
    const { state } = evaluateNative(place, undefined, report(), false, T, newId);
    const again = evaluateNative(place, state, report(), true, T + 1000, newId);
    assert.deepEqual(again.events, []);
  });

  test('ack, confirm and clear follow the flags; what a refresh reveals is marked', () => {
    const raised = evaluateNative(place, undefined, report({ confirmed: false }), false, T, newId).state;
    const acked = evaluateNative(place, raised, report({ acked: true, confirmed: false }), false, T, newId);
    assert.deepEqual(
      acked.events.map((e) => e.transition),
      ['ack'],
    );
    const both = evaluateNative(
      place,
      acked.state,
      report({ active: false, acked: true, confirmed: true }),
      true,
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
    assert.deepEqual(evaluateNative(place, undefined, report({ active: false }), true, T, newId).events, []);
  });

  test('an active condition a complete refresh no longer mentions clears', () => {
    const previous = evaluateNative(place, undefined, report(), false, T, newId).state;
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
      false,
      T,
      newId,
    );
    assert.deepEqual(seen.events, [], 'the raise was published under the condition itself');
    const acked = evaluateNative(
      place,
      seen.state,
      report({ branch: BRANCH, active: false, acked: true, confirmed: false }),
      false,
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
      false,
      T + 2,
      newId,
    );
    assert.deepEqual(
      confirmed.events.map((e) => [e.transition, e.reason.branch_id]),
      [['confirm', BRANCH]],
    );
  });

  test('events of the condition itself carry no branch fields', () => {
    const { events } = evaluateNative(place, undefined, report(), false, T, newId);
    assert.equal(events[0]?.reason.branch_id, undefined);
    assert.equal(events[0]?.reason.branch_of, undefined);
  });

  test('a branch a refresh no longer mentions was deleted by the server: no clear', () => {
    const seen = evaluateNative(place, undefined, report({ branch: BRANCH }), false, T, newId).state;
    const { events, state } = vanishedNative(place, seen, T + 1, newId);
    assert.deepEqual(events, []);
    assert.equal(state.flags.active, false);
  });

  test('the branch survives a restart of the gateway through its saved state', () => {
    const { state } = evaluateNative(place, undefined, report({ branch: BRANCH }), false, T, newId);
    assert.deepEqual(restoreNativeState(JSON.parse(JSON.stringify(state)))?.branch, state.branch);
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
    assert.equal(first.evaluator.conditions('ua', [report()], false), true);
    assert.deepEqual(
      first.events.map((e) => e.transition),
      ['raise'],
    );
    const restarted = setup(first.states);
    assert.equal(restarted.evaluator.conditions('ua', [report()], true), true);
    assert.equal(restarted.events.length, 0, 'a refresh of the published state is no news');
    restarted.evaluator.conditions('ua', [], true);
    assert.deepEqual(
      restarted.events.map((e) => [e.transition, e.reason.refresh]),
      [['clear', true]],
    );
  });

  test('a failed commit rolls back, so the same report decides again', () => {
    const { evaluator, events, failNext, recover } = setup();
    failNext();
    assert.equal(evaluator.conditions('ua', [report()], false), false);
    recover();
    assert.equal(evaluator.conditions('ua', [report()], false), true);
    assert.deepEqual(
      events.map((e) => e.transition),
      ['raise'],
    );
  });

  test('a branch and its condition are kept apart, also through a refresh and a restart', () => {
    const BRANCH = 'ns=1;i=90001';
    const first = setup();
    first.evaluator.conditions('ua', [report()], false);
    first.evaluator.conditions('ua', [report({ active: false })], false);
    // Active again while the first activation is still unacknowledged: the server keeps that one as a branch.
    first.evaluator.conditions(
      'ua',
      [report({ branch: BRANCH, active: false, acked: false }), report({ time: T + 10 })],
      false,
    );
    first.evaluator.conditions('ua', [report({ branch: BRANCH, active: false, acked: true })], false);
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
    assert.equal(restarted.evaluator.conditions('ua', [report()], true), true);
    assert.deepEqual(restarted.events, []);
  });

  test('devices without native_conditions are ignored', () => {
    const { evaluator, events } = setup();
    assert.equal(evaluator.conditions('other', [report()], false), true);
    assert.deepEqual(events, []);
  });
});

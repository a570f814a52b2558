import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import type { OperatorCommand } from '../../src/alarms/command.ts';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import type { AlarmSettings, SiteFile } from '../../src/config/schema.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const site = (settings?: AlarmSettings): SiteFile => ({
  site: 'plant',
  gateway: { id: 'gw', ...(settings ? { alarms: settings } : {}) },
  devices: [
    {
      id: 'plc',
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      area: 'a',
      line: 'l',
      asset: 'pump',
      points: [
        { id: 'running', register: 'coil', address: 0 },
        {
          id: 'pressure',
          register: 'holding',
          address: 0,
          alarms: [
            { id: 'low', kind: 'limit', L: { value: 2 }, priority: 'low', suppress_when: 'running == false' },
            { id: 'high', kind: 'limit', H: { value: 10 }, priority: 'high', on_delay_ms: 5000 },
          ],
        },
        ...Array.from({ length: 12 }, (_, index) => ({
          id: `trip${index}`,
          register: 'coil' as const,
          address: 10 + index,
          alarms: [
            {
              id: 'trip',
              kind: 'discrete' as const,
              priority: index < 6 ? ('low' as const) : ('critical' as const),
            },
          ],
        })),
      ],
    },
  ],
});

/** A store that keeps states and events like the buffer, and the ids of commands it applied. */
function harness(
  settings?: AlarmSettings,
  restored = new Map<string, unknown>(),
  start = Date.UTC(2026, 5, 1),
) {
  let now = start;
  let ids = 0;
  const events: AlarmEvent[] = [];
  const states = new Map<string, unknown>(restored);
  const commands = new Set<string>();
  const make = () =>
    new AlarmEvaluator({
      alarms: compileAlarms(site(settings)),
      identity: { gatewayId: 'gw', site: 'plant' },
      ...(settings ? { settings } : {}),
      restored: new Map(states),
      commit: ({ changes, drafts, commandId }: CommitRequest) => {
        for (const change of changes)
          states.set(change.conditionId, JSON.parse(JSON.stringify(change.state)));
        if (commandId) commands.add(commandId);
        const committed = drafts.map((draft) => ({ ...draft, seq: events.length + 1 }));
        events.push(...committed);
        return committed;
      },
      commandApplied: (id) => commands.has(id),
      newId: () => `id-${++ids}`,
      logger: createLogger('silent'),
      now: () => now,
    });
  const read = (pointId: string, value: number | boolean): Reading => ({
    deviceId: 'plc',
    pointId,
    value,
    quality: 'good',
    gatewayTime: now,
  });
  return {
    events,
    states,
    make,
    read,
    advance: (ms: number) => {
      now += ms;
    },
    transitions: () => events.map((event) => `${event.alarm}:${event.transition}`),
  };
}

const command = (fields: Partial<OperatorCommand>): OperatorCommand => ({
  command_id: 'c-1',
  site: 'plant',
  action: 'ack',
  actor: 'jdoe',
  ...fields,
});

describe('operator commands through the evaluator', () => {
  test('a command is applied once: its id again is a duplicate', () => {
    const h = harness();
    const evaluator = h.make();
    evaluator.readings([h.read('pressure', 12)]);
    h.advance(6000);
    evaluator.readings([h.read('pressure', 12)]);
    const id = 'plant/a/l/pump/pressure/high';
    const first = evaluator.command(command({ condition_id: id }));
    assert.deepEqual([first.accepted, first.duplicate, first.events[0]?.transition], [true, false, 'ack']);
    assert.equal(first.events[0]?.command_id, 'c-1');
    const again = evaluator.command(command({ condition_id: id }));
    assert.deepEqual([again.accepted, again.duplicate, again.events], [true, true, []]);
    // Even a fresh gateway on the same buffer knows it.
    assert.equal(h.make().command(command({ condition_id: id })).duplicate, true);
  });

  test('ack of a scope acknowledges every unacknowledged alarm under it', () => {
    const h = harness();
    const evaluator = h.make();
    evaluator.readings([h.read('trip0', true), h.read('trip1', true), h.read('trip2', true)]);
    const outcome = evaluator.command(command({ scope: 'plant/a/l/pump' }));
    assert.equal(outcome.events.length, 3);
    assert.ok(outcome.events.every((event) => event.transition === 'ack' && event.actor === 'jdoe'));
    const none = evaluator.command(command({ command_id: 'c-2', scope: 'plant/a' }));
    assert.deepEqual([none.accepted, none.reason], [false, 'no alarm under plant/a is unacknowledged']);
    assert.equal(none.events[0]?.transition, 'command_rejected');
  });

  test('unknown alarms, other sites and refused actions are answered with a rejection event', () => {
    const h = harness();
    const evaluator = h.make();
    const unknown = evaluator.command(command({ condition_id: 'plant/a/l/pump/nothing/here' }));
    assert.equal(unknown.reason, 'no alarm plant/a/l/pump/nothing/here on this gateway');
    const [event] = unknown.events;
    assert.deepEqual(
      [event?.kind, event?.transition, event?.actor, event?.command_id, event?.reason.command?.condition_id],
      ['system', 'command_rejected', 'jdoe', 'c-1', 'plant/a/l/pump/nothing/here'],
    );
    const other = evaluator.command(command({ command_id: 'c-2', site: 'elsewhere', condition_id: 'x' }));
    assert.match(other.reason ?? '', /for site elsewhere; this gateway serves plant/);
    const acked = evaluator.command(
      command({ command_id: 'c-3', condition_id: 'plant/a/l/pump/pressure/high' }),
    );
    assert.equal(acked.reason, 'the alarm is already acknowledged');
    const invalid = evaluator.reject({ command_id: 'c-5', action: 'explode' }, 'unknown action "explode"');
    assert.equal(invalid.events[0]?.reason.command?.action, 'explode');
    assert.equal(evaluator.reject({ command_id: 'c-5' }, 'again').duplicate, true);
  });
});

describe('suppression by design across points', () => {
  test('the low-pressure alarm is suppressed while the pump is stopped', () => {
    const h = harness();
    const evaluator = h.make();
    evaluator.readings([h.read('running', false), h.read('pressure', 0)]);
    assert.deepEqual(
      h.transitions(),
      ['low:suppress'],
      'suppressed before the reading of the same poll decides',
    );
    evaluator.readings([h.read('running', true), h.read('pressure', 0)]);
    assert.deepEqual(h.transitions(), ['low:suppress', 'low:unsuppress']);
    assert.equal(h.events[1]?.state.active, true, 'the pressure is low: shown active when the pump runs');
    assert.equal(h.events[0]?.reason.condition, 'running == false');
  });
});

describe('floods', () => {
  test('more than max_alarms raises in an area start a flood; it ends when the window empties', () => {
    const h = harness({ flood: { max_alarms: 4, window_ms: 60_000, end_below: 2 } });
    const evaluator = h.make();
    for (let index = 0; index < 5; index++) {
      evaluator.readings([h.read(`trip${index + 6}`, true)]);
      h.advance(1000);
    }
    const flood = h.events.find((event) => event.transition === 'flood_start');
    assert.ok(flood);
    assert.deepEqual(flood.reason.flood, { alarms: 5, window_ms: 60_000, max_alarms: 4, end_below: 2 });
    assert.equal(flood.condition_id, 'plant/a/_gateway/gw/alarms/flood');
    assert.deepEqual(evaluator.kpis().inFlood, ['a']);
    h.advance(60_000);
    evaluator.tick();
    assert.equal(h.events.at(-1)?.transition, 'flood_end');
    const kpis = evaluator.kpis();
    assert.deepEqual(kpis.inFlood, []);
    assert.ok((kpis.floodPercent.a ?? 0) > 0);
    assert.equal(kpis.annunciatedPer10Min.a, 5);
    assert.equal(kpis.activeByPriority.critical, 5);
    assert.equal(kpis.unacknowledged, 5);
  });

  test('during a flood low-priority raises are suppressed, and shown when it ends', () => {
    const h = harness({
      flood: { max_alarms: 2, window_ms: 60_000, end_below: 1, suppress_below: 'medium' },
    });
    const evaluator = h.make();
    evaluator.readings([h.read('trip6', true), h.read('trip7', true), h.read('trip8', true)]);
    assert.equal(h.events.at(-1)?.transition, 'flood_start');
    evaluator.readings([h.read('trip0', true)]);
    assert.deepEqual(h.transitions().slice(-1), ['trip:suppress']);
    assert.equal(h.events.at(-1)?.priority, 'low');
    h.advance(61_000);
    evaluator.tick();
    assert.deepEqual(h.transitions().slice(-2), ['flood:flood_end', 'trip:unsuppress']);
    assert.equal(h.events.at(-1)?.state.active, true);
  });
});

describe('restart safety', () => {
  test('shelving that expired while the gateway was down expires at start', () => {
    const h = harness();
    const first = h.make();
    first.readings([h.read('trip0', true)]);
    const id = 'plant/a/l/pump/trip0/trip';
    first.command(command({ action: 'shelve', condition_id: id, duration_ms: 60_000 }));
    first.readings([h.read('trip0', false)]);
    h.advance(3_600_000);
    const second = h.make();
    second.tick();
    const last = h.events.at(-1);
    assert.deepEqual([last?.transition, last?.actor, last?.state.active], ['unshelve', 'gateway', false]);
  });

  test('an on-delay survives a restart and fires on the next reading that agrees', () => {
    const h = harness();
    const first = h.make();
    first.readings([h.read('pressure', 12)]);
    assert.ok(h.states.has('plant/a/l/pump/pressure/high'), 'the started delay is committed');
    h.advance(6000);
    const second = h.make();
    second.tick();
    assert.deepEqual(h.transitions(), [], 'not on a tick: nobody watched the point meanwhile');
    second.readings([h.read('pressure', 12)]);
    assert.deepEqual(h.transitions(), ['high:raise']);
    assert.match(h.events[0]?.reason.text ?? '', /for 6000 ms \(on-delay 5000 ms\)/);
  });

  test('chatter windows and flood state persist', () => {
    const h = harness({ flood: { max_alarms: 2, window_ms: 600_000 } });
    const first = h.make();
    first.readings([h.read('trip6', true), h.read('trip7', true), h.read('trip8', true)]);
    assert.equal(h.events.at(-1)?.transition, 'flood_start');
    const second = h.make();
    assert.deepEqual(second.kpis().inFlood, ['a']);
    second.readings([h.read('trip9', true)]);
    assert.equal(
      h.events.filter((event) => event.transition === 'flood_start').length,
      1,
      'the flood goes on',
    );
  });
});

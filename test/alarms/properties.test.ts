/**
 * Invariants of the alarm engine over random sequences of readings, ticks,
 * operator commands and suppression, on random rules: whatever happens, the
 * events tell a consistent story.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Quality } from '../../src/adapters/reading.ts';
import type { CommandAction } from '../../src/alarms/command.ts';
import { tick } from '../../src/alarms/engine.ts';
import type { AlarmEventDraft, AlarmStateFlags } from '../../src/alarms/event.ts';
import { limitDef, Scenario, sequentialIds, T0 } from './fixtures.ts';

type Op =
  | { type: 'read'; value: number | null; quality: Quality; dt: number }
  | { type: 'tick'; dt: number }
  | { type: 'command'; action: CommandAction; duration: number; oneShot: boolean; dt: number }
  | { type: 'suppress'; on: boolean; dt: number };

const dt = fc.integer({ min: 0, max: 4000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('read' as const),
      value: fc.oneof(
        { weight: 9, arbitrary: fc.integer({ min: 0, max: 15 }) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      quality: fc.constantFrom<Quality>('good', 'good', 'uncertain', 'bad'),
      dt,
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('tick' as const), dt }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('command' as const),
      action: fc.constantFrom<CommandAction>(
        'ack',
        'shelve',
        'unshelve',
        'remove_from_service',
        'return_to_service',
        'reset',
      ),
      duration: fc.integer({ min: 1000, max: 20_000 }),
      oneShot: fc.boolean(),
      dt,
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('suppress' as const), on: fc.boolean(), dt }) },
);

const rule = fc.record({
  deadband: fc.constantFrom(0, 0.5, 1),
  on_delay_ms: fc.constantFrom(0, 0, 1500),
  off_delay_ms: fc.constantFrom(0, 0, 1500),
  latch: fc.boolean(),
  realarm_ms: fc.constantFrom(undefined, 5000),
  chatter: fc.constantFrom(
    undefined,
    { max_raises: 2, window_ms: 10_000 },
    { max_raises: 2, window_ms: 10_000, shelve_ms: 5000 },
  ),
});

const FLAGS = [
  'active',
  'acked',
  'latched',
  'shelved',
  'suppressed',
  'out_of_service',
  'level',
  'shelved_until',
  'shelved_one_shot',
] as const;
const flagsOf = (flags: AlarmStateFlags) => FLAGS.map((name) => flags[name]).join(',');
const hidden = (flags: AlarmStateFlags) => flags.shelved || flags.suppressed || flags.out_of_service;
/** Annotations: they report, and change no flag. */
const ANNOTATIONS = new Set(['chatter']);

test('engine invariants hold for any sequence of readings, ticks, commands and suppression', () => {
  fc.assert(
    fc.property(rule, fc.array(op, { minLength: 1, maxLength: 60 }), (options, ops) => {
      const { chatter, realarm_ms, ...limits } = options;
      const def = {
        ...limitDef({
          H: { value: 10 },
          HH: { value: 12 },
          L: { value: 2 },
          LL: undefined,
          ...limits,
          ...(realarm_ms ? { realarm_ms } : {}),
        }),
        ...(chatter ? { chatter } : {}),
      };
      const run = new Scenario(def);
      let at = 0;
      for (const step of ops) {
        at += step.dt;
        const before = run.state;
        let events: AlarmEventDraft[] = [];
        if (step.type === 'read') {
          events = run.read(step.value, at, { quality: step.quality });
          if (step.quality === 'bad' || step.value === null) {
            // Only a delay that came due fires, exactly as a tick at that moment would have.
            const ticked = tick(def, before, T0 + at, sequentialIds()).state;
            assert.equal(
              run.state.process.active,
              ticked.process.active,
              'bad quality never changes activity',
            );
            // Lifecycle timers (shelving expiry) run on ticks only: the shown activity is either unchanged or the tick's.
            assert.ok(
              [before.flags.active, ticked.flags.active].includes(run.state.flags.active),
              'bad quality never changes activity',
            );
          }
        } else if (step.type === 'tick') {
          events = run.tick(at);
        } else if (step.type === 'suppress') {
          events = run.suppress('design', step.on, at);
        } else {
          const result = run.command(
            { action: step.action, ...(step.oneShot ? { one_shot: true } : { duration_ms: step.duration }) },
            at,
          );
          events = typeof result === 'string' ? [] : result;
          if (typeof result === 'string')
            assert.equal(run.state, before, 'a refused command changes nothing');
        }
        let flags = before.flags;
        for (const event of events) {
          if (event.transition === 'ack')
            assert.equal(flags.acked, false, 'ack only of an unacknowledged alarm');
          if (event.transition === 'clear') assert.equal(flags.active, true, 'no clear without a raise');
          if (['raise', 'level_change', 'realarm'].includes(event.transition)) {
            assert.equal(
              hidden(event.state),
              false,
              'a shelved, suppressed or out-of-service alarm never annunciates',
            );
          }
          if (ANNOTATIONS.has(event.transition)) {
            assert.equal(flagsOf(event.state), flagsOf(flags), `${event.transition} changes no flag`);
          } else {
            assert.notEqual(
              flagsOf(event.state),
              flagsOf(flags),
              `${event.transition}: every event is a change of flags`,
            );
          }
          const { isa_state: _isa, ...rest } = event.state;
          flags = rest;
        }
        assert.equal(flagsOf(flags), flagsOf(run.state.flags), 'the flags change only through events');
        if (run.state.flags.active && run.state.flags.level === undefined)
          assert.fail('an active limit alarm has a level');
      }
    }),
    { numRuns: 400 },
  );
});

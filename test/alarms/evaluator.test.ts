import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Reading } from '../../src/adapters/reading.ts';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { REFUSED_SETTLE_MS } from '../../src/alarms/refused-transitions.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { GatewayError } from '../../src/system/errors.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const site: SiteFile = {
  site: 'plant',
  gateway: { id: 'gw-1' },
  devices: [
    {
      id: 'plc',
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      area: 'a',
      line: 'l',
      asset: 'tank',
      points: [
        {
          id: 'level',
          register: 'holding',
          address: 0,
          alarms: [{ id: 'high', kind: 'limit', H: { value: 80 }, on_delay_ms: 1000 }],
        },
        { id: 'leak', register: 'coil', address: 0, alarms: [{ id: 'leak', kind: 'discrete' }] },
      ],
    },
  ],
};

/** Plays the buffer: numbers events, keeps what was committed, and can be told to fail. */
class Store {
  failNext = false;
  /** Refuses every commit while set, as a full disk does. */
  full = false;
  readonly events: AlarmEvent[] = [];
  readonly states = new Map<string, unknown>();
  commit = ({ changes, drafts }: CommitRequest): AlarmEvent[] => {
    if (this.failNext || this.full) {
      this.failNext = false;
      throw new GatewayError('BUFFER_WRITE', 'database or disk is full');
    }
    for (const change of changes) this.states.set(change.conditionId, change.state);
    const committed = drafts.map((draft) => ({ ...draft, seq: this.events.length + 1 }));
    this.events.push(...committed);
    return committed;
  };
}

function setup(restored = new Map<string, unknown>()) {
  let now = Date.UTC(2026, 5, 1);
  let ids = 0;
  const store = new Store();
  const evaluator = new AlarmEvaluator({
    alarms: compileAlarms(site),
    identity: { gatewayId: site.gateway.id, site: site.site },
    restored,
    commit: store.commit,
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
  return { store, evaluator, read, advance: (ms: number) => (now += ms) };
}

describe('AlarmEvaluator', () => {
  test('commits the events of one batch of readings together with the states that produced them', () => {
    const { store, evaluator, read } = setup();
    evaluator.readings([read('leak', true), read('level', 10)]);
    assert.deepEqual(
      store.events.map((e) => `${e.alarm}:${e.transition}`),
      ['leak:raise'],
    );
    // The area's flood window counts the raise in the same commit.
    assert.deepEqual([...store.states.keys()], ['plant/a/l/tank/leak/leak', '_flood/a']);
    assert.equal(evaluator.eventsCommitted, 1);
  });

  test('a commit that fails is not lost: the next reading decides the same transition again', () => {
    const { store, evaluator, read } = setup();
    store.failNext = true;
    evaluator.readings([read('leak', true)]);
    assert.equal(store.events.length, 0);
    evaluator.readings([read('leak', true)]);
    assert.deepEqual(
      store.events.map((e) => `${e.alarm}:${e.transition}:${e.seq}`),
      ['leak:raise:1'],
    );
  });

  test('a raise and clear entirely inside a refusal window are reported as dropped once settled', () => {
    const { store, evaluator, read, advance } = setup();
    store.full = true;
    evaluator.readings([read('leak', true)]);
    advance(1000);
    evaluator.readings([read('leak', true)]);
    advance(1000);
    evaluator.readings([read('leak', false)]);
    store.full = false;
    // Settled counts from the last time the raise was decided (and refused), 1 s before the clear.
    advance(REFUSED_SETTLE_MS - 1001);
    evaluator.tick();
    assert.deepEqual(
      store.events.map((e) => `${e.alarm}:${e.transition}`),
      [],
      'not yet settled',
    );
    advance(1);
    evaluator.tick();
    const reports = store.events.filter((e) => e.transition === 'events_dropped');
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]?.reason.dropped?.by_cause, { refused: 1 });
    assert.deepEqual(reports[0]?.reason.dropped?.by_priority, { medium: 1 }, 'the leak is medium by default');
    assert.equal(reports[0]?.reason.dropped?.first_seq, 0);
    assert.match(reports[0]?.reason.text ?? '', /1 transitions decided while the buffer refused commits/);
    advance(REFUSED_SETTLE_MS);
    evaluator.tick();
    assert.equal(store.events.length, 1, 'reported once');
  });

  test('a report the buffer refuses too is tried again a few seconds later', () => {
    const { store, evaluator, read, advance } = setup();
    store.full = true;
    evaluator.readings([read('leak', true)]);
    evaluator.readings([read('leak', false)]);
    advance(REFUSED_SETTLE_MS);
    evaluator.tick();
    store.full = false;
    evaluator.tick();
    assert.equal(store.events.length, 0, 'not at once');
    advance(5000);
    evaluator.tick();
    assert.deepEqual(
      store.events.map((e) => e.transition),
      ['events_dropped'],
    );
  });

  test('a refused raise decided again and committed after the refusal is not reported', () => {
    const { store, evaluator, read, advance } = setup();
    store.full = true;
    evaluator.readings([read('leak', true)]);
    store.full = false;
    advance(500);
    evaluator.readings([read('leak', true)]);
    advance(REFUSED_SETTLE_MS * 2);
    evaluator.tick();
    assert.deepEqual(
      store.events.map((e) => `${e.alarm}:${e.transition}`),
      ['leak:raise'],
    );
  });

  test('a delayed raise fires from tick() when no reading comes, and is retried if its commit fails', () => {
    const { store, evaluator, read, advance } = setup();
    evaluator.readings([read('level', 90)]);
    assert.equal(store.events.length, 0, 'on-delay running');
    advance(1000);
    store.failNext = true;
    evaluator.tick();
    assert.equal(store.events.length, 0);
    evaluator.tick();
    assert.deepEqual(
      store.events.map((e) => `${e.alarm}:${e.transition}`),
      ['high:raise'],
    );
  });

  test('communication loss drives the device comm alarm', () => {
    const { store, evaluator } = setup();
    evaluator.communication('plc', false, 'ok', 0);
    evaluator.communication('plc', true, '3 failed polls', 0);
    evaluator.communication('plc', false, 'ok', 0);
    assert.deepEqual(
      store.events.map((e) => `${e.kind}:${e.transition}`),
      ['comm:raise', 'comm:clear'],
    );
    evaluator.communication('unknown-device', true, 'x', 0);
    assert.equal(store.events.length, 2);
  });

  test('a communication loss the buffer refused says so and is decided again when asked again', () => {
    const { store, evaluator } = setup();
    assert.equal(evaluator.communication('plc', false, 'ok', 0), true);
    store.failNext = true;
    assert.equal(evaluator.communication('plc', true, '3 failed polls', 0), false);
    assert.equal(store.events.length, 0);
    assert.equal(evaluator.communication('plc', true, '3 failed polls', 0), true);
    assert.deepEqual(
      store.events.map((e) => `${e.kind}:${e.transition}`),
      ['comm:raise'],
    );
  });

  test('resumes from restored state: an alarm active before a restart is not raised again, and clears', () => {
    const first = setup();
    first.evaluator.readings([first.read('leak', true)]);
    const second = setup(first.store.states);
    second.evaluator.readings([second.read('leak', true)]);
    assert.equal(second.store.events.length, 0, 'no second raise');
    second.evaluator.readings([second.read('leak', false)]);
    assert.deepEqual(
      second.store.events.map((e) => e.transition),
      ['clear'],
    );
  });

  test('a restored state it cannot read starts from normal instead of failing', () => {
    const { store, evaluator, read } = setup(new Map([['plant/a/l/tank/leak/leak', { nonsense: true }]]));
    evaluator.readings([read('leak', true)]);
    assert.deepEqual(
      store.events.map((e) => e.transition),
      ['raise'],
    );
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { AlarmEventDraft } from '../../src/alarms/event.ts';
import { droppedEventsDraft } from '../../src/alarms/system-event.ts';
import type { BufferBounds } from '../../src/buffer/bounds.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';

const identity = { gatewayId: 'gw-test', site: 'site-a' };
let ids = 0;

describe('Outbox bounds', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;
  let clock: number;
  /** Every test event has the same size, so a bound can be stated in events. */
  let eventBytes: number;

  const open = (bounds: Partial<BufferBounds>, reportIntervalMs = 0) =>
    new Outbox({
      path,
      shapeOf: recordShape,
      now: () => clock,
      bounded: {
        bounds: {
          maxBytes: Number.POSITIVE_INFINITY,
          maxAgeMs: undefined,
          whenFull: 'evict_low_priority',
          diskReserveBytes: 0,
          ...bounds,
        },
        report: (tally, now) =>
          droppedEventsDraft(
            identity,
            tally,
            bounds.whenFull ?? 'evict_low_priority',
            now,
            () => `report-${++ids}`,
          ),
        reportIntervalMs,
      },
    });
  const low = (): AlarmEventDraft => draft({ priority: 'low' });
  const critical = (): AlarmEventDraft => draft({ priority: 'critical' });
  const plantEvents = (outbox: Outbox) =>
    outbox
      .peek(1000, 1e12)
      .map((stored) => JSON.parse(stored.payload) as { seq: number; priority: string; kind: string });

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'buffer.db');
    clock = 1_000_000;
    const probe = new Outbox({ path: join(temp.dir, 'probe.db'), shapeOf: recordShape });
    probe.commit([], [draft()]);
    eventBytes = probe.stats().bytes;
    probe.close();
  });
  afterEach(() => temp.remove());

  test('a full buffer evicts the lowest priority first, oldest first, and reports the gap in the stream', () => {
    const outbox = open({ maxBytes: eventBytes * 4.5 });
    outbox.commit([], [critical(), low(), critical(), low()]);
    outbox.peek(0, 0);
    const committed = outbox.commit([], [critical(), critical()]);
    const kept = plantEvents(outbox);
    assert.deepEqual(
      kept.filter((e) => e.kind !== 'system').map((e) => e.seq),
      [1, 3, 5, 6],
      'both low-priority events went, the criticals stayed',
    );
    const report = committed.find((e) => e.kind === 'system');
    assert.ok(report, 'the gap is reported in the same commit');
    assert.equal(report.transition, 'events_dropped');
    assert.deepEqual(report.reason.dropped?.by_priority, { low: 2 });
    assert.deepEqual(report.reason.dropped?.by_cause, { size: 2 });
    assert.equal(report.reason.dropped?.first_seq, 2);
    assert.equal(report.reason.dropped?.last_seq, 4);
    assert.equal(report.seq, 7);
    assert.equal(outbox.stats().dropped, 2);
    outbox.close();
  });

  test('critical events go too when nothing else is left, oldest first', () => {
    const outbox = open({ maxBytes: eventBytes * 2.5 });
    outbox.commit([], [critical(), critical(), critical(), critical()]);
    const seqs = plantEvents(outbox)
      .filter((e) => e.kind !== 'system')
      .map((e) => e.seq);
    assert.deepEqual(seqs, [3, 4]);
    outbox.close();
  });

  test('events being sent are never evicted', () => {
    const outbox = open({ maxBytes: eventBytes * 3.5 });
    outbox.commit([], [low(), low(), low()]);
    const inFlight = outbox.peek(2, 1e12);
    outbox.commit([], [critical(), critical()]);
    const seqs = plantEvents(outbox).map((e) => e.seq);
    assert.ok(seqs.includes(1) && seqs.includes(2), `leased events kept: ${seqs}`);
    assert.ok(!seqs.includes(3), 'the unleased low-priority event went');
    outbox.remove(inFlight);
    outbox.close();
  });

  test('a live batch being sent is never evicted either: no loss is reported for events that are delivered', () => {
    const outbox = open({ maxBytes: eventBytes * 6.5 });
    outbox.commit([], [critical(), critical(), critical()]);
    outbox.peek(1, 1e12);
    clock += 20_000;
    outbox.commit(
      [],
      [draft({ priority: 'low', asset: 'fresh-1' }), draft({ priority: 'low', asset: 'fresh-2' })],
    );
    const live = outbox.peekLive(2, 1e12);
    assert.deepEqual(
      live.map((event) => event.seq),
      [4, 5],
      'the fresh events go ahead of the backlog',
    );
    const committed = outbox.commit([], [critical(), critical()]);
    const seqs = plantEvents(outbox).map((e) => e.seq);
    assert.ok(seqs.includes(4) && seqs.includes(5), `the live batch is kept: ${seqs}`);
    assert.ok(!seqs.includes(2), 'the oldest unleased event went instead, though it is critical');
    const report = committed.find((e) => e.kind === 'system');
    assert.ok(report, 'the real drop is reported');
    assert.ok((report.reason.dropped?.first_seq ?? 0) < 4, 'and only it');
    assert.ok((report.reason.dropped?.last_seq ?? 0) < 4, 'and only it');
    outbox.close();
  });

  test('drop_newest keeps what is buffered, drops new events, and their seq numbers are accounted for', () => {
    const outbox = open({ maxBytes: eventBytes * 2.5, whenFull: 'drop_newest' });
    outbox.commit([], [low(), low()]);
    const committed = outbox.commit(
      [{ conditionId: 'c/1', state: { active: true } }],
      [critical(), critical()],
    );
    const report = committed.find((e) => e.kind === 'system');
    assert.ok(report);
    assert.deepEqual(report.reason.dropped?.by_priority, { critical: 2 });
    assert.equal(report.reason.dropped?.first_seq, 3);
    assert.equal(report.reason.dropped?.last_seq, 4);
    assert.deepEqual(
      plantEvents(outbox).map((e) => e.seq),
      [1, 2, 5],
    );
    assert.deepEqual(outbox.loadStates().get('c/1'), { active: true }, 'the state still moves on');
    outbox.close();
  });

  test('block refuses the commit with BUFFER_FULL, commits nothing, and accepts again once drained', () => {
    const outbox = open({ maxBytes: eventBytes * 1.5, whenFull: 'block' });
    outbox.commit([], [low(), low()]);
    assert.throws(
      () => outbox.commit([{ conditionId: 'c/1', state: { active: true } }], [critical()]),
      (error: Error & { code?: string }) => error.code === 'BUFFER_FULL' && /limit/.test(error.message),
    );
    assert.equal(outbox.loadStates().size, 0);
    assert.equal(outbox.stats().lastSeq, 2, 'no seq used');
    outbox.remove(outbox.peek(1, 1e12));
    assert.equal(outbox.commit([], [critical()])[0]?.seq, 3);
    assert.equal(outbox.stats().dropped, 0);
    outbox.close();
  });

  test('events older than the age bound are dropped, also while no new event arrives', () => {
    const outbox = open({ maxAgeMs: 60_000 });
    outbox.commit([], [low(), critical()]);
    clock += 30_000;
    outbox.commit([], [low()]);
    clock += 40_000;
    const reported = outbox.maintain();
    assert.deepEqual(reported[0]?.reason.dropped?.by_cause, { age: 2 });
    assert.deepEqual(
      plantEvents(outbox).map((e) => e.seq),
      [3, 4],
    );
    assert.deepEqual(outbox.maintain(), [], 'nothing more to do');
    outbox.close();
  });

  test('reports at most once per interval; the tally survives a restart and is reported then', () => {
    const outbox = open({ maxBytes: eventBytes * 4.5 }, 60_000);
    const first = outbox.commit([], [low(), low(), low(), low(), low()]);
    assert.equal(first.filter((e) => e.kind === 'system').length, 1, 'the first drop is reported at once');
    clock += 1000;
    const second = outbox.commit([], [low()]);
    assert.equal(second.filter((e) => e.kind === 'system').length, 0, 'the next drop waits for the interval');
    const dropped = outbox.stats().dropped;
    assert.ok(dropped >= 2, `${dropped} dropped`);
    outbox.close();

    const reopened = open({ maxBytes: eventBytes * 4.5 }, 60_000);
    const [report] = reopened.maintain();
    assert.equal(
      report?.reason.dropped?.count,
      dropped - 1,
      'the pending drops are reported after the restart',
    );
    assert.equal(reopened.stats().dropped, dropped);
    reopened.close();
  });

  test('an unbounded outbox never drops', () => {
    const outbox = new Outbox({ path, shapeOf: recordShape });
    outbox.commit([], Array.from({ length: 50 }, low));
    assert.equal(outbox.stats().events, 50);
    assert.deepEqual(outbox.maintain(), []);
    outbox.close();
  });
});

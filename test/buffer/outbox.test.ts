import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';

describe('Outbox', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;
  const open = (shapeOf = recordShape) => new Outbox({ path, shapeOf, now: () => 1000 });

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'nested', 'buffer.db');
  });
  afterEach(() => temp.remove());

  test('assigns strictly increasing sequence numbers that survive a restart, even with the outbox emptied', () => {
    const first = open();
    const a = first.commit([], [draft(), draft()]);
    assert.deepEqual(
      a.map((e) => e.seq),
      [1, 2],
    );
    first.remove(first.peek(10, 1e9));
    first.close();

    const second = open();
    const b = second.commit([], [draft()]);
    assert.equal(b[0]?.seq, 3);
    assert.equal(second.stats().lastSeq, 3);
    second.close();
  });

  test('stores the event with its seq as the JSON payload, and the record key and headers beside it', () => {
    const outbox = open();
    const [event] = outbox.commit([], [draft({ event_id: 'e-1' })]);
    const [stored] = outbox.peek(10, 1e9);
    assert.ok(stored && event);
    assert.deepEqual(JSON.parse(stored.payload), event);
    assert.equal(stored.key, 'site-a/area-1/line-1/asset-1');
    assert.equal(stored.headers.event_id, 'e-1');
    assert.equal(stored.headers.schema, 'iiot.alarm.v1');
    assert.equal(stored.bytes, Buffer.byteLength(stored.payload));
    outbox.close();
  });

  test('commits alarm state together with its events and restores it after a restart', () => {
    const outbox = open();
    outbox.commit([{ conditionId: 'c/1', state: { active: true } }], [draft()]);
    outbox.commit([{ conditionId: 'c/1', state: { active: false } }], [draft({ transition: 'clear' })]);
    outbox.close();
    const reopened = open();
    assert.deepEqual(reopened.loadStates(), new Map([['c/1', { active: false }]]));
    reopened.close();
  });

  test('a commit that fails half-way leaves neither events, state nor a used sequence number', () => {
    let calls = 0;
    const failing = open((event: AlarmEvent) => {
      calls += 1;
      if (calls === 2) throw new Error('boom');
      return recordShape(event);
    });
    assert.throws(
      () => failing.commit([{ conditionId: 'c/1', state: { active: true } }], [draft(), draft()]),
      (error: Error & { code?: string }) => error.code === 'BUFFER_WRITE',
    );
    assert.equal(failing.stats().events, 0);
    assert.equal(failing.loadStates().size, 0);
    assert.equal(failing.commit([], [draft()])[0]?.seq, 1);
    failing.close();
  });

  test('peek returns the oldest events bounded by count and bytes, but always at least one', () => {
    const outbox = open();
    const events = outbox.commit([], [draft(), draft(), draft(), draft()]);
    const size = outbox.peek(1, 1e9)[0]?.bytes ?? 0;
    assert.deepEqual(
      outbox.peek(3, 1e9).map((e) => e.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      outbox.peek(10, size * 2).map((e) => e.seq),
      [1, 2],
    );
    assert.deepEqual(
      outbox.peek(10, 1).map((e) => e.seq),
      [1],
    );
    assert.equal(events.length, 4);
    outbox.close();
  });

  test('remove deletes exactly the acknowledged events', () => {
    const outbox = open();
    outbox.commit([], [draft(), draft(), draft()]);
    outbox.remove(outbox.peek(2, 1e9));
    assert.deepEqual(
      outbox.peek(10, 1e9).map((e) => e.seq),
      [3],
    );
    assert.equal(outbox.stats().events, 1);
    outbox.close();
  });

  test('notifies listeners after commits that added events', () => {
    const outbox = open();
    let calls = 0;
    outbox.onCommit(() => calls++);
    outbox.commit([{ conditionId: 'c', state: {} }], []);
    outbox.commit([], [draft()]);
    assert.equal(calls, 1);
    outbox.close();
  });

  test('opens with WAL and synchronous=FULL by default, NORMAL when asked', () => {
    const full = open();
    assert.deepEqual(full.durability(), { journalMode: 'wal', synchronous: 'full' });
    full.close();
    const normal = new Outbox({ path, shapeOf: recordShape, synchronous: 'normal' });
    assert.deepEqual(normal.durability(), { journalMode: 'wal', synchronous: 'normal' });
    normal.close();
  });

  test('an unusable path is a BUFFER_OPEN error that names the path', () => {
    const notADirectory = join(temp.dir, 'plain-file');
    writeFileSync(notADirectory, '');
    assert.throws(
      () => new Outbox({ path: join(notADirectory, 'buffer.db'), shapeOf: recordShape }),
      (error: Error & { code?: string }) =>
        error.code === 'BUFFER_OPEN' && error.message.includes(notADirectory),
    );
  });

  test('peekLive: recent events whose key has nothing older waiting, only beyond the next regular batch', () => {
    let clock = 0;
    const outbox = new Outbox({ path, shapeOf: recordShape, now: () => clock });
    outbox.commit(
      [],
      Array.from({ length: 5 }, (_, i) => draft({ asset: i % 2 ? 'a' : 'b' })),
    );
    clock = 20_000;
    outbox.commit(
      [],
      [draft({ asset: 'a' }), draft({ asset: 'c' }), draft({ asset: 'c' }), draft({ asset: 'd' })],
    );
    assert.deepEqual(
      outbox.peekLive(3, 1e9).map((event) => [event.seq, event.key.split('/').at(-1)]),
      [
        [7, 'c'],
        [9, 'd'],
      ],
      'a waits behind its backlog, the second c behind the first',
    );
    assert.deepEqual(outbox.peekLive(10, 1e9), [], 'within reach of a regular batch of 10');
    clock = 40_000;
    assert.deepEqual(outbox.peekLive(3, 1e9), [], 'nothing is fresh any more');
    outbox.close();
  });

  test('a drained backlog gives its pages back to the file system, a bounded amount per maintenance', () => {
    const outbox = open();
    for (let i = 0; i < 50; i++)
      outbox.commit(
        [],
        Array.from({ length: 100 }, () => draft()),
      );
    while (outbox.stats().events > 0) outbox.remove(outbox.peek(1000, 1e12));
    outbox.close();
    // Reopening checkpoints the WAL into the file, so its size shows the peak.
    const reopened = open();
    const peak = statSync(path).size;
    reopened.maintain();
    const afterOne = statSync(path).size;
    for (let i = 0; i < 20; i++) reopened.maintain();
    reopened.close();
    const after = statSync(path).size;
    assert.ok(peak > 3_000_000, `the backlog grew the file to ${peak} bytes`);
    assert.ok(afterOne < peak, 'the first maintenance already gives pages back');
    assert.ok(after < 1_500_000, `the file is back to ${after} bytes: at most 1 MiB of free pages stays`);
  });

  test('the WAL stays bounded while another connection reads the buffer, as the CLI does beside the service', () => {
    const outbox = open();
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare('SELECT COUNT(*) AS n FROM outbox');
    let largestWal = 0;
    for (let i = 0; i < 300; i++) {
      outbox.commit(
        [],
        Array.from({ length: 100 }, () => draft()),
      );
      if (i % 10 === 0) count.get();
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
    }
    reader.close();
    outbox.close();
    // About 30 MB of events went through the WAL; checkpoints every 1000 pages keep it near 4 MiB.
    assert.ok(largestWal < 8 * 1024 * 1024, `the WAL grew to ${largestWal} bytes`);
  });

  test('the record of recent commits stays within the live window however long no backlog drains', () => {
    let clock = 0;
    const outbox = new Outbox({ path, shapeOf: recordShape, now: () => clock, liveWindowMs: 1000 });
    for (let i = 0; i < 50; i++) {
      outbox.commit([], [draft()]);
      outbox.remove(outbox.peek(10, 1e9));
      clock += 100;
    }
    // Only what fits the window is kept: the oldest commit still known is at most 1 s old.
    outbox.commit(
      [],
      Array.from({ length: 5 }, () => draft()),
    );
    clock += 2000;
    outbox.commit([], [draft({ asset: 'fresh' })]);
    assert.deepEqual(
      outbox.peekLive(2, 1e9).map((event) => event.seq),
      [56],
      'only the commit inside the window counts as fresh',
    );
    outbox.close();
  });
});

/**
 * Damage the buffer does not notice by itself: a file emptied or replaced, a
 * WAL lost or corrupted after kill -9, payload bytes changed on disk, a file
 * cut short. Real files and SQLite throughout; the kill -9 runs a child process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { droppedEventsDraft } from '../../src/alarms/system-event.ts';
import { UNBOUNDED } from '../../src/buffer/bounds.ts';
import { readableEvents } from '../../src/buffer/integrity.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { GatewayError } from '../../src/system/errors.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const identity = { gatewayId: 'gw-test', site: 'site-a' };
let ids = 0;

/** Runs a process that commits `events` one commit each, then kills it with SIGKILL; returns what it said. */
async function commitThenKill(path: string, events: number): Promise<string> {
  const writer = spawn(process.execPath, [WRITER, path, String(events)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(writer, 'exit');
  const said = await Promise.race([
    once(writer.stdout.setEncoding('utf8'), 'data').then(([line]) => String(line).trim()),
    exited.then(([code]) => `exited with ${String(code)} before committing`),
  ]);
  writer.kill('SIGKILL');
  await exited;
  return said;
}

describe('buffer damage is noticed and reported', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;
  let problems: GatewayError[];

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'buffer.db');
    problems = [];
  });
  afterEach(() => temp.remove());

  /** The outbox as the gateway opens it: with drop reports and a problem log. */
  const open = (at = path) =>
    new Outbox({
      path: at,
      shapeOf: recordShape,
      onProblem: (error) => problems.push(error),
      bounded: {
        bounds: UNBOUNDED,
        report: (tally, now) =>
          droppedEventsDraft(identity, tally, 'evict_low_priority', now, () => `report-${++ids}`),
      },
    });

  const commitMany = (outbox: Outbox, count: number, make = () => draft()) => {
    const seqs: number[] = [];
    for (let i = 0; i < count; i += 100) {
      const events = outbox.commit([], Array.from({ length: Math.min(100, count - i) }, make));
      seqs.push(...events.map((event) => event.seq));
    }
    return seqs;
  };

  /** The events_dropped reports the next maintenance sends. */
  const reports = (outbox: Outbox): AlarmEvent[] =>
    outbox.maintain().filter((event) => event.transition === 'events_dropped');

  const removeDatabase = (at = path) => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(at + suffix, { force: true });
  };

  test('a 0-byte buffer file: seq goes on above every number issued, and the undelivered range is reported', () => {
    const first = open();
    commitMany(first, 300);
    first.remove(first.peek(100, Number.POSITIVE_INFINITY));
    first.close();
    truncateSync(path, 0);

    const second = open();
    assert.deepEqual(
      second.lostAtOpen,
      { first: 101, last: 300 },
      'delivered events are not counted as lost',
    );
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['BUFFER_LOST'],
    );
    assert.match(problems[0]?.message ?? '', /seq 101\.\.300 were issued/);
    const [report] = reports(second);
    assert.ok(report, 'an events_dropped report goes downstream');
    assert.equal(report.seq, 301, 'the report itself continues the sequence');
    assert.deepEqual(report.reason.dropped, {
      count: 200,
      first_seq: 101,
      last_seq: 300,
      by_priority: {},
      by_cause: { lost: 200 },
      policy: 'evict_low_priority',
      since: report.reason.dropped?.since,
    });
    assert.match(report.message, /dropped 200 events, seq 101\.\.300, 200 lost with the buffer file/);
    assert.equal(second.commit([], [draft()])[0]?.seq, 302);
    second.close();
  });

  test('seq is never reused when the buffer file is deleted or replaced by an older copy', () => {
    const seen: number[] = [];
    let outbox = open();
    seen.push(...commitMany(outbox, 5));
    outbox.close();
    copyFileSync(path, join(temp.dir, 'older.db'));

    removeDatabase();
    outbox = open();
    seen.push(...commitMany(outbox, 5), ...reports(outbox).map((event) => event.seq));
    outbox.close();

    removeDatabase();
    copyFileSync(join(temp.dir, 'older.db'), path);
    outbox = open();
    seen.push(...commitMany(outbox, 5), ...reports(outbox).map((event) => event.seq));
    // Without a clean close either: the next start still goes on above.
    removeDatabase();
    outbox = open();
    seen.push(...commitMany(outbox, 5));
    outbox.close();

    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'strictly increasing',
    );
    assert.equal(new Set(seen).size, seen.length, `no number used twice: ${seen.join(' ')}`);
    assert.ok(problems.every((problem) => problem.code === 'BUFFER_LOST'));
    assert.equal(problems.length, 3);
  });

  test('kill -9, then the WAL lost or corrupted: the lost tail is reported and seq goes on after it', async () => {
    assert.equal(await commitThenKill(path, 300), 'committed 300');
    assert.ok(statSync(`${path}-wal`).size > 0, 'the last commits are in the WAL only');

    // A copy with its WAL corrupted at its first frame, from where SQLite ignores the rest.
    const corrupted = join(temp.dir, 'corrupted.db');
    for (const suffix of ['', '-wal', '.seq']) {
      if (existsSync(path + suffix)) copyFileSync(path + suffix, corrupted + suffix);
    }
    const fd = openSync(`${corrupted}-wal`, 'r+');
    writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, 32 + 24 + 1024);
    closeSync(fd);

    rmSync(`${path}-wal`);
    rmSync(`${path}-shm`, { force: true });
    for (const at of [path, corrupted]) {
      problems = [];
      const outbox = open(at);
      const held = outbox.stats().events;
      assert.ok(held < 300, `${held} of 300 events left in ${at}`);
      assert.deepEqual(outbox.lostAtOpen, { first: held + 1, last: 300 });
      assert.equal(problems[0]?.code, 'BUFFER_LOST');
      const [report] = reports(outbox);
      assert.deepEqual(
        [report?.reason.dropped?.first_seq, report?.reason.dropped?.last_seq, report?.seq],
        [held + 1, 300, 301],
      );
      assert.equal(outbox.commit([], [draft()])[0]?.seq, 302, 'never a number already issued');
      outbox.close();
    }
  });

  test('a restart after kill -9 with the WAL intact reports nothing and leaves no gap', async () => {
    assert.equal(await commitThenKill(path, 50), 'committed 50');

    const outbox = open();
    assert.equal(outbox.lostAtOpen, undefined);
    assert.deepEqual(problems, []);
    assert.deepEqual(reports(outbox), []);
    assert.equal(outbox.commit([], [draft()])[0]?.seq, 51);
    outbox.close();
  });

  test('payload bytes changed on disk: the events are dead-lettered, not sent, and reported', () => {
    const first = open();
    let n = 0;
    commitMany(first, 20, () => draft({ message: `event-${++n}-intact` }));
    first.close();
    const bytes = readFileSync(path);
    for (const target of ['event-7-intact', 'event-13-intact']) {
      const at = bytes.indexOf(target);
      assert.ok(at > 0, `${target} is in the file`);
      bytes.write(target.replace('intact', 'broken'), at);
    }
    writeFileSync(path, bytes);

    // The CLI beside the service leaves damaged events out and names them, but moves nothing.
    const reader = new Outbox({
      path,
      shapeOf: recordShape,
      checkIntegrity: false,
      onProblem: (error) => problems.push(error),
    });
    assert.equal(reader.peek(100, Number.POSITIVE_INFINITY).length, 18);
    assert.deepEqual(reader.deadLetters(), []);
    reader.close();
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['BUFFER_CHECKSUM', 'BUFFER_CHECKSUM'],
    );
    problems = [];

    const second = open();
    const batch = second.peek(100, Number.POSITIVE_INFINITY);
    assert.equal(batch.length, 18);
    assert.ok(!batch.some((event) => event.payload.includes('broken')), 'nothing mangled is sent');
    assert.deepEqual(
      second.deadLetters().map((letter) => [letter.seq, letter.reason.split(':')[0]]),
      [
        [7, 'BUFFER_CHECKSUM'],
        [13, 'BUFFER_CHECKSUM'],
      ],
    );
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['BUFFER_CHECKSUM', 'BUFFER_CHECKSUM'],
    );
    assert.equal(second.stats().events, 18);
    const [report] = reports(second);
    assert.deepEqual(
      {
        first: report?.reason.dropped?.first_seq,
        last: report?.reason.dropped?.last_seq,
        causes: report?.reason.dropped?.by_cause,
        priorities: report?.reason.dropped?.by_priority,
      },
      { first: 7, last: 13, causes: { corrupt: 2 }, priorities: { high: 2 } },
    );
    second.close();
  });

  test('a buffer from before checksums: its events are trusted and new ones get a checksum', () => {
    const first = open();
    commitMany(first, 3);
    first.close();
    const raw = new Database(path);
    raw.exec('ALTER TABLE outbox DROP COLUMN checksum; ALTER TABLE dead_letter DROP COLUMN checksum');
    raw.pragma('user_version = 5');
    raw.close();

    const second = open();
    second.commit([], [draft()]);
    assert.deepEqual(
      second.peek(10, Number.POSITIVE_INFINITY).map((event) => event.seq),
      [1, 2, 3, 4],
    );
    second.close();
    const check = new Database(path, { readonly: true });
    const sums = check.prepare('SELECT seq, checksum FROM outbox ORDER BY seq').all() as {
      seq: number;
      checksum: number | null;
    }[];
    check.close();
    assert.deepEqual(
      sums.map((row) => row.checksum === null),
      [true, true, true, false],
    );
    assert.deepEqual(problems, []);
  });

  test('a file cut short by its last page: salvage reads every event on the pages left', async () => {
    const outbox = open();
    commitMany(outbox, 300);
    outbox.close();
    const size = statSync(path).size;
    truncateSync(path, size - 4096);

    const items = [...readableEvents(path)];
    const events = items.filter((item) => 'payload' in item);
    const errors = items.filter((item) => 'error' in item);
    // About three events fit a 4 KiB page: the last page held the last few.
    assert.ok(events.length >= 295, `${events.length} of 300 events salvaged`);
    assert.equal(errors.length, 1, 'one unreadable stretch, at the end');
    assert.deepEqual(
      events.map((item) => ('seq' in item ? item.seq : 0)),
      Array.from({ length: events.length }, (_, i) => i + 1),
    );

    const child = GatewayProcess.start(['buffer', 'export', '--file', path]);
    assert.equal(await child.exited, 1, 'non-zero: not everything was readable');
    assert.equal(child.lines.length, events.length);
    assert.match(child.stderr, /exported \d+ events; 1 unreadable range\b/);

    // At start the gateway moves the cut file aside and reports what it no longer holds.
    const reopened = open();
    assert.ok(reopened.recovery);
    assert.ok(existsSync(reopened.recovery.movedTo));
    assert.deepEqual(reopened.lostAtOpen, { first: 1, last: 300 });
    assert.equal(reopened.commit([], [draft()])[0]?.seq, 301);
    reopened.close();
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type HighWaterRecord, resumeSeq } from '../../src/buffer/high-water.ts';
import {
  HIGH_WATER_SUFFIX,
  HighWaterFile,
  readHighWater,
  SEQ_RESERVATION_BLOCK,
} from '../../src/buffer/high-water-file.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { GatewayError } from '../../src/system/errors.ts';
import { draft, tempDir } from '../harness/fixtures.ts';

const record = (overrides: Partial<HighWaterRecord> = {}): HighWaterRecord => ({
  reserved: 1300,
  issued: 300,
  heldFrom: 101,
  clean: false,
  boot: 'boot-a',
  ...overrides,
});

describe('resumeSeq', () => {
  const resume = (databaseLastSeq: number, found: HighWaterRecord | undefined, more = {}) =>
    resumeSeq({ databaseLastSeq, record: found, boot: 'boot-a', durableCommits: true, ...more });

  test('no high-water file: the database alone decides', () => {
    assert.deepEqual(resume(42, undefined), { lastSeq: 42 });
  });

  test('the database holds everything issued: no gap, and the unused reservation is not skipped', () => {
    assert.deepEqual(resume(300, record()), { lastSeq: 300 });
    assert.deepEqual(resume(300, record({ clean: true, reserved: 300 })), { lastSeq: 300 });
  });

  test('the database is behind the last note: the range it lost, from the oldest event still held', () => {
    assert.deepEqual(resume(163, record()), { lastSeq: 300, missing: { first: 164, last: 300 } });
    assert.deepEqual(resume(0, record({ clean: true })), {
      lastSeq: 300,
      missing: { first: 101, last: 300 },
    });
  });

  test('everything had been delivered: the numbers are skipped, nothing is missing', () => {
    assert.deepEqual(resume(0, record({ heldFrom: 301 })), { lastSeq: 300 });
  });

  test('the machine went down: synced commits are trusted unless the database is behind the durable note', () => {
    const otherBoot = { boot: 'boot-b' };
    assert.deepEqual(resume(320, record(), otherBoot), { lastSeq: 320 });
    assert.deepEqual(resume(200, record(), otherBoot), {
      lastSeq: 1300,
      missing: { first: 201, last: 1300 },
    });
  });

  test('the machine went down with commits not synced (synchronous=normal): anything reserved may have been issued', () => {
    assert.deepEqual(resume(320, record(), { boot: 'boot-b', durableCommits: false }), {
      lastSeq: 1300,
      missing: { first: 321, last: 1300 },
    });
    assert.deepEqual(resume(320, record(), { boot: undefined, durableCommits: false }), {
      lastSeq: 1300,
      missing: { first: 321, last: 1300 },
    });
  });

  test('a database ahead of the file (a file restored from an old copy) is trusted', () => {
    assert.deepEqual(resume(5000, record()), { lastSeq: 5000 });
  });
});

describe('the high-water file', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;
  let problems: GatewayError[];
  const written = () => readHighWater(path);

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'buffer.db');
    problems = [];
  });
  afterEach(() => temp.remove());

  const open = () => new Outbox({ path, shapeOf: recordShape, onProblem: (error) => problems.push(error) });

  test('round trip, in place notes, and a clean close', () => {
    const file = new HighWaterFile(path, record());
    assert.deepEqual(written(), { record: record() });
    file.note(305, 120);
    assert.deepEqual(written(), { record: record({ issued: 305, heldFrom: 120 }) });
    file.reserve(1300);
    assert.equal(file.reserved, 1300, 'already covered: nothing written');
    file.reserve(1301);
    assert.equal(file.reserved, 1301 + SEQ_RESERVATION_BLOCK);
    file.close(305, 120);
    assert.deepEqual(written(), {
      record: record({ reserved: 305, issued: 305, heldFrom: 120, clean: true }),
    });
  });

  test('a damaged file is a problem to report, never a guess', () => {
    writeFileSync(path + HIGH_WATER_SUFFIX, '{"v":1,"reserved":');
    assert.match('problem' in written() ? (written() as { problem: string }).problem : '', /is damaged/);
  });

  test('the outbox reserves a block ahead, so commits do not rewrite the reservation each time', () => {
    const outbox = open();
    const reservedAtOpen = (written() as { record: HighWaterRecord }).record.reserved;
    assert.equal(reservedAtOpen, SEQ_RESERVATION_BLOCK);
    for (let i = 0; i < 10; i++) outbox.commit([], [draft()]);
    const now = (written() as { record: HighWaterRecord }).record;
    assert.deepEqual([now.reserved, now.issued, now.clean], [reservedAtOpen, 10, false]);
    outbox.commit(
      [],
      Array.from({ length: SEQ_RESERVATION_BLOCK }, () => draft()),
    );
    const after = (written() as { record: HighWaterRecord }).record;
    assert.ok(after.reserved >= after.issued, 'a commit larger than the block reserves what it needs');
    outbox.close();
    assert.deepEqual((written() as { record: HighWaterRecord }).record, {
      ...after,
      reserved: 1010,
      issued: 1010,
      heldFrom: 1,
      clean: true,
    });
  });

  test('an unreadable high-water file is logged with its code and the buffer goes on from the database', () => {
    const first = open();
    first.commit([], [draft(), draft()]);
    first.close();
    writeFileSync(path + HIGH_WATER_SUFFIX, 'garbage');
    const second = open();
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['BUFFER_SEQ_FILE'],
    );
    assert.equal(second.commit([], [draft()])[0]?.seq, 3);
    second.close();
    assert.match(readFileSync(path + HIGH_WATER_SUFFIX, 'utf8'), /"clean":true/, 'rewritten whole');
  });

  test('the CLI reading beside the service neither reads nor writes the high-water file', () => {
    const outbox = new Outbox({ path, shapeOf: recordShape, checkIntegrity: false });
    outbox.commit([], [draft()]);
    outbox.close();
    assert.deepEqual(written(), { record: undefined });
  });
});

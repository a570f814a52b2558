import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { moveAsideIfCorrupt, readableEvents } from '../../src/buffer/integrity.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

const PAGE = 4096;

describe('buffer integrity', () => {
  let temp: ReturnType<typeof tempDir>;
  let path: string;

  beforeEach(() => {
    temp = tempDir();
    path = join(temp.dir, 'buffer.db');
  });
  afterEach(() => temp.remove());

  /** A buffer of `count` waiting events, closed so everything is in the main file. */
  function filled(count: number): void {
    const outbox = new Outbox({ path, shapeOf: recordShape });
    for (let i = 0; i < count; i += 100)
      outbox.commit(
        [],
        Array.from({ length: 100 }, () => draft()),
      );
    outbox.close();
  }

  /** Overwrites one page in the middle of the file with garbage, as a failing disk would. */
  function damagePage(page: number): void {
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(PAGE, 0xa5), 0, PAGE, page * PAGE);
    closeSync(fd);
  }

  test('a healthy buffer is left where it is', () => {
    filled(100);
    assert.equal(moveAsideIfCorrupt(path), undefined);
    assert.ok(existsSync(path));
  });

  test('no file yet is not a problem', () => {
    assert.equal(moveAsideIfCorrupt(path), undefined);
  });

  test('a file that is not a database at all is moved aside and a fresh buffer starts from seq 1', () => {
    writeFileSync(path, 'this is not SQLite'.repeat(1000));
    const outbox = new Outbox({ path, shapeOf: recordShape });
    assert.ok(outbox.recovery);
    assert.match(outbox.recovery.problem, /not a database/);
    assert.equal(outbox.recovery.salvagedLastSeq, 0);
    assert.match(
      readFileSync(outbox.recovery.movedTo, 'utf8'),
      /^this is not SQLite/,
      'moved, never deleted',
    );
    assert.equal(outbox.commit([], [draft()])[0]?.seq, 1);
    outbox.close();
  });

  test('a damaged page: moved aside with its WAL, seq continues after the last readable one, the rest is exportable', () => {
    filled(3000);
    damagePage(40);
    const outbox = new Outbox({ path, shapeOf: recordShape, now: () => 1 });
    const recovery = outbox.recovery;
    assert.ok(recovery, 'the damage is found at open');
    assert.ok(existsSync(recovery.movedTo));
    assert.equal(recovery.salvagedLastSeq, 3000, 'last_seq still readable in the meta table');
    assert.equal(outbox.commit([], [draft()])[0]?.seq, 3001, 'downstream sees seq go on, not start over');
    outbox.close();

    const items = [...readableEvents(recovery.movedTo)];
    const events = items.filter((item) => 'payload' in item);
    const errors = items.filter((item) => 'error' in item);
    assert.ok(events.length >= 2990, `${events.length} events readable: only the damaged page is lost`);
    assert.ok(errors.length >= 1 && errors.length < 3, `${errors.length} unreadable ranges`);
  });

  test('gateway buffer export --file writes what is readable and says what was not', async () => {
    filled(3000);
    damagePage(40);
    const recovery = moveAsideIfCorrupt(path);
    assert.ok(recovery);
    const child = GatewayProcess.start(['buffer', 'export', '--file', recovery.movedTo]);
    const code = await child.exited;
    assert.equal(code, 1, 'non-zero: not everything was readable');
    assert.ok(child.lines.length >= 2990);
    assert.equal((JSON.parse(child.lines[0] ?? '{}') as { seq: number }).seq, 1);
    assert.match(child.stderr, /seq \d+\.\.\d+ unreadable: /);
    assert.match(child.stderr, /exported \d+ events; 1 unreadable range\b/);
  });
});

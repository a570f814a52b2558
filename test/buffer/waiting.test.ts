import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Outbox } from '../../src/buffer/outbox.ts';
import { waitingEvents } from '../../src/buffer/waiting.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';

test('counts the events waiting in a buffer file another process writes; 0 before it exists', () => {
  const temp = tempDir();
  try {
    const path = join(temp.dir, 'buffer.db');
    assert.equal(waitingEvents(path), 0);
    const outbox = new Outbox({ path, shapeOf: recordShape });
    outbox.commit([], [draft(), draft(), draft()]);
    assert.equal(waitingEvents(path), 3, 'read beside the open outbox');
    outbox.remove(outbox.peek(1, 1e9));
    assert.equal(waitingEvents(path), 2);
    outbox.close();
  } finally {
    temp.remove();
  }
});

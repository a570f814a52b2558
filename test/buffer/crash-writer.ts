/**
 * A process that commits events one commit at a time, says so on stdout and
 * then waits to be killed: the kill -9 tests of the buffer run it.
 * Usage: node crash-writer.ts <buffer path> <events>
 */
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft } from '../harness/fixtures.ts';

const [path, count] = process.argv.slice(2);
if (path === undefined || count === undefined)
  throw new Error('usage: crash-writer.ts <buffer path> <events>');
// NORMAL: a process crash loses nothing from the WAL either way, and the test runs quickly.
const outbox = new Outbox({ path, shapeOf: recordShape, synchronous: 'normal' });
let last = 0;
for (let i = 0; i < Number(count); i++) last = outbox.commit([], [draft()])[0]?.seq ?? last;
process.stdout.write(`committed ${last}\n`);
setInterval(() => {}, 60_000);

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

async function cli(args: string[]): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
  const child = GatewayProcess.start(args);
  const code = await child.exited;
  return { code, stdout: child.lines, stderr: child.stderr };
}

describe('gateway buffer', () => {
  let temp: ReturnType<typeof tempDir>;
  let site: string;
  let bufferPath: string;

  before(() => {
    temp = tempDir();
    site = join(temp.dir, 'site.yaml');
    writeFileSync(
      site,
      stringify({
        site: 'site-a',
        gateway: { id: 'gw-test', state_dir: join(temp.dir, 'state') },
        devices: [
          {
            id: 'plc',
            protocol: 'modbus-tcp',
            host: '127.0.0.1',
            area: 'a',
            line: 'l',
            asset: 'x',
            points: [{ id: 'p', register: 'holding', address: 0 }],
          },
        ],
      }),
    );
    bufferPath = join(temp.dir, 'state', 'buffer.db');
    const outbox = new Outbox({ path: bufferPath, shapeOf: recordShape });
    outbox.commit(
      [],
      [draft({ message: 'first' }), draft({ message: 'refused' }), draft({ message: 'third' })],
    );
    const [, refused] = outbox.peek(3, 1e9);
    assert.ok(refused);
    outbox.deadLetter(refused, 'MESSAGE_TOO_LARGE (too_large): too big');
    outbox.close();
  });
  after(() => temp.remove());

  test('stats says what waits, as text and as JSON', async () => {
    const text = await cli(['buffer', 'stats', '--config', site]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout.join('\n'), /waiting\s+2 events/);
    assert.match(text.stdout.join('\n'), /dead letters\s+1/);
    const json = await cli(['buffer', 'stats', '--json', '--config', site]);
    const figures = JSON.parse(json.stdout[0] ?? '{}') as {
      events: number;
      deadLetters: number;
      lastSeq: number;
    };
    assert.deepEqual([figures.events, figures.deadLetters, figures.lastSeq], [2, 1, 3]);
  });

  test('peek lists the oldest events, export writes their payloads as JSON lines', async () => {
    const peek = await cli(['buffer', 'peek', '--limit', '1', '--config', site]);
    assert.equal(peek.stdout.length, 1);
    assert.match(peek.stdout[0] ?? '', /^#1 high raise key=site-a\/area-1\/line-1\/asset-1 {2}first$/);
    const exported = await cli(['buffer', 'export', '--config', site]);
    assert.deepEqual(
      exported.stdout.map((line) => (JSON.parse(line) as { seq: number }).seq),
      [1, 3],
    );
  });

  test('dlq list shows the reason; dlq requeue puts the event back; usage mistakes exit 2', async () => {
    const list = await cli(['buffer', 'dlq', 'list', '--config', site]);
    assert.match(
      list.stdout[0] ?? '',
      /^#2 .*refused {2}failed .*: MESSAGE_TOO_LARGE \(too_large\): too big$/,
    );
    const dead = await cli(['buffer', 'export', '--dead-letters', '--config', site]);
    assert.equal((JSON.parse(dead.stdout[0] ?? '{}') as { event: { seq: number } }).event.seq, 2);

    const wrong = await cli(['buffer', 'dlq', 'requeue', '--config', site]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /CLI_USAGE: .*seq numbers or --all/);

    const requeue = await cli(['buffer', 'dlq', 'requeue', '2', '--config', site]);
    assert.equal(requeue.code, 0, requeue.stderr);
    assert.match(requeue.stdout[0] ?? '', /requeued 1 event;/);
    const outbox = new Outbox({ path: bufferPath, shapeOf: recordShape });
    assert.deepEqual(
      outbox.peek(10, 1e9).map((event) => event.seq),
      [1, 2, 3],
    );
    assert.equal(outbox.stats().deadLetters, 0);
    outbox.close();
  });

  test('a site whose gateway never ran has no buffer: a clear error, and no file is created', async () => {
    const other = join(temp.dir, 'other.yaml');
    writeFileSync(
      other,
      stringify({
        ...{ site: 's', gateway: { id: 'g', state_dir: join(temp.dir, 'none') } },
        devices: [
          {
            id: 'plc',
            protocol: 'modbus-tcp',
            host: 'h',
            area: 'a',
            line: 'l',
            asset: 'x',
            points: [{ id: 'p', register: 'coil', address: 0 }],
          },
        ],
      }),
    );
    const result = await cli(['buffer', 'stats', '--config', other]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /BUFFER_OPEN: .*no buffer at .*none\/buffer\.db/);
    assert.equal(existsSync(join(temp.dir, 'none')), false);
    const unknown = await cli(['buffer', 'sort', '--config', site]);
    assert.equal(unknown.code, 2);
  });
});

/**
 * kill -9 while the gateway drains a backlog: after a restart every event
 * arrives at least once, duplicates carry the same event_id, and seq has no gaps.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { waitingEvents } from '../../src/buffer/waiting.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, sharedBrokers, topicSize } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const BACKLOG = 5000;

describe('gateway crash while draining', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let bufferPath: string;
  const topic = `alarms-crash-${process.pid}`;

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic, batchMaxEvents: 20 });
    bufferPath = join(temp.dir, 'state', 'buffer.db');
    // A backlog as an outage leaves it: thousands of events of several assets waiting in the buffer.
    const outbox = new Outbox({ path: bufferPath, shapeOf: recordShape });
    for (let i = 0; i < BACKLOG; i += 500) {
      outbox.commit(
        [],
        Array.from({ length: 500 }, (_, j) =>
          draft({ gateway_id: 'gw-test', site: 'test-site', asset: `asset-${(i + j) % 7}` }),
        ),
      );
    }
    outbox.close();
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  const waiting = () => waitingEvents(bufferPath);

  test('every event arrives at least once, duplicates are identifiable, seq has no gaps', async () => {
    const first = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers });
    await until(() => waiting() < BACKLOG - 200, 'part of the backlog delivered', 60_000, 2);
    await first.kill();
    const left = waiting();
    assert.ok(left > 0, `killed mid-drain (${left} events still buffered)`);

    const second = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers });
    await second.waitForLog((line) => line.msg === 'gateway started', 'restart');
    // A live transition after the restart continues the sequence.
    plant.press.set('oil_temperature', 85);
    await until(() => waiting() === 0, 'backlog drained after restart', 60_000);
    await second.waitForLog((line) => line.transition === 'raise', 'live event');
    await until(() => waiting() === 0, 'live event delivered', 30_000);
    assert.equal(await second.stop(), 0, 'clean exit on SIGTERM');

    const total = await topicSize(brokers, topic);
    const records = await consumeAll(brokers, topic, { expected: total, timeoutMs: 60_000 });
    const events = records.map((r) => JSON.parse(r.value) as AlarmEvent);
    const bySeq = new Map<number, Set<string>>();
    for (const event of events) bySeq.set(event.seq, (bySeq.get(event.seq) ?? new Set()).add(event.event_id));
    const maxSeq = Math.max(...bySeq.keys());
    assert.equal(maxSeq, BACKLOG + 1, 'the live event continued the sequence');
    for (let seq = 1; seq <= maxSeq; seq++) {
      assert.equal(bySeq.get(seq)?.size, 1, `seq ${seq} arrived, always with one event_id`);
    }
    assert.ok(events.length >= BACKLOG + 1);
  });
});

/**
 * The command intake against a real broker, reached through a proxy the test
 * can cut: records become commands or rejections, other sites are skipped,
 * and an offset is committed only once the sink answered, so nothing is lost
 * across a cut link, a refused commit or a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/kafka/net.ts';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import { CommandIntake } from '../../src/operator/intake.ts';
import { createRecordConsumer } from '../../src/producer/kafka-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createTopic, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';
import { until } from '../harness/wait.ts';
import { ackOf, produce, RecordingSink } from './fixtures.ts';

describe('command intake', () => {
  let proxy: TcpProxy;
  let broker: KafkaBroker;
  /** Where senders bootstrap; they are then sent to the advertised proxy like the intake. */
  let direct: string;

  before(async () => {
    const port = await freePort();
    proxy = await TcpProxy.start(port);
    broker = await ownBroker({ port, advertisedPort: proxy.port, heapMb: 384 });
    direct = `127.0.0.1:${port}`;
  });

  after(async () => {
    await broker?.stop();
    await proxy?.stop();
  });

  function intakeOf(
    topic: string,
    group: string,
    sink: RecordingSink,
    brokers = broker.brokers,
  ): CommandIntake {
    return new CommandIntake({
      site: 'plant-a',
      consumer: createRecordConsumer(
        {
          brokers: [brokers],
          clientId: 'intake-test',
          requestTimeoutMs: 2000,
          logger: createLogger('silent'),
        },
        { topic, groupId: group },
      ),
      sink,
      logger: createLogger('silent'),
      backoff: { initialMs: 200, maxMs: 1000 },
    });
  }

  async function started(topic: string, group: string, sink: RecordingSink): Promise<CommandIntake> {
    const intake = intakeOf(topic, group, sink);
    intake.start();
    await until(() => intake.stats.reading, 'the intake to join its group', 30_000);
    return intake;
  }

  test('commands for this site are applied, invalid ones rejected, other sites skipped', async () => {
    const topic = uniqueTopic('commands');
    await createTopic(direct, topic, 2);
    const sink = new RecordingSink();
    const intake = await started(topic, uniqueTopic('group'), sink);
    try {
      const mine = ackOf('plant-a', 1);
      await produce(direct, topic, [
        mine,
        ackOf('plant-b', 1),
        { key: 'plant-b', value: 'not json at all' },
        { key: 'plant-a', value: '{"action":"silence"' },
        { key: null, value: JSON.stringify({ ...ackOf('plant-a', 2), action: 'silence' }) },
      ]);
      await until(() => sink.applied.size + sink.rejected.length === 3, 'three answers', 20_000);
      assert.deepEqual([...sink.applied.values()], [mine]);
      assert.deepEqual(
        sink.rejected.map((r) => r.reason.replace(/\(.*\)/, '(…)')).sort(),
        [
          'action: must be one of ack, shelve, unshelve, remove_from_service, return_to_service, reset',
          'the message is not JSON (…)',
        ].sort(),
      );
      assert.equal(intake.stats.foreign, 2);
      assert.equal(intake.stats.rejected, 2);
      assert.equal(intake.stats.applied, 1);
    } finally {
      await intake.stop();
    }
  });

  test('a command the sink could not commit is read again, and the ones after it wait', async () => {
    const topic = uniqueTopic('commands');
    await createTopic(direct, topic, 1);
    const sink = new RecordingSink();
    const intake = await started(topic, uniqueTopic('group'), sink);
    try {
      sink.failNext = 2;
      const commands = [ackOf('plant-a', 1), ackOf('plant-a', 2)];
      await produce(direct, topic, commands);
      await until(() => sink.applied.size === 2, 'both applied', 30_000);
      assert.deepEqual(
        sink.delivered.map((c) => c.command_id),
        commands.map((c) => c.command_id),
        'in order, each once',
      );
    } finally {
      await intake.stop();
    }
  });

  test('commands sent while the link is cut are all applied once it is back, and never again after a restart', async () => {
    const topic = uniqueTopic('commands');
    await createTopic(direct, topic, 2);
    const group = uniqueTopic('group');
    const sink = new RecordingSink();
    let intake = await started(topic, group, sink);
    const commands = Array.from({ length: 6 }, (_, n) => ackOf('plant-a', n));
    try {
      proxy.blackhole();
      // Sent during the cut: each sender retries until its command is on the broker.
      const sending = Promise.all(commands.map((command) => produce(direct, topic, [command])));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(sink.delivered.length, 0, 'nothing passes the cut link');
      proxy.restore();
      await sending;
      await until(() => sink.applied.size === commands.length, 'every command applied', 60_000);
    } finally {
      await intake.stop();
    }
    assert.deepEqual(new Set(sink.applied.keys()), new Set(commands.map((c) => c.command_id)));

    // Committed: a new consumer of the same group starts after them.
    const seen = sink.delivered.length;
    const later = ackOf('plant-a', 99);
    intake = await started(topic, group, sink);
    try {
      await produce(direct, topic, [later]);
      await until(() => sink.applied.has(later.command_id), 'the later command', 20_000);
      assert.deepEqual(
        sink.delivered.slice(seen).map((c) => c.command_id),
        [later.command_id],
        'nothing delivered again',
      );
    } finally {
      await intake.stop();
    }
  });

  test('commands sent while the gateway is down are applied when it starts, even if it never read one before', async () => {
    const topic = uniqueTopic('commands');
    await createTopic(direct, topic, 1);
    await produce(direct, topic, [ackOf('plant-a', 0)]);
    const group = uniqueTopic('group');
    const sink = new RecordingSink();
    // First start: the group begins at the end of the topic; what was sent before it existed is not its business.
    await (await started(topic, group, sink)).stop();
    const whileDown = [ackOf('plant-a', 1), ackOf('plant-a', 2)];
    await produce(direct, topic, whileDown);
    const intake = await started(topic, group, sink);
    try {
      await until(() => sink.applied.size === 2, 'the commands sent while down', 20_000);
      assert.deepEqual(
        sink.delivered.map((c) => c.command_id),
        whileDown.map((c) => c.command_id),
      );
    } finally {
      await intake.stop();
    }
  });

  test('stop ends it wherever it is: joining, or waiting to retry a broker it cannot reach', async () => {
    const topic = uniqueTopic('commands');
    await createTopic(direct, topic, 1);
    const joining = intakeOf(topic, uniqueTopic('group'), new RecordingSink());
    joining.start();
    await joining.stop();
    assert.equal(joining.stats.reading, false);

    const unreachable = intakeOf(
      topic,
      uniqueTopic('group'),
      new RecordingSink(),
      `127.0.0.1:${await freePort()}`,
    );
    unreachable.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await unreachable.stop();
    assert.equal(unreachable.stats.reading, false);
  });
});

/**
 * Operator commands survive what the network and the host do to the gateway:
 * a link to the broker that dies silently while commands are sent, and a
 * kill -9 in the middle of a stream of commands. Every command is applied
 * exactly once: the alarm is taken out of and back into service alternately,
 * so a command applied twice would be refused and show as a rejection event,
 * and a lost one would break the alternation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/kafka/net.ts';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { OperatorCommand } from '../../src/alarms/command.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, ownBroker, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';
import { until } from '../harness/wait.ts';
import { produce } from '../operator/fixtures.ts';

const TEMPERATURE = 'test-site/forming/line-1/press-1/oil_temperature/temperature';

function serviceCommands(count: number): OperatorCommand[] {
  const run = uniqueTopic('run');
  return Array.from({ length: count }, (_, n) => ({
    command_id: `${run}-${n}`,
    site: 'test-site',
    action: n % 2 === 0 ? 'remove_from_service' : 'return_to_service',
    condition_id: TEMPERATURE,
    actor: 'maintenance',
  }));
}

/** The alarm's raise, then one event per command in the order sent, and nothing else. */
async function assertAppliedOnce(brokers: string, topic: string, commands: OperatorCommand[]): Promise<void> {
  const records = await consumeAll(brokers, topic, {
    expected: commands.length + 1,
    timeoutMs: 60_000,
    settleMs: 1000,
  });
  const events = records.map((r) => JSON.parse(r.value) as AlarmEvent).sort((a, b) => a.seq - b.seq);
  const distinct = [...new Map(events.map((e) => [e.seq, e])).values()];
  assert.deepEqual(
    distinct.map((e) => `${e.transition} ${e.command_id ?? '-'}`),
    [
      'raise -',
      ...commands.map(
        (c) => `${c.action === 'remove_from_service' ? 'out_of_service' : 'in_service'} ${c.command_id}`,
      ),
    ],
  );
}

function withCommands(commandTopic: string) {
  return (site: SiteFile): SiteFile => ({
    ...site,
    gateway: { ...site.gateway, commands: { topic: commandTopic } },
  });
}

describe('commands across a silently dead link to the broker', () => {
  let proxy: TcpProxy;
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  const topic = uniqueTopic('alarms');
  const commandTopic = uniqueTopic('commands');

  before(async () => {
    const port = await freePort();
    proxy = await TcpProxy.start(port);
    broker = await ownBroker({ port, advertisedPort: proxy.port, heapMb: 384 });
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: broker.brokers,
      topic,
      customize: withCommands(commandTopic),
    });
  });

  after(async () => {
    await plant?.stopPlant();
    await broker?.stop();
    await proxy?.stop();
    temp?.remove();
  });

  test('commands sent while the link is dead are all applied once it is back, each once', async () => {
    const site = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        kafka: { ...plant.site.gateway.kafka, request_timeout_ms: 1500 },
      },
    };
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().commands?.reading === true, 'the intake to read', 30_000);
      plant.press.set('oil_temperature', 85);
      await until(() => gateway.status().producer.delivered === 1, 'the raise delivered', 30_000);

      const commands = serviceCommands(6);
      proxy.blackhole();
      // Each sender retries until its command is on the broker.
      const sending = (async () => {
        for (const command of commands) await produce(broker.brokers, commandTopic, [command]);
      })();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(gateway.status().commands?.applied, 0, 'nothing passes the dead link');
      proxy.restore();
      await sending;
      await until(() => gateway.status().commands?.applied === commands.length, 'all applied', 60_000);
      await until(() => gateway.status().buffer.events === 0, 'their events delivered', 30_000);
      await assertAppliedOnce(broker.brokers, topic, commands);
    } finally {
      await gateway.stop();
    }
  });
});

describe('commands across a gateway crash', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  const topic = uniqueTopic('alarms');
  const commandTopic = uniqueTopic('commands');

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic, customize: withCommands(commandTopic) });
  });

  const processes: GatewayProcess[] = [];
  const run = () => {
    const process = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers });
    processes.push(process);
    return process;
  };

  after(async () => {
    // A failed test leaves no gateway behind.
    for (const process of processes) await process.kill();
    await plant?.stopPlant();
    temp?.remove();
  });

  test('kill -9 while commands stream in: after the restart each is applied exactly once', async () => {
    const commands = serviceCommands(12);
    const applied = (process: GatewayProcess) =>
      process.logs.filter((line) => line.msg === 'operator command applied').length;
    const first = run();
    await first.waitForLog((line) => line.msg === 'reading operator commands', 'the intake to read', 60_000);
    plant.press.set('oil_temperature', 85);
    await first.waitForLog((line) => line.transition === 'raise', 'the raise');
    await produce(brokers, commandTopic, commands.slice(0, 4));
    await until(() => applied(first) === 4, 'the first four applied', 20_000);

    const sending = (async () => {
      for (const command of commands.slice(4)) {
        await produce(brokers, commandTopic, [command]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await until(() => applied(first) >= 5, 'a fifth applied', 20_000, 1);
    await first.kill();
    await sending;
    assert.ok(applied(first) < commands.length, 'killed before every command was applied');

    const second = run();
    await until(() => applied(first) + applied(second) === commands.length, 'the rest applied', 60_000);
    await assertAppliedOnce(brokers, topic, commands);
    assert.equal(await second.stop(), 0, 'clean exit on SIGTERM');
  });
});

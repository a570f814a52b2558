/**
 * `gateway topics ensure` against the real broker, which has
 * auto.create.topics.enable=false: it creates the events topic with the
 * partitions, replication and topic_config of the site file, reports drift
 * readably with exit 1, never removes partitions and adds them only when told.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import type { KafkaSettings } from '../../src/config/schema.ts';
import { bufferedSite } from '../harness/buffered-site.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { createTopic, kafkaClient, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';

const { ConfigResourceTypes } = kafkajs;

/** What the broker says about the topic, read with kafkajs rather than the code under test. */
async function onBroker(brokers: string, topic: string, configNames: string[]) {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames }],
      includeSynonyms: false,
    });
    const configs = Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
    );
    return { partitions: offsets.length, configs };
  } finally {
    await admin.disconnect();
  }
}

describe('gateway topics ensure', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let runs = 0;

  async function ensure(kafka: KafkaSettings, ...flags: string[]) {
    runs += 1;
    const { file } = bufferedSite(join(temp.dir, `run-${runs}`), kafka, 0);
    const command = GatewayProcess.start(['topics', 'ensure', '--config', file, ...flags], {
      KAFKA_BROKERS: brokers,
    });
    const code = await command.exited;
    return { code, output: command.lines.join('\n'), stderr: command.stderr };
  }

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
  });
  after(() => temp.remove());

  test('creates a missing topic with its partitions and configs, then finds it in agreement', async () => {
    const topic = uniqueTopic('ensure');
    const kafka: KafkaSettings = {
      topic,
      partitions: 3,
      replication_factor: 1,
      topic_config: {
        'retention.ms': 604_800_000,
        'cleanup.policy': 'delete',
        'max.message.bytes': 2_000_000,
      },
    };
    const check = await ensure(kafka, '--check');
    assert.equal(check.code, 1, check.output);
    assert.match(
      check.output,
      new RegExp(
        `${topic}: MISSING\\n  would be created with 3 partitions, replication 1, retention\\.ms=604800000`,
      ),
    );
    assert.equal(
      await onBroker(brokers, topic, []),
      undefined,
      '--check creates nothing, and nothing auto-creates it',
    );

    const created = await ensure(kafka);
    assert.equal(created.code, 0, `${created.output}\n${created.stderr}`);
    assert.match(
      created.output,
      new RegExp(
        `${topic}: created \\(3 partitions, replication 1, retention\\.ms=604800000, cleanup\\.policy=delete, max\\.message\\.bytes=2000000\\)`,
      ),
    );
    const made = await onBroker(brokers, topic, ['retention.ms', 'cleanup.policy', 'max.message.bytes']);
    assert.deepEqual(made, {
      partitions: 3,
      configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete', 'max.message.bytes': '2000000' },
    });

    const again = await ensure(kafka, '--check');
    assert.equal(again.code, 0, again.output);
    assert.equal(again.output, `${topic}: ok`);
  });

  test('drift in partitions, replication and configs is reported line by line with exit 1, and nothing is changed', async () => {
    const topic = uniqueTopic('drift');
    await createTopic(brokers, topic, 2);
    const drifted: KafkaSettings = {
      topic,
      partitions: 4,
      replication_factor: 3,
      topic_config: { 'retention.ms': 86_400_000 },
    };
    for (const flags of [['--check'], []]) {
      const report = await ensure(drifted, ...flags);
      assert.equal(report.code, 1, report.output);
      assert.equal(
        report.output,
        [
          `${topic}: DIFFERS from the site file`,
          '  partitions: 2 on the broker, 4 in the site file (add them with `gateway topics ensure --increase-partitions`; keys then map to other partitions)',
          '  replication factor: 1 on the broker, 3 in the site file (change it with a partition reassignment, kafka-reassign-partitions)',
          `  retention.ms: 604800000 on the broker, 86400000 in the site file (kafka-configs --alter --entity-type topics --entity-name ${topic} --add-config retention.ms=86400000)`,
        ].join('\n'),
      );
    }
    assert.equal((await onBroker(brokers, topic, []))?.partitions, 2, 'no partitions added without the flag');
  });

  test('more partitions on the broker than in the site file are never removed', async () => {
    const topic = uniqueTopic('more');
    await createTopic(brokers, topic, 3);
    const report = await ensure({ topic, partitions: 1 }, '--increase-partitions');
    assert.equal(report.code, 1, report.output);
    assert.match(
      report.output,
      /partitions: 3 on the broker, 1 in the site file \(Kafka cannot remove partitions/,
    );
    assert.equal((await onBroker(brokers, topic, []))?.partitions, 3);
  });

  test('--increase-partitions adds the missing partitions and warns that keys re-map', async () => {
    const topic = uniqueTopic('grow');
    await createTopic(brokers, topic, 1);
    const report = await ensure({ topic, partitions: 3 }, '--increase-partitions');
    assert.equal(report.code, 0, `${report.output}\n${report.stderr}`);
    assert.match(
      report.output,
      new RegExp(
        `${topic}: ok\\n  note: partitions raised from 1 to 3: records with the same key now may land on another partition`,
      ),
    );
    assert.equal((await onBroker(brokers, topic, []))?.partitions, 3);
  });

  test('a topic the broker refuses to create is TOPIC_REFUSED with its reason', async () => {
    const topic = uniqueTopic('refused');
    const report = await ensure({ topic, replication_factor: 3 });
    assert.equal(report.code, 1, report.output);
    assert.match(
      report.output,
      new RegExp(`${topic}: FAILED\\n  \\[producer\\] TOPIC_REFUSED: .*INVALID_REPLICATION_FACTOR`),
    );
    assert.equal(await onBroker(brokers, topic, []), undefined);
  });

  test('--json reports the same for tools; an unreachable broker is a failure with exit 1', async () => {
    const topic = uniqueTopic('json');
    await createTopic(brokers, topic, 3);
    const report = await ensure({ topic }, '--check', '--json');
    assert.equal(report.code, 0, report.output);
    const parsed = JSON.parse(report.output) as {
      principal: string;
      topics: { topic: string; outcome: string }[];
    };
    assert.equal(parsed.principal, 'User:ANONYMOUS');
    assert.deepEqual(
      parsed.topics.map(({ topic: name, outcome }) => ({ name, outcome })),
      [{ name: topic, outcome: 'ok' }],
    );

    runs += 1;
    const { file } = bufferedSite(join(temp.dir, `run-${runs}`), { topic }, 0);
    const down = GatewayProcess.start(['topics', 'ensure', '--check', '--config', file], {
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    assert.equal(await down.exited, 1);
    assert.match(down.lines.join('\n'), new RegExp(`${topic}: FAILED\\n  \\[producer\\]`));
  });

  test('the command line refuses --check with --increase-partitions and a missing --config', async () => {
    const both = GatewayProcess.start([
      'topics',
      'ensure',
      '--config',
      'x.yaml',
      '--check',
      '--increase-partitions',
    ]);
    assert.equal(await both.exited, 2);
    assert.match(both.stderr, /CLI_USAGE: --check changes nothing/);
    const none = GatewayProcess.start(['topics', 'ensure']);
    assert.equal(await none.exited, 2);
    assert.match(none.stderr, /topics ensure needs --config/);
  });
});

/**
 * The gateway's own topic check at start, against the real broker (which
 * never auto-creates topics): a missing topic is created as the site file
 * describes it, a topic with other partitions is used as it is and reported.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { createTopicAdmin, type TopicAdmin } from '../../src/producer/kafka-client.ts';
import { ensureTopicAtStart } from '../../src/producer/topic-provisioning.ts';
import { createLogger, type Logger } from '../../src/telemetry/logger.ts';
import { createTopic, kafkaClient, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';

const { ConfigResourceTypes } = kafkajs;

let brokers: string;
let admin: TopicAdmin;
const lines: string[] = [];
let logger: Logger;

before(async () => {
  brokers = await sharedBrokers();
  logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  admin = createTopicAdmin({
    brokers: brokers.split(','),
    clientId: 'provisioning-test',
    requestTimeoutMs: 5000,
    logger,
  });
});
after(() => admin.close());

test('a missing topic is created with its partitions and topic configuration', async () => {
  const topic = uniqueTopic('start');
  await ensureTopicAtStart(admin, { topic, partitions: 2, configs: { 'retention.ms': '3600000' } }, logger);
  const client = kafkaClient(brokers).admin();
  await client.connect();
  try {
    assert.equal((await client.fetchTopicOffsets(topic)).length, 2);
    const { resources } = await client.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    assert.equal(resources[0]?.configEntries[0]?.configValue, '3600000');
  } finally {
    await client.disconnect();
  }
  assert.ok(lines.some((line) => line.includes(`created topic: 2 partitions`) && line.includes(topic)));
});

test('an existing topic with other partitions is left as it is and reported as TOPIC_DRIFT', async () => {
  const topic = uniqueTopic('start-drift');
  await createTopic(brokers, topic, 1);
  await ensureTopicAtStart(admin, { topic, partitions: 3 }, logger);
  assert.deepEqual(await admin.describeTopic(topic), { partitions: 1, replicationFactor: 1 });
  const warning = lines.find((line) => line.includes('"code":"TOPIC_DRIFT"') && line.includes(topic));
  assert.ok(warning, lines.join('\n'));
  assert.match(warning, /partitions: 1 on the broker, 3 in the site file/);
});

test('a topic that appeared meanwhile is no error: create says it existed', async () => {
  const topic = uniqueTopic('race');
  await createTopic(brokers, topic, 1);
  assert.equal(await admin.createTopic({ topic, partitions: 1 }), false);
  assert.equal(await admin.describeTopic(uniqueTopic('absent')), undefined);
});

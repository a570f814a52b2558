/**
 * Least privilege against a real broker with SASL (PLAIN, SCRAM) and the KRaft ACL
 * authorizer: the gateway signs in as User:gateway and holds only WRITE and
 * DESCRIBE on its topic. Events for a topic it may not write are dead-lettered
 * with the ACL to grant, and delivered once it is granted and they are
 * requeued; a wrong password is a clear, retried error. The broker is this
 * file's own: the shared one has no authentication.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { defaultAuth, type KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import type { KafkaSasl, SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { recordShape } from '../../src/producer/record.ts';
import { createLogger, type Logger } from '../../src/telemetry/logger.ts';
import { bufferedSite } from '../harness/buffered-site.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, createTopic, kafkaClient, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { grantTopic } from '../harness/kafka-acl.ts';
import { until } from '../harness/wait.ts';

const gatewayUser = defaultAuth().users[0] as SaslUser;
// A second gateway that starts with no ACL at all.
const newcomer: SaslUser = { username: 'gateway-2', password: 'gateway-2-secret' };
const auth = { ...defaultAuth(), users: [gatewayUser, newcomer] };
const principal = `User:${gatewayUser.username}`;

/** Waits until the authorizer has applied a grant: the user sees the topic in its metadata. */
async function visibleTo(brokers: string, user: SaslUser, topic: string): Promise<void> {
  const admin = kafkaClient(brokers, user).admin();
  await admin.connect();
  try {
    await until(
      async () => (await admin.listTopics()).includes(topic),
      `${topic} visible to ${user.username}`,
    );
  } finally {
    await admin.disconnect();
  }
}

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('info', { write: (line: string) => void lines.push(line) }), lines };
}

describe('a broker with SASL (PLAIN, SCRAM) and ACLs', () => {
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  const allowed = uniqueTopic('alarms-allowed');
  const denied = uniqueTopic('alarms-denied');

  /** A site file with the gateway's SASL user, its own state dir and events already in its buffer. */
  function siteFor(
    name: string,
    topic: string,
    password: string,
    events: number,
    user = gatewayUser,
    mechanism: KafkaSasl['mechanism'] = 'plain',
  ): { site: SiteFile; file: string } {
    const passwordFile = join(temp.dir, `${name}.password`);
    writeFileSync(passwordFile, `${password}\n`);
    const kafka = {
      brokers: [broker.brokers],
      topic,
      batch_max_events: 10,
      sasl: { mechanism, username: user.username, password: { file: passwordFile } },
    };
    const { site, file } = bufferedSite(join(temp.dir, name), kafka, events);
    return { site, file };
  }

  before(async () => {
    temp = tempDir();
    broker = await ownBroker({ auth, heapMb: 384 });
    // Topics are an administrator's job here: the gateway gets no CREATE.
    await createTopic(broker.brokers, allowed, 1, auth.admin);
    await createTopic(broker.brokers, denied, 1, auth.admin);
    await grantTopic(broker.brokers, auth.admin, allowed, principal, ['WRITE', 'DESCRIBE']);
    await visibleTo(broker.brokers, gatewayUser, allowed);
  });

  after(async () => {
    await broker?.stop();
    temp?.remove();
  });

  test('with WRITE and DESCRIBE on its topic the gateway delivers', async () => {
    const { site } = siteFor('allowed', allowed, gatewayUser.password, 3);
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().buffer.events === 0, 'the outbox to drain', 20_000);
      assert.equal(gateway.status().buffer.deadLetters, 0);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(broker.brokers, allowed, {
      expected: 3,
      settleMs: 300,
      user: auth.admin,
    });
    assert.equal(records.length, 3);
  });

  test('SCRAM-SHA-512 signs in as the same principal and delivers', async () => {
    const { site } = siteFor('scram', allowed, gatewayUser.password, 1, gatewayUser, 'scram-sha-512');
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().producer.delivered === 1, 'delivery over SCRAM', 20_000);
    } finally {
      await gateway.stop();
    }
  });

  test('events for a topic it may not write are dead-lettered naming the ACL, then delivered once granted and requeued', async () => {
    const { site, file } = siteFor('denied', denied, gatewayUser.password, 2);
    const { logger, lines } = recordingLogger();
    const gateway = Gateway.start({ site, logger, env: {} });
    try {
      await until(
        () => gateway.status().buffer.deadLetters === 2 && gateway.status().buffer.events === 0,
        'both events to be dead-lettered',
        20_000,
      );
      const outbox = new Outbox({
        path: join(temp.dir, 'denied', 'state', 'buffer.db'),
        shapeOf: recordShape,
      });
      const reasons = outbox.deadLetters().map((dead) => dead.reason);
      outbox.close();
      for (const reason of reasons) {
        assert.match(reason, /^TOPIC_AUTHORIZATION_FAILED \(not_authorized\)/);
        assert.ok(reason.includes(`grant WRITE and DESCRIBE on topic ${denied} to User:gateway`), reason);
      }
      assert.ok(lines.some((line) => line.includes('PRODUCER_REJECTED') && line.includes('grant WRITE')));

      await grantTopic(broker.brokers, auth.admin, denied, principal, ['WRITE', 'DESCRIBE']);
      await visibleTo(broker.brokers, gatewayUser, denied);
      // The operator's way back, while the gateway keeps running.
      const requeue = GatewayProcess.start(['buffer', 'dlq', 'requeue', '--all', '--config', file]);
      assert.equal(await requeue.exited, 0, requeue.stderr);
      // Only the two requeued events were ever acknowledged: the first attempt delivered nothing.
      await until(
        () => gateway.status().producer.delivered === 2,
        'the requeued events to be delivered',
        20_000,
      );
      assert.equal(gateway.status().buffer.deadLetters, 0);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(broker.brokers, denied, {
      expected: 2,
      settleMs: 300,
      user: auth.admin,
    });
    assert.deepEqual(
      records.map((record) => (JSON.parse(record.value) as AlarmEvent).seq),
      [1, 2],
    );
    assert.ok(!lines.some((line) => line.includes(gatewayUser.password)), 'the password is never logged');
  });

  test('a wrong password is a clear error, retried, and nothing is lost', async () => {
    const { site } = siteFor('wrong-password', allowed, 'not-the-password', 1);
    const { logger, lines } = recordingLogger();
    const gateway = Gateway.start({ site, logger, env: {} });
    try {
      await until(() => gateway.status().producer.failures >= 2, 'two failed attempts', 20_000);
      const status = gateway.status();
      assert.match(status.producer.lastError ?? '', /refused the SASL credentials/);
      assert.equal(status.buffer.events, 1);
      assert.equal(status.buffer.deadLetters, 0);
      assert.ok(lines.some((line) => line.includes('PRODUCER_AUTH')));
      assert.ok(!lines.some((line) => line.includes('not-the-password')), 'the password is never logged');
    } finally {
      await gateway.stop();
    }
  });

  test('without any ACL the idempotent producer is refused by the cluster: a retried error naming IDEMPOTENT_WRITE, and delivery once granted', async () => {
    const topic = uniqueTopic('alarms-newcomer');
    await createTopic(broker.brokers, topic, 1, auth.admin);
    const { site } = siteFor('newcomer', topic, newcomer.password, 2, newcomer);
    const { logger, lines } = recordingLogger();
    const gateway = Gateway.start({ site, logger, env: {} });
    try {
      await until(() => gateway.status().producer.failures >= 2, 'two failed attempts', 20_000);
      const status = gateway.status();
      assert.match(status.producer.lastError ?? '', /CLUSTER_AUTHORIZATION_FAILED|Cluster authorization/i);
      assert.match(
        status.producer.lastError ?? '',
        /grant IDEMPOTENT_WRITE on the cluster to User:gateway-2/,
      );
      assert.equal(status.buffer.deadLetters, 0, 'a cluster ACL is configuration, not a bad record');
      assert.ok(lines.some((line) => line.includes('PRODUCER_NOT_AUTHORIZED')));

      // Since Kafka 3.0, WRITE on a topic is enough for an idempotent producer.
      await grantTopic(broker.brokers, auth.admin, topic, 'User:gateway-2', ['WRITE', 'DESCRIBE']);
      await until(() => gateway.status().producer.delivered === 2, 'delivery once granted', 40_000);
    } finally {
      await gateway.stop();
    }
  });
});

/**
 * SASL over TLS (SASL_SSL) against a real broker: the gateway signs in with
 * SCRAM-SHA-512 inside a TLS connection it verified against the test CA, and
 * `topics ensure` signs in as a separate provisioning user. Neither password
 * ever reaches a log line, kafkajs's trace included.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { defaultAuth, type KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { KafkaSettings } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { bufferedSite } from '../harness/buffered-site.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { grantTopic } from '../harness/kafka-acl.ts';
import { clientTls, type TestPki, testPki } from '../harness/kafka-tls.ts';
import { until } from '../harness/wait.ts';

const auth = defaultAuth();
const gatewayUser = auth.users[0] as SaslUser;

describe('SASL over TLS (SASL_SSL)', () => {
  let broker: KafkaBroker;
  let pki: TestPki;
  let temp: ReturnType<typeof tempDir>;

  before(async () => {
    temp = tempDir();
    pki = testPki(join(temp.dir, 'pki'), 'none');
    broker = await ownBroker({ auth, tls: pki.broker, heapMb: 384 });
  });

  after(async () => {
    await broker?.stop();
    temp?.remove();
  });

  test('topics ensure as the provisioning user, then the gateway with SCRAM-SHA-512 over TLS delivers; no password is logged', async () => {
    const topic = uniqueTopic('alarms-sasl-ssl');
    const passwordFile = join(temp.dir, 'kafka-password');
    writeFileSync(passwordFile, `${gatewayUser.password}\n`);
    const kafka: KafkaSettings = {
      brokers: [broker.brokers],
      topic,
      partitions: 1,
      tls: { ca_file: pki.admin.caFile },
      sasl: { mechanism: 'scram-sha-512', username: gatewayUser.username, password: { file: passwordFile } },
      provisioning: {
        sasl: {
          mechanism: 'scram-sha-256',
          username: auth.admin.username,
          password: { env: 'KAFKA_ADMIN_PASSWORD' },
        },
      },
    };
    const { site, file } = bufferedSite(join(temp.dir, 'site'), kafka, 3);

    const ensure = GatewayProcess.start(['topics', 'ensure', '--config', file], {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_ADMIN_PASSWORD: auth.admin.password,
    });
    assert.equal(await ensure.exited, 0, `${ensure.lines.join('\n')}\n${ensure.stderr}`);
    assert.match(ensure.lines.join('\n'), new RegExp(`${topic}: created`));
    assert.ok(!`${ensure.lines.join('\n')}${ensure.stderr}`.includes(auth.admin.password));
    await grantTopic(broker.brokers, { sasl: auth.admin, ssl: clientTls(pki.admin) }, topic, 'User:gateway', [
      'WRITE',
      'DESCRIBE',
    ]);

    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const gateway = Gateway.start({ site, logger, env: {} });
    try {
      await until(() => gateway.status().buffer.events === 0, 'the buffer to drain over SASL_SSL', 30_000);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(broker.brokers, topic, {
      expected: 3,
      settleMs: 300,
      user: auth.admin,
      ssl: clientTls(pki.admin),
    });
    assert.equal(records.length, 3);
    assert.ok(
      lines.some((line) => line.includes('broker reachable')),
      'the log was recorded',
    );
    assert.ok(
      !lines.some((line) => line.includes(gatewayUser.password)),
      'the SASL password is never logged',
    );
  });

  test('a wrong password over TLS is PRODUCER_AUTH, not a TLS error: the handshake itself worked', async () => {
    const passwordFile = join(temp.dir, 'wrong-password');
    writeFileSync(passwordFile, 'not-the-password\n');
    const { site } = bufferedSite(
      join(temp.dir, 'wrong'),
      {
        brokers: [broker.brokers],
        topic: uniqueTopic('unused'),
        tls: { ca_file: pki.admin.caFile },
        sasl: {
          mechanism: 'scram-sha-512',
          username: gatewayUser.username,
          password: { file: passwordFile },
        },
      },
      1,
    );
    const lines: string[] = [];
    const gateway = Gateway.start({
      site,
      logger: createLogger('trace', { write: (line: string) => void lines.push(line) }),
      env: {},
    });
    try {
      await until(() => gateway.status().producer.failures >= 1, 'a refused sign-in', 20_000);
      assert.match(gateway.status().producer.lastError ?? '', /refused the SASL credentials/);
      assert.equal(gateway.status().buffer.events, 1);
    } finally {
      await gateway.stop();
    }
    assert.ok(
      !lines.some((line) => line.includes('not-the-password')),
      'the wrong password is not logged either',
    );
  });
});

/**
 * TLS to a real broker with certificates made at test time: an SSL listener
 * that requires client certificates (mutual TLS) and the ACL authorizer, so
 * the gateway's principal is its certificate's subject, User:CN=gateway,O=Test.
 * The right CA and certificate deliver; a wrong CA, a missing or foreign
 * client certificate and a wrong server name are PRODUCER_TLS errors that say
 * what to fix, while the events wait in the buffer.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { KafkaSettings, KafkaTls } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { probeBroker } from '../../src/producer/broker-probe.ts';
import { createLogger, type Logger } from '../../src/telemetry/logger.ts';
import { bufferedSite } from '../harness/buffered-site.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { grantTopic } from '../harness/kafka-acl.ts';
import { clientTls, type TestPki, testPki } from '../harness/kafka-tls.ts';
import { until } from '../harness/wait.ts';

const GATEWAY_PRINCIPAL = 'User:CN=gateway,O=Test';

/** Every log line, kafkajs's debug and trace included, so a test can look for secrets anywhere. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('trace', { write: (line: string) => void lines.push(line) }), lines };
}

describe('TLS to a broker that requires client certificates', () => {
  let broker: KafkaBroker;
  let pki: TestPki;
  let temp: ReturnType<typeof tempDir>;
  let passphraseFile: string;
  let sites = 0;

  /** The gateway's TLS settings: the broker's CA and its own certificate, the key's passphrase from a file. */
  function gatewayTls(overrides: Partial<KafkaTls> = {}): KafkaTls {
    return {
      ca_file: pki.gateway.caFile,
      cert_file: pki.gateway.certFile,
      key_file: pki.gateway.keyFile,
      key_passphrase: { file: passphraseFile },
      ...overrides,
    };
  }

  function site(kafka: Partial<KafkaSettings>, events: number) {
    sites += 1;
    return bufferedSite(
      join(temp.dir, `site-${sites}`),
      { brokers: [broker.brokers], partitions: 1, ...kafka },
      events,
    );
  }

  /** A topic made by `gateway topics ensure` signed in as the admin certificate, writable by the gateway's principal. */
  async function provisionedTopic(): Promise<string> {
    const topic = uniqueTopic('alarms-tls');
    const { file } = site(
      {
        topic,
        tls: gatewayTls(),
        provisioning: { tls: { cert_file: pki.admin.certFile, key_file: pki.admin.keyFile } },
      },
      0,
    );
    const ensure = GatewayProcess.start(['topics', 'ensure', '--config', file], {
      KAFKA_BROKERS: broker.brokers,
    });
    assert.equal(await ensure.exited, 0, `${ensure.lines.join('\n')}\n${ensure.stderr}`);
    assert.match(ensure.lines.join('\n'), new RegExp(`${topic}: created`));
    await grantTopic(broker.brokers, { ssl: clientTls(pki.admin) }, topic, GATEWAY_PRINCIPAL, [
      'WRITE',
      'DESCRIBE',
    ]);
    return topic;
  }

  before(async () => {
    temp = tempDir();
    pki = testPki(join(temp.dir, 'pki'), 'required', { authorizer: true });
    passphraseFile = join(temp.dir, 'key-passphrase');
    writeFileSync(passphraseFile, `${pki.passphrase}\n`);
    broker = await ownBroker({ tls: pki.broker, heapMb: 384 });
  });

  after(async () => {
    await broker?.stop();
    temp?.remove();
  });

  test('with the CA and a client certificate whose key is encrypted the gateway signs in as its subject and delivers', async () => {
    const topic = await provisionedTopic();
    const { site: config } = site({ topic, tls: gatewayTls() }, 3);
    const { logger, lines } = recordingLogger();
    const gateway = Gateway.start({ site: config, logger, env: {} });
    try {
      await until(() => gateway.status().buffer.events === 0, 'the buffer to drain over TLS', 30_000);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(broker.brokers, topic, {
      expected: 3,
      settleMs: 300,
      ssl: clientTls(pki.admin),
    });
    assert.equal(records.length, 3);
    assert.ok(lines.length > 0);
    assert.ok(!lines.some((line) => line.includes(pki.passphrase)), 'the key passphrase is never logged');
  });

  test('a CA that did not sign the broker certificate is PRODUCER_TLS; the events wait and go out once the CA is right', async () => {
    const topic = await provisionedTopic();
    const wrong = site({ topic, tls: gatewayTls({ ca_file: pki.otherCa }) }, 2);
    const { logger, lines } = recordingLogger();
    const refused = Gateway.start({ site: wrong.site, logger, env: {} });
    try {
      await until(() => refused.status().producer.failures >= 2, 'two refused handshakes', 20_000);
      const status = refused.status();
      assert.match(
        status.producer.lastError ?? '',
        /not signed by a CA the gateway trusts .*set tls\.ca_file/,
      );
      assert.equal(status.buffer.events, 2);
      assert.ok(lines.some((line) => line.includes('"code":"PRODUCER_TLS"')));
    } finally {
      await refused.stop();
    }
    // The operator fixes ca_file; the same buffer then drains.
    const fixed = Gateway.start({
      site: {
        ...wrong.site,
        gateway: { ...wrong.site.gateway, kafka: { ...wrong.site.gateway.kafka, tls: gatewayTls() } },
      },
      logger: createLogger('silent'),
      env: {},
    });
    try {
      await until(() => fixed.status().buffer.events === 0, 'the waiting events to go out', 30_000);
    } finally {
      await fixed.stop();
    }
    const records = await consumeAll(broker.brokers, topic, {
      expected: 2,
      settleMs: 300,
      ssl: clientTls(pki.admin),
    });
    assert.equal(records.length, 2);
  });

  test('without a client certificate, or with one from a CA the broker does not trust, the broker refuses: PRODUCER_TLS says so', async () => {
    const topic = await provisionedTopic();
    const strangerTls = gatewayTls({ cert_file: pki.stranger.certFile, key_file: pki.stranger.keyFile });
    delete strangerTls.key_passphrase;
    for (const tls of [{ ca_file: pki.gateway.caFile }, strangerTls]) {
      const { site: config } = site({ topic, tls }, 1);
      const gateway = Gateway.start({ site: config, logger: createLogger('silent'), env: {} });
      try {
        await until(() => gateway.status().producer.failures >= 1, 'a refused handshake', 20_000);
        assert.match(
          gateway.status().producer.lastError ?? '',
          /broker refused the gateway's client certificate or wanted one/,
        );
        assert.equal(gateway.status().buffer.events, 1);
      } finally {
        await gateway.stop();
      }
    }
  });

  test('the broker certificate must carry the server name: another name is refused, one it carries is accepted', async () => {
    const topic = await provisionedTopic();
    const mismatch = site({ topic, tls: gatewayTls({ server_name: 'kafka.example' }) }, 1);
    const refused = Gateway.start({ site: mismatch.site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => refused.status().producer.failures >= 1, 'a refused handshake', 20_000);
      assert.match(refused.status().producer.lastError ?? '', /not made out to the host .*tls\.server_name/);
    } finally {
      await refused.stop();
    }
    const { site: named } = site({ topic, tls: gatewayTls({ server_name: 'localhost' }) }, 1);
    const gateway = Gateway.start({ site: named, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().producer.delivered === 1, 'delivery to localhost', 30_000);
    } finally {
      await gateway.stop();
    }
  });

  test('topics ensure as the least-privileged gateway principal names the missing ACL; the gateway itself needs none of it', async () => {
    const topic = await provisionedTopic();
    const { file } = site({ topic, tls: gatewayTls(), topic_config: { 'retention.ms': 86_400_000 } }, 0);
    const check = GatewayProcess.start(['topics', 'ensure', '--check', '--config', file], {
      KAFKA_BROKERS: broker.brokers,
    });
    assert.equal(await check.exited, 1);
    const report = check.lines.join('\n');
    assert.match(report, new RegExp(`${topic}: FAILED`));
    assert.match(
      report,
      new RegExp(
        `PRODUCER_NOT_AUTHORIZED: .*grant DESCRIBE_CONFIGS on topic ${topic} to User:CN=gateway,O=Test`,
      ),
    );
    assert.ok(!report.includes(pki.passphrase) && !check.stderr.includes(pki.passphrase));
  });

  test('the broker probe reports reachability over TLS, the principal and the topic; and a wrong CA as PRODUCER_TLS', async () => {
    const topic = await provisionedTopic();
    const good = await probeBroker(site({ topic, tls: gatewayTls() }, 0).site, { env: {} });
    assert.equal(good.ok, true, good.summary);
    assert.equal(good.security, 'SSL');
    assert.equal(good.principal, GATEWAY_PRINCIPAL);
    assert.deepEqual(good.topics, [{ topic, status: 'present', partitions: 1 }]);
    assert.match(good.summary, /reached 1 broker\(s\) .* over SSL as User:CN=gateway,O=Test/);

    const bad = await probeBroker(site({ topic, tls: gatewayTls({ ca_file: pki.otherCa }) }, 0).site, {
      env: {},
    });
    assert.equal(bad.ok, false);
    assert.equal(bad.code, 'PRODUCER_TLS');
    assert.match(bad.summary, /\[producer\] PRODUCER_TLS: .*tls\.ca_file/);
  });
});

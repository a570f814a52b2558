/**
 * The MQTT adapter against a real Mosquitto: values in, acknowledgement only
 * after commit, redelivery of what was not committed, sessions across broker
 * restarts, refused credentials and subscriptions, TLS.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PushSession } from '../../../src/adapters/adapter.ts';
import { createMqttAdapter } from '../../../src/adapters/mqtt/adapter.ts';
import type { MqttDevice } from '../../../src/config/schema.ts';
import type { GatewayError } from '../../../src/system/errors.ts';
import { Mosquitto } from '../../harness/mosquitto.ts';
import { until } from '../../harness/wait.ts';
import { jsonDevice, keptLog, publisher, RecordingLink, text } from './fixtures.ts';

const USERS = { gateway: 'gw-secret', plc: 'plc-secret', outsider: 'outsider-secret' };
const ACL = [
  'user gateway',
  'topic read plant/#',
  'user plc',
  'topic write plant/#',
  'user outsider',
  'topic read other/#',
  '',
].join('\n');

describe('MQTT adapter against Mosquitto', () => {
  let broker: Mosquitto;
  let passwordFile: string;

  before(async () => {
    broker = await Mosquitto.start({ users: USERS, acl: ACL, persistence: true });
    passwordFile = join(broker.dir, 'gateway.password');
    writeFileSync(passwordFile, `${USERS.gateway}\n`);
  });

  after(async () => {
    await broker?.remove();
  });

  function device(overrides: Partial<MqttDevice> = {}): MqttDevice {
    return jsonDevice(broker.url, { username: 'gateway', password: { file: passwordFile }, ...overrides });
  }

  async function open(spec: MqttDevice, link: RecordingLink, clientSuffix = '') {
    const log = keptLog();
    const adapter = createMqttAdapter(spec, { logger: log.logger, gatewayId: `gw${clientSuffix}` });
    const session = await adapter.connect(link);
    return { adapter, session, log };
  }

  test('JSON, plain and boolean payloads become readings, with source time, quality and named levels', async () => {
    const link = new RecordingLink();
    const { session } = await open(device(), link, '-values');
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    try {
      const ts = Date.now() - 60_000;
      await plc.publish('plant/tank-1/level', text(`{"value": 3.5, "ts": ${ts}, "q": "uncertain"}`), 1);
      await plc.publish('plant/boiler-7/temp', text('81.25'), 1);
      await plc.publish('plant/pump-1/running', text('on'), 1);
      await until(() => link.readings.length >= 3, 'three readings');
      const level = link.readings.find((r) => r.pointId === 'level');
      assert.equal(level?.value, 3.5);
      assert.equal(level?.sourceTime, ts);
      assert.equal(level?.quality, 'uncertain');
      assert.deepEqual(link.values('boiler-7.temp'), [81.25]);
      assert.deepEqual(link.values('running'), [true]);
    } finally {
      await plc.end();
      await session.close();
    }
  });

  test('a QoS 1 message whose events were not committed is not acknowledged and comes again', async () => {
    const spec = device({ client_id: 'gw-redelivery' });
    const link = new RecordingLink();
    let refusals = 0;
    link.accept = () => {
      if (refusals > 0) return true;
      refusals += 1;
      return false;
    };
    const first = await open(spec, link);
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    try {
      await plc.publish('plant/tank-1/level', text(`{"value": 7, "ts": ${Date.now()}, "q": "good"}`), 1);
      await assert.rejects(first.session.ended, (error: GatewayError) => error.code === 'MQTT_CONNECT');
      assert.equal(first.adapter.counters.notCommitted, 1);
      assert.deepEqual(link.values('level'), [], 'nothing delivered yet');
      assert.ok(
        link.links.some((entry) => !entry.up),
        'the link went down',
      );

      // The runner connects again: same client id, persistent session, the broker redelivers.
      const second = await first.adapter.connect(link);
      await until(() => link.values('level').length === 1, 'the redelivered message');
      assert.deepEqual(link.values('level'), [7]);
      await second.close();
    } finally {
      await plc.end();
    }
  });

  test('a message whose handling throws is logged as MQTT_PAYLOAD, acknowledged, and the session stays up', async () => {
    const spec = device({ client_id: 'gw-handler-throws' });
    const link = new RecordingLink();
    let throws = 1;
    link.accept = (readings) => {
      if (throws > 0 && readings.some((reading) => reading.quality === 'good')) {
        throws -= 1;
        throw new RangeError('Invalid time value');
      }
      return true;
    };
    const { adapter, session, log } = await open(spec, link);
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    try {
      let ended = false;
      void session.ended.catch(() => {
        ended = true;
      });
      await plc.publish('plant/b/temp', text('5'), 1);
      await until(() => link.readings.length === 1, 'the point made bad instead');
      assert.equal(link.readings[0]?.quality, 'bad');
      assert.match(link.readings[0]?.qualityReason ?? '', /Invalid time value/);
      await plc.publish('plant/b/temp', text('6'), 1);
      await until(() => link.values('b.temp').includes(6), 'the next message');
      assert.equal(ended, false, 'the connection stays');
      assert.equal(adapter.counters.connects, 1);
      const logged = log.lines.filter((line) => /Invalid time value/.test(String(line.msg)));
      assert.deepEqual(
        logged.map((line) => line.code),
        ['MQTT_PAYLOAD'],
      );
      assert.ok(!log.lines.some((line) => line.code === 'MQTT_CONNECT'));
    } finally {
      await plc.end();
      await session.close();
    }
  });

  test('messages queued while the gateway was away arrive; after a broker restart with persistence nothing is lost', async () => {
    const spec = device({ client_id: 'gw-persist' });
    const link = new RecordingLink();
    const { adapter, session } = await open(spec, link);
    await session.close();
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    for (let i = 0; i < 20; i++) await plc.publish('plant/x/temp', text(String(i)), 1);
    await plc.end();
    await broker.restart();

    const again = await adapter.connect(link);
    await until(() => link.values('x.temp').length === 20, 'the 20 queued messages');
    assert.deepEqual(
      link.values('x.temp'),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(adapter.counters.sessionsLost, 0, 'the broker kept the session');
    await again.close();
  });

  test('after a broker restart without its sessions the adapter subscribes again', async () => {
    const spec = device({ client_id: 'gw-lost-session' });
    const link = new RecordingLink();
    const { adapter, session } = await open(spec, link);
    // Mosquitto killed: nothing saved since the last restart, so this session is gone.
    await broker.kill();
    await assert.rejects(session.ended);
    await broker.restart();
    const again = await adapter.connect(link);
    assert.equal(adapter.counters.sessionsLost, 1);
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    await plc.publish('plant/y/temp', text('42'), 1);
    await until(() => link.values('y.temp').length === 1, 'a message after resubscribing');
    await plc.end();
    await again.close();
  });

  test('a wrong password is a clear MQTT_AUTH error with a slow retry, reported as a lost link', async () => {
    const wrong = join(broker.dir, 'wrong.password');
    writeFileSync(wrong, 'not-it\n');
    const link = new RecordingLink();
    const log = keptLog();
    const adapter = createMqttAdapter(device({ password: { file: wrong }, auth_retry_ms: 45_000 }), {
      logger: log.logger,
      gatewayId: 'gw-auth',
    });
    await assert.rejects(adapter.connect(link), (error: GatewayError & { retryAfterMs?: number }) => {
      assert.equal(error.code, 'MQTT_AUTH');
      assert.match(error.describe(), /refused the credentials.*as gateway/);
      assert.equal(error.retryAfterMs, 45_000);
      return true;
    });
    assert.equal(link.links.at(-1)?.up, false);
  });

  test('a password from a missing environment variable is MQTT_SECRET', async () => {
    const adapter = createMqttAdapter(device({ password: { env: 'NO_SUCH_MQTT_PASSWORD_VAR' } }), {
      logger: keptLog().logger,
      gatewayId: 'gw-secret',
      env: {},
    });
    await assert.rejects(
      adapter.connect(new RecordingLink()),
      (error: GatewayError) => error.code === 'MQTT_SECRET',
    );
  });

  test('a user the ACL denies the topics: the session stays up and nothing from those topics is taken', async () => {
    // Mosquitto 2.0 grants such a subscription and filters deliveries, so there is no refusal to
    // report; brokers that refuse in the SUBACK (0x80) get MQTT_SUBSCRIBE and a slow retry.
    const outsiderFile = join(broker.dir, 'outsider.password');
    writeFileSync(outsiderFile, USERS.outsider);
    const link = new RecordingLink();
    const adapter = createMqttAdapter(device({ username: 'outsider', password: { file: outsiderFile } }), {
      logger: keptLog().logger,
      gatewayId: 'gw-acl',
    });
    const session = await adapter.connect(link);
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    await plc.publish('plant/a/temp', text('1'), 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(adapter.counters.messages, 0);
    await plc.end();
    await session.close();
  });

  test('TLS with the generated CA connects; a CA that did not sign the broker is refused', async () => {
    const link = new RecordingLink();
    const good = await open(device({ url: broker.tlsUrl, tls: { ca_file: broker.caFile } }), link, '-tls');
    await good.session.close();
    const adapter = createMqttAdapter(device({ url: broker.tlsUrl, tls: { ca_file: broker.otherCaFile } }), {
      logger: keptLog().logger,
      gatewayId: 'gw-bad-ca',
    });
    await assert.rejects(
      adapter.connect(new RecordingLink()),
      (error: GatewayError) => error.code === 'MQTT_TLS',
    );
  });

  test('a listener that requires a client certificate takes the one from tls.cert_file and key_file', async () => {
    const tls = { ca_file: broker.caFile, cert_file: broker.clientCertFile, key_file: broker.clientKeyFile };
    const good = await open(device({ url: broker.mtlsUrl, tls }), new RecordingLink(), '-mtls');
    await good.session.close();
    const without = createMqttAdapter(device({ url: broker.mtlsUrl, tls: { ca_file: broker.caFile } }), {
      logger: keptLog().logger,
      gatewayId: 'gw-no-cert',
    });
    await assert.rejects(without.connect(new RecordingLink()), (error: GatewayError) => {
      assert.equal(error.code, 'MQTT_TLS', error.describe());
      return true;
    });
  });

  test('every malformed payload class is a bad reading, counted, and logged once per interval naming the topic', async () => {
    const link = new RecordingLink();
    const { adapter, session, log } = await open(device(), link, '-malformed');
    const plc = await publisher(broker.url, { username: 'plc', password: USERS.plc });
    try {
      const bad: [string, string][] = [
        ['plant/tank-1/level', '{"value": 3,'],
        ['plant/tank-1/level', '{"value": 3,'],
        ['plant/tank-1/level', '{"other": 3, "ts": 1, "q": "good"}'],
        ['plant/tank-1/level', '{"value": "3", "ts": 1, "q": "good"}'],
        ['plant/a/temp', 'warm'],
        ['plant/with space/temp', '1'],
      ];
      for (const [topic, payload] of bad) await plc.publish(topic, text(payload), 1);
      await until(() => link.readings.length >= bad.length, 'a reading per message');
      assert.ok(link.readings.every((reading) => reading.quality === 'bad' && reading.value === null));
      const counted = adapter.counters.malformed;
      assert.equal(counted.bad_json, 2);
      assert.equal(counted.missing_path, 1);
      assert.equal(counted.wrong_type, 2);
      assert.equal(counted.unusable_topic, 1);
      const logged = log.lines.filter((line) => line.code === 'MQTT_PAYLOAD');
      assert.equal(logged.filter((line) => line.kind === 'bad_json').length, 1, 'rate-limited');
      assert.ok(
        logged.every(
          (line) => typeof line.topic === 'string' && String(line.msg).includes(String(line.topic)),
        ),
      );
      // The adapter is still up and reads good values.
      await plc.publish('plant/a/temp', text('20'), 1);
      await until(() => link.values('a.temp').includes(20), 'a good value after bad ones');
    } finally {
      await plc.end();
      await session.close();
    }
  });
});

export type { PushSession };

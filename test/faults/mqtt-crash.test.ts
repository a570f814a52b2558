/**
 * kill -9 while QoS 1 messages are in flight: the gateway acknowledges a
 * message only after its events are committed, so after a restart the broker
 * redelivers what was not, and every message's event is on Kafka (duplicates
 * carry the same event_id).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { publisher, text } from '../adapters/mqtt/fixtures.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, sharedBrokers, topicSize } from '../harness/kafka.ts';
import { Mosquitto } from '../harness/mosquitto.ts';
import { MQTT_ACL, MQTT_USERS, writeMqttSite } from '../harness/mqtt-site.ts';
import { until } from '../harness/wait.ts';

/** Each message flips the level across its H limit: one raise or clear per message. */
const MESSAGES = 400;

describe('gateway crash with MQTT QoS 1 messages in flight', () => {
  let brokers: string;
  let broker: Mosquitto;
  let temp: ReturnType<typeof tempDir>;

  before(async () => {
    brokers = await sharedBrokers();
    broker = await Mosquitto.start({ users: MQTT_USERS, acl: MQTT_ACL, persistence: true });
    temp = tempDir();
  });

  after(async () => {
    await broker?.remove();
    temp?.remove();
  });

  test('every message produces its event exactly once by event_id, none lost', async () => {
    const topic = `alarms-mqtt-crash-${randomUUID()}`;
    // Device times near the gateway clock: further than source_time_tolerance_ms would make the readings bad.
    const firstTs = Date.now();
    const { file } = writeMqttSite({ dir: temp.dir, broker, brokers, topic });
    const env = { KAFKA_BROKERS: brokers };

    const first = GatewayProcess.run(file, env);
    await first.waitForLog((line) => line.msg === 'subscribed', 'the subscription');
    const plc = await publisher(broker.url, { username: 'plc', password: MQTT_USERS.plc });
    const sending = (async () => {
      for (let i = 0; i < MESSAGES; i++) {
        const level = i % 2 === 0 ? 9.5 : 2;
        await plc.publish(
          'plant/tank-1/level',
          text(JSON.stringify({ data: { level }, ts: firstTs + i })),
          1,
        );
      }
    })();
    const transitions = () => first.logs.filter((line) => typeof line.transition === 'string').length;
    await until(() => transitions() >= 60, 'part of the messages committed', 30_000, 1);
    await first.kill();
    const beforeKill = transitions();
    assert.ok(beforeKill < MESSAGES, `killed with messages in flight (${beforeKill} committed)`);
    await sending;
    await plc.end();

    const second = GatewayProcess.run(file, env);
    try {
      // What the first process committed, logged or not when it died.
      const started = await second.waitForLog((line) => line.msg === 'gateway started', 'the restart');
      const committedBefore = Number(started.last_seq);
      await until(
        () =>
          second.logs.filter((line) => typeof line.transition === 'string').length + committedBefore >=
          MESSAGES,
        'the rest committed after the restart',
        60_000,
      );
      const expected = MESSAGES;
      await until(
        async () => (await topicSize(brokers, topic)) >= expected,
        'every event on Kafka',
        60_000,
        200,
      );
      const records = await consumeAll(brokers, topic, { expected, timeoutMs: 60_000 });
      const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
      const unique = new Map(events.map((event) => [event.event_id, event]));
      assert.equal(
        unique.size,
        MESSAGES,
        `one event per message: ${[...new Set(events.map((e) => e.transition))].join(',')}`,
      );
      const ordered = [...unique.values()].sort((a, b) => a.seq - b.seq);
      ordered.forEach((event, index) => {
        assert.equal(event.seq, index + 1, 'seq without gaps');
        assert.equal(
          event.transition,
          index % 2 === 0 ? 'raise' : 'clear',
          `event ${index + 1} follows message ${index + 1}`,
        );
        assert.equal(Date.parse(event.source_time), firstTs + index, 'the source time of its message');
      });
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });
});

/**
 * The whole data path from MQTT: simulated JSON and Sparkplug B devices
 * publish to a real Mosquitto, the gateway turns their values into alarm
 * events, and the events arrive on a real Kafka broker. A device locked out
 * by a wrong password is reported and retried slowly without touching the others.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../src/alarms/event.ts';
import type { MqttDevice } from '../src/config/schema.ts';
import { Gateway } from '../src/gateway.ts';
import { SimulatedMqttPublisher } from '../src/simulator/mqtt-publisher.ts';
import { SimulatedEdgeNode } from '../src/simulator/sparkplug-edge-node.ts';
import { keptLog } from './adapters/mqtt/fixtures.ts';
import { tempDir } from './harness/fixtures.ts';
import { consumeAll, sharedBrokers } from './harness/kafka.ts';
import { Mosquitto } from './harness/mosquitto.ts';
import { MQTT_ACL, MQTT_USERS, writeMqttSite } from './harness/mqtt-site.ts';
import { until } from './harness/wait.ts';

describe('gateway end to end: MQTT devices to Kafka', () => {
  let brokers: string;
  let broker: Mosquitto;
  let temp: ReturnType<typeof tempDir>;

  before(async () => {
    brokers = await sharedBrokers();
    broker = await Mosquitto.start({ users: MQTT_USERS, acl: MQTT_ACL });
    temp = tempDir();
  });

  after(async () => {
    await broker?.remove();
    temp?.remove();
  });

  test('JSON and Sparkplug values raise and clear alarms; a locked-out device does not disturb them', async () => {
    const topic = `alarms-mqtt-${randomUUID()}`;
    const { site } = writeMqttSite({
      dir: temp.dir,
      broker,
      brokers,
      topic,
      withSparkplug: true,
      withWrongPassword: true,
    });
    const env = { TEST_MQTT_PASSWORD: MQTT_USERS.gateway };
    const [sensors, filler] = site.devices.filter((device) => device.protocol === 'mqtt');
    const credentials = { username: 'plc', password: MQTT_USERS.plc };
    const publisher = await SimulatedMqttPublisher.start(sensors as MqttDevice, {
      intervalMs: 60_000,
      credentials,
    });
    const node = await SimulatedEdgeNode.start(filler as MqttDevice, { intervalMs: 60_000, credentials });
    const log = keptLog();
    const gateway = Gateway.start({ site, logger: log.logger, env, tickMs: 50 });
    try {
      await until(
        () =>
          gateway
            .status()
            .devices.filter((d) => d.deviceId !== 'locked-out')
            .every((d) => d.connected && !d.lost),
        'the MQTT devices connected and the edge node born',
        15_000,
      );
      const committed = (n: number) =>
        until(() => gateway.status().buffer.lastSeq >= n, `${n} events committed`, 10_000);

      await publisher.set('level', 9.5);
      await committed(1);
      await publisher.set('{pump}.running', false);
      await committed(2);
      await node.set('pressure', 12);
      await committed(3);
      await publisher.set('level', 2);
      await node.set('pressure', 3);
      await publisher.set('{pump}.running', true);

      await until(() => gateway.status().producer.delivered >= 7, 'all events delivered to Kafka', 30_000);
      const records = await consumeAll(brokers, topic, { expected: 6 + 1, timeoutMs: 30_000 });
      const events = records.map((r) => JSON.parse(r.value) as AlarmEvent);
      const transitions = events
        .filter((e) => e.kind !== 'comm')
        .map((e) => `${e.device}/${e.point}:${e.transition}`)
        .sort();
      assert.deepEqual(transitions, [
        'filler-edge/pressure:clear',
        'filler-edge/pressure:raise',
        'tank-sensors/level:clear',
        'tank-sensors/level:raise',
        'tank-sensors/pump.running:clear',
        'tank-sensors/pump.running:raise',
      ]);
      const level = events.find((e) => e.point === 'level' && e.transition === 'raise');
      assert.equal(level?.value, 9.5);
      assert.equal(level?.condition_id, 'mqtt-site/utilities/water/tank-1/level/high_level');
      // The locked-out device raised its communication alarm, with the reason.
      const comm = events.find((e) => e.kind === 'comm');
      assert.equal(comm?.device, 'locked-out');
      assert.equal(comm?.transition, 'raise');

      const locked = gateway.status().devices.find((d) => d.deviceId === 'locked-out');
      assert.match(locked?.lastError ?? '', /refused the credentials/);
      assert.ok((locked?.consecutiveFailures ?? 0) <= 2, 'retried slowly, not in a loop');
      const authLines = log.lines.filter((line) => line.code === 'MQTT_AUTH');
      assert.equal(authLines.length, 1, 'reported once, clearly');
    } finally {
      await gateway.stop();
      await publisher.stop();
      await node.stop();
    }
  });

  test('a broker restart without its sessions: communication loss raised and cleared, subscriptions renewed, values flow again', async () => {
    const topic = `alarms-mqtt-restart-${randomUUID()}`;
    const dir = temp.dir.concat('/restart');
    mkdirSync(dir, { recursive: true });
    const { site } = writeMqttSite({ dir, broker, brokers, topic, gatewayId: 'gw-restart' });
    const sensors = site.devices[0] as MqttDevice;
    const credentials = { username: 'plc', password: MQTT_USERS.plc };
    const gateway = Gateway.start({ site, logger: keptLog().logger, env: {}, tickMs: 50 });
    let publisher: SimulatedMqttPublisher | undefined;
    try {
      await until(() => gateway.status().devices.every((d) => d.connected), 'connected');
      // Killed, so the broker forgets the gateway's session and subscriptions.
      await broker.kill();
      await until(() => gateway.status().devices.every((d) => d.lost), 'the broker loss noticed');
      await broker.restart();
      await until(() => gateway.status().devices.every((d) => d.connected && !d.lost), 'reconnected', 15_000);
      publisher = await SimulatedMqttPublisher.start(sensors, { intervalMs: 60_000, credentials });
      await publisher.set('level', 9.5);
      await until(
        () => gateway.status().producer.delivered >= 3,
        'comm raise, comm clear, level raise delivered',
        30_000,
      );
      const records = await consumeAll(brokers, topic, { expected: 3, timeoutMs: 30_000 });
      const events = records.map((r) => JSON.parse(r.value) as AlarmEvent);
      assert.deepEqual(
        events.map((e) => `${e.kind}:${e.point}:${e.transition}`),
        ['comm:tank-sensors:raise', 'comm:tank-sensors:clear', 'limit:level:raise'],
      );
    } finally {
      await gateway.stop();
      await publisher?.stop();
    }
  });
});

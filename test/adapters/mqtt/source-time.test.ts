/**
 * Device timestamps no Date can hold, through a real Mosquitto, the MQTT
 * adapter, the device runner and the alarm stage: on a persistent session a
 * message whose handling failed would come back on every reconnect, so such a
 * reading must end as a bad reading, acknowledged, with the session kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMqttAdapter, type MqttAdapter } from '../../../src/adapters/mqtt/adapter.ts';
import { DataType, encodeSparkplug } from '../../../src/adapters/mqtt/sparkplug-codec.ts';
import type { Reading } from '../../../src/adapters/reading.ts';
import { DeviceRunner } from '../../../src/adapters/runner.ts';
import { compileAlarms } from '../../../src/alarms/compile.ts';
import { AlarmEvaluator, type CommitRequest } from '../../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../../src/alarms/event.ts';
import type { MqttDevice, SiteFile } from '../../../src/config/schema.ts';
import { Mosquitto } from '../../harness/mosquitto.ts';
import { until } from '../../harness/wait.ts';
import { keptLog, publisher, text } from './fixtures.ts';

const UINT64_MAX = Number(2n ** 64n - 1n);
const HIGH = [{ id: 'high', kind: 'limit' as const, H: { value: 50 } }];

/** The gateway's path from one MQTT device to committed events, without Kafka. */
function gatewayOf(device: MqttDevice) {
  const site: SiteFile = { site: 'plant', gateway: { id: 'gw-time' }, devices: [device] };
  const events: AlarmEvent[] = [];
  const readings: Reading[] = [];
  const log = keptLog();
  const evaluator = new AlarmEvaluator({
    alarms: compileAlarms(site),
    identity: { gatewayId: site.gateway.id, site: site.site },
    restored: new Map(),
    commit: ({ drafts }: CommitRequest) => {
      const committed = drafts.map((draft) => ({ ...draft, seq: events.length + 1 }));
      events.push(...committed);
      return committed;
    },
    newId: () => `evt-${events.length}`,
    logger: log.logger,
  });
  const adapter: MqttAdapter = createMqttAdapter(device, { logger: log.logger, gatewayId: 'gw-time' });
  const runner = new DeviceRunner({
    adapter,
    pollIntervalMs: 1000,
    commLossAfter: 3,
    sink: evaluator,
    logger: log.logger,
    observer: { readings: (_, batch) => void readings.push(...batch) },
  });
  runner.start();
  return { adapter, runner, events, readings, log };
}

describe('device timestamps out of range, through Mosquitto', () => {
  let broker: Mosquitto;

  before(async () => {
    broker = await Mosquitto.start({ persistence: true });
  });

  after(async () => {
    await broker?.remove();
  });

  test('JSON ts of 1e16 and 1.7e18 (nanoseconds): bad readings, counted, session kept, later values evaluated', async () => {
    const device: MqttDevice = {
      id: 'tank',
      protocol: 'mqtt',
      url: broker.url,
      client_id: 'gw-time-json',
      area: 'a',
      line: 'l',
      asset: 'tank-1',
      connect_timeout_ms: 2000,
      points: [
        {
          id: 'level',
          format: 'json',
          topic: 'plant/level',
          value_path: 'v',
          timestamp_path: 'ts',
          alarms: HIGH,
        },
      ],
    };
    const gateway = gatewayOf(device);
    const plc = await publisher(broker.url);
    try {
      await until(
        () => gateway.runner.status.connected && gateway.adapter.counters.connects === 1,
        'connected',
      );
      await plc.publish('plant/level', text('{"v": 60, "ts": 1e16}'), 1);
      await plc.publish('plant/level', text('{"v": 61, "ts": 1700000000000000000}'), 1);
      await until(() => gateway.readings.length >= 2, 'two readings');
      // Long enough for a redelivery loop to show as reconnects.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(gateway.adapter.counters.connects, 1, 'no reconnect');
      assert.equal(gateway.runner.status.lost, false);
      assert.deepEqual(
        gateway.readings.map((reading) => [reading.quality, reading.value]),
        [
          ['bad', null],
          ['bad', null],
        ],
      );
      assert.match(gateway.readings[0]?.qualityReason ?? '', /source time/);
      assert.equal(gateway.adapter.counters.malformed.bad_timestamp, 2);
      assert.equal(gateway.events.length, 0, 'a bad reading decides nothing');
      assert.equal(gateway.log.lines.filter((line) => line.code === 'MQTT_PAYLOAD').length, 1, 'one line');

      await plc.publish('plant/level', text(`{"v": 70, "ts": ${Date.now()}}`), 1);
      await until(() => gateway.events.length === 1, 'the raise of a good value');
      assert.equal(gateway.events[0]?.transition, 'raise');
      assert.equal(gateway.events[0]?.value, 70);
      assert.equal(gateway.adapter.counters.connects, 1);
    } finally {
      await plc.end();
      await gateway.runner.stop();
    }
  });

  test('a Sparkplug metric timestamp of 2^64-1 in a birth: bad reading, node alive, session kept', async () => {
    const device: MqttDevice = {
      id: 'edge',
      protocol: 'mqtt',
      url: broker.url,
      client_id: 'gw-time-sparkplug',
      area: 'a',
      line: 'l',
      asset: 'filler-1',
      connect_timeout_ms: 2000,
      sparkplug: { group_id: 'plant', edge_node_id: 'edge-1', birth_timeout_ms: 60_000 },
      points: [{ id: 'pressure', format: 'sparkplug', metric: 'Pressure', alarms: HIGH }],
    };
    const gateway = gatewayOf(device);
    const node = await publisher(broker.url);
    try {
      await until(
        () => gateway.runner.status.connected && gateway.adapter.counters.connects === 1,
        'connected',
      );
      const birth = encodeSparkplug({
        timestamp: Date.now(),
        seq: 0,
        metrics: [
          { name: 'bdSeq', datatype: DataType.Int64, value: 1 },
          { name: 'Pressure', alias: 1, datatype: DataType.Double, value: 60, timestamp: UINT64_MAX },
        ],
      });
      await node.publish('spBv1.0/plant/NBIRTH/edge-1', birth, 1);
      await until(() => gateway.readings.length >= 1, 'the reading of the birth');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(gateway.adapter.counters.connects, 1, 'no reconnect');
      assert.equal(gateway.runner.status.lost, false, 'the node is alive');
      assert.equal(gateway.readings[0]?.quality, 'bad');
      assert.equal(gateway.adapter.counters.malformed.bad_timestamp, 1);

      const data = encodeSparkplug({
        timestamp: Date.now(),
        seq: 1,
        metrics: [{ alias: 1, datatype: DataType.Double, value: 70, timestamp: Date.now() }],
      });
      await node.publish('spBv1.0/plant/NDATA/edge-1', data, 1);
      await until(() => gateway.events.some((event) => event.value === 70), 'the raise of a good value');
      assert.equal(gateway.adapter.counters.connects, 1);
    } finally {
      await node.end();
      await gateway.runner.stop();
    }
  });
});

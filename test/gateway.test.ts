/**
 * The whole data path with real parts: simulated PLCs over Modbus TCP, the
 * gateway, its SQLite buffer and a real Kafka broker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, before, beforeEach, describe, test } from 'node:test';
import type { AlarmEvent } from '../src/alarms/event.ts';
import { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { tempDir } from './harness/fixtures.ts';
import { consumeAll, sharedBrokers } from './harness/kafka.ts';
import { startTestSite, type TestSite } from './harness/site.ts';
import { until } from './harness/wait.ts';

interface Received {
  key: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  event: AlarmEvent;
}

async function received(brokers: string, topic: string, expected: number): Promise<Received[]> {
  const records = await consumeAll(brokers, topic, { expected, timeoutMs: 30_000 });
  return records.map((record) => ({ ...record, event: JSON.parse(record.value) as AlarmEvent }));
}

describe('gateway end to end: simulated Modbus plant to Kafka', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let topic: string;
  let plant: TestSite;
  let gateway: Gateway;

  before(async () => {
    brokers = await sharedBrokers();
  });

  beforeEach(async () => {
    temp = tempDir();
    topic = `alarms-${randomUUID()}`;
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
    gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
    await until(() => gateway.status().devices.every((device) => device.polls > 0), 'first polls');
  });

  afterEach(async () => {
    await gateway.stop();
    await plant.stopPlant();
    temp.remove();
  });

  /** Sets a value on the simulator and waits until the gateway committed the event it causes. */
  async function drive(action: () => void, events = 1): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    action();
    await until(() => gateway.status().buffer.lastSeq >= before + events, 'the transition to be committed');
  }

  test('every transition arrives once, with the contract fields, key and headers, in order per key', async () => {
    await drive(() => plant.press.set('oil_temperature', 85));
    await drive(() => plant.press.set('oil_temperature', 95));
    await drive(() => plant.press.set('oil_temperature', 85));
    await drive(() => plant.pump.set('flow', 3));
    await drive(() => plant.press.set('guard_open', true));
    await drive(() => plant.press.set('oil_temperature', 70));
    await drive(() => plant.press.set('guard_open', false));
    await drive(() => plant.pump.set('flow', 20));

    const records = await received(brokers, topic, 8);
    assert.equal(records.length, 8);

    const events = records.map((r) => r.event).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(
      events.map((e) => `${e.point}:${e.transition}:${e.state.level ?? ''}`),
      [
        'oil_temperature:raise:H',
        'oil_temperature:level_change:HH',
        'oil_temperature:level_change:H',
        'flow:raise:L',
        'guard_open:raise:',
        'oil_temperature:clear:',
        'guard_open:clear:',
        'flow:clear:',
      ],
    );

    for (const { key, headers, event } of records) {
      assert.equal(key, `${event.site}/${event.area}/${event.line}/${event.asset}`);
      assert.deepEqual(headers, {
        schema: 'iiot.alarm.v1',
        'content-type': 'application/json',
        event_id: event.event_id,
        site: 'test-site',
        event_date: event.event_date,
        priority: event.priority,
      });
      assert.equal(event.schema, 'iiot.alarm.v1');
      assert.equal(event.gateway_id, 'gw-test');
      assert.match(event.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(
        event.condition_id,
        `test-site/${event.area}/${event.line}/${event.asset}/${event.point}/${event.alarm}`,
      );
      assert.match(event.source_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.match(event.gateway_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(event.event_date, event.source_time.slice(0, 10));
      assert.equal(event.quality, 'good');
      assert.ok(event.message.length > 0);
      assert.ok(event.reason.text.length > 0);
    }
    assert.equal(new Set(records.map((r) => r.event.event_id)).size, 8, 'event ids are unique');

    const hh = events[1];
    assert.equal(hh?.priority, 'critical');
    assert.equal(hh?.severity, 900);
    assert.equal(hh?.limit, 90);
    assert.equal(hh?.value, 95);
    assert.equal(hh?.unit, 'degC');
    assert.equal(hh?.kind, 'limit');
    assert.equal(hh?.device, 'press-plc');
    assert.deepEqual(hh?.state, {
      active: true,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
      level: 'HH',
      isa_state: 'unacknowledged',
    });

    // One key, one partition, and offsets in the order the gateway produced the events.
    const byKey = new Map<string, Received[]>();
    for (const record of records)
      byKey.set(record.key ?? '', [...(byKey.get(record.key ?? '') ?? []), record]);
    for (const [key, list] of byKey) {
      assert.equal(new Set(list.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
      const byOffset = [...list].sort((a, b) => Number(a.offset) - Number(b.offset));
      const seqs = byOffset.map((r) => r.event.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key} arrives in seq order`,
      );
    }
  });

  test('a lost device raises a communication-loss alarm and clears it on recovery; the other device goes on', async () => {
    await plant.press.stop();
    await until(
      () => gateway.status().devices.find((d) => d.deviceId === 'press-plc')?.lost === true,
      'press declared lost',
    );
    await drive(() => plant.pump.set('flow', 3));
    await plant.press.restart();
    await until(
      () => gateway.status().devices.find((d) => d.deviceId === 'press-plc')?.lost === false,
      'press reachable again',
    );
    await until(() => gateway.status().buffer.lastSeq >= 3, 'comm clear committed');

    const events = (await received(brokers, topic, 3)).map((r) => r.event).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((e) => `${e.device}/${e.alarm}:${e.transition}`),
      ['press-plc/comm_loss:raise', 'pump-plc/low_flow:raise', 'press-plc/comm_loss:clear'],
    );
    const [lost, , restored] = events;
    assert.equal(lost?.kind, 'comm');
    assert.equal(lost?.asset, 'press-1');
    assert.equal(lost?.condition_id, 'test-site/forming/line-1/press-1/press-plc/comm_loss');
    assert.equal(lost?.state.active, true);
    assert.equal(restored?.state.active, false);
    assert.equal(gateway.status().devices.find((d) => d.deviceId === 'pump-plc')?.lost, false);
  });

  test('a point the PLC refuses turns bad quality and never raises; the device and its other points go on', async () => {
    plant.press.failAddress('holding', 0, 2);
    // The guard shares the device but not the read; it must keep raising while the temperature is refused.
    await drive(() => plant.press.set('guard_open', true));
    plant.press.set('oil_temperature', 99);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(gateway.status().buffer.lastSeq, 1, 'a refused point never raises');
    plant.press.clearFailures();
    await until(() => gateway.status().buffer.lastSeq >= 2, 'temperature alarm after recovery');
    const events = (await received(brokers, topic, 2)).map((r) => r.event).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((e) => `${e.point}:${e.transition}`),
      ['guard_open:raise', 'oil_temperature:raise'],
    );
    assert.equal(gateway.status().devices.find((d) => d.deviceId === 'press-plc')?.lost, false);
  });
});

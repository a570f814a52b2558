/**
 * Alarm management end to end, with real parts: a simulated PLC over Modbus
 * TCP, the gateway with its SQLite buffer, a real Kafka broker. Chattering and
 * an alarm storm come from simulator scenarios; shelving and delays survive a
 * restart of the gateway on the same buffer.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, before, beforeEach, describe, test } from 'node:test';
import type { AlarmEvent } from '../src/alarms/event.ts';
import type { ModbusTcpDevice, SiteFile } from '../src/config/schema.ts';
import { Gateway } from '../src/gateway.ts';
import { SimulatedModbusDevice } from '../src/simulator/modbus-server.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { tempDir } from './harness/fixtures.ts';
import { consumeAll, sharedBrokers, topicSize } from './harness/kafka.ts';
import { until } from './harness/wait.ts';

const TRIPS = 12;

const plc: ModbusTcpDevice = {
  id: 'line-plc',
  protocol: 'modbus-tcp',
  host: '127.0.0.1',
  port: 0,
  area: 'packing',
  line: 'line-1',
  asset: 'wrapper',
  poll_interval_ms: 50,
  timeout_ms: 300,
  points: [
    {
      id: 'door',
      register: 'coil',
      address: 0,
      alarms: [{ id: 'open', kind: 'discrete', chatter: { max_raises: 3, window_ms: 10_000 } }],
    },
    {
      id: 'level',
      register: 'holding',
      address: 0,
      alarms: [
        { id: 'high', kind: 'limit', H: { value: 50 } },
        { id: 'slow_high', kind: 'limit', H: { value: 80 }, on_delay_ms: 1500 },
      ],
    },
    ...Array.from({ length: TRIPS }, (_, index) => ({
      id: `trip${index}`,
      register: 'coil' as const,
      address: 10 + index,
      alarms: [{ id: 'trip', kind: 'discrete' as const }],
    })),
  ],
};

describe('alarm management end to end', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let topic: string;
  let simulator: SimulatedModbusDevice;
  let site: SiteFile;
  let gateway: Gateway | undefined;

  before(async () => {
    brokers = await sharedBrokers();
  });

  beforeEach(async () => {
    temp = tempDir();
    topic = `alarms-management-${randomUUID()}`;
    simulator = await SimulatedModbusDevice.start(plc, { port: 0 });
    simulator.set('door', false);
    simulator.set('level', 10);
    for (let index = 0; index < TRIPS; index++) simulator.set(`trip${index}`, false);
    site = {
      site: 'plant',
      gateway: {
        id: 'gw-alarms',
        state_dir: join(temp.dir, 'state'),
        kafka: { brokers: brokers.split(','), topic, partitions: 1 },
        alarms: { flood: { max_alarms: 10, window_ms: 3000, end_below: 1 } },
      },
      devices: [{ ...plc, port: simulator.port }],
    };
  });

  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    await simulator.stop();
    temp.remove();
  });

  function start(): Gateway {
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    return gateway;
  }

  async function stop(): Promise<void> {
    await gateway?.stop();
    gateway = undefined;
  }

  async function eventsOnKafka(
    predicate: (events: AlarmEvent[]) => boolean,
    what: string,
  ): Promise<AlarmEvent[]> {
    let events: AlarmEvent[] = [];
    await until(
      async () => {
        const size = await topicSize(brokers, topic);
        if (size === 0) return false;
        const records = await consumeAll(brokers, topic, { expected: size, timeoutMs: 20_000 });
        events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
        return predicate(events);
      },
      what,
      30_000,
      500,
    );
    return events;
  }

  test('a chattering contact gives one chatter event, in order with its raises', async () => {
    start();
    simulator.setScenario('door', { kind: 'square', period_ms: 600 });
    const events = await eventsOnKafka(
      (all) => all.some((event) => event.transition === 'chatter'),
      'a chatter event on Kafka',
    );
    const door = events.filter((event) => event.point === 'door').map((event) => event.transition);
    const chatterAt = door.indexOf('chatter');
    assert.deepEqual(door.slice(0, chatterAt).filter((t) => t === 'raise').length, 4, door.join(','));
    assert.equal(door[chatterAt - 1], 'raise', 'the fourth raise within the window starts the episode');
    assert.equal(door.filter((t) => t === 'chatter').length, 1);
    const chatter = events.find((event) => event.transition === 'chatter');
    assert.deepEqual(chatter?.reason.chatter, { raises: 4, window_ms: 10_000 });
  });

  test('an alarm storm starts a flood in the area, and its end is an event too', async () => {
    start();
    await until(() => (gateway?.status().devices[0]?.polls ?? 0) > 0, 'first polls');
    for (let index = 0; index < TRIPS; index++) simulator.set(`trip${index}`, true);
    const events = await eventsOnKafka(
      (all) => all.some((event) => event.transition === 'flood_end'),
      'flood start and end on Kafka',
    );
    const transitions = events.map((event) => event.transition);
    assert.equal(transitions.filter((t) => t === 'raise').length, TRIPS);
    const start_ = events.find((event) => event.transition === 'flood_start');
    assert.equal(start_?.kind, 'system');
    assert.equal(start_?.area, 'packing');
    assert.ok((start_?.reason.flood?.alarms ?? 0) > 10);
    assert.ok(transitions.indexOf('flood_start') < transitions.indexOf('flood_end'));
    assert.deepEqual(gateway?.alarmKpis().inFlood, []);
    assert.ok((gateway?.alarmKpis().floodPercent.packing ?? 0) > 0);
  });

  test('shelving that ran out while the gateway was stopped ends at start; the alarm then shows what the PLC says', async () => {
    start();
    await until(() => (gateway?.status().devices[0]?.polls ?? 0) > 0, 'first polls');
    const outcome = gateway?.commands.command({
      command_id: randomUUID(),
      site: 'plant',
      action: 'shelve',
      condition_id: 'plant/packing/line-1/wrapper/level/high',
      actor: 'jdoe',
      comment: 'sensor being replaced',
      duration_ms: 1000,
    });
    assert.equal(outcome?.accepted, true);
    await stop();
    simulator.set('level', 60);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    start();
    const events = await eventsOnKafka(
      (all) => all.some((event) => event.alarm === 'high' && event.transition === 'raise'),
      'the raise after the shelving ended',
    );
    const high = events.filter((event) => event.alarm === 'high');
    assert.deepEqual(
      high.map((event) => `${event.transition}:${event.actor ?? ''}`),
      ['shelve:jdoe', 'unshelve:gateway', 'raise:'],
    );
    assert.equal(high[0]?.comment, 'sensor being replaced');
  });

  test('an on-delay running when the gateway stops resumes and fires on the first reading after the start', async () => {
    start();
    await until(() => (gateway?.status().devices[0]?.polls ?? 0) > 0, 'first polls');
    simulator.set('level', 90);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    start();
    const events = await eventsOnKafka(
      (all) => all.some((event) => event.alarm === 'slow_high'),
      'the delayed raise',
    );
    const raise = events.find((event) => event.alarm === 'slow_high');
    assert.equal(raise?.transition, 'raise');
    const held = Number(/for (\d+) ms \(on-delay 1500 ms\)/.exec(raise?.reason.text ?? '')?.[1]);
    assert.ok(held >= 1500, `held ${held} ms across the restart`);
  });
});

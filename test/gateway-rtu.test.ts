/**
 * Modbus RTU end to end: two units on one simulated serial line (a socat
 * pseudo-terminal pair), the gateway polling both over the one line, their
 * alarms committed to the buffer and delivered to a real Kafka broker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../src/alarms/event.ts';
import type { ModbusRtuDevice, SerialLine, SiteFile } from '../src/config/schema.ts';
import { Gateway } from '../src/gateway.ts';
import { SimulatedRtuLine } from '../src/simulator/modbus-rtu-line.ts';
import { PtyPair } from '../src/simulator/pty-pair.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { tempDir } from './harness/fixtures.ts';
import { consumeAll, sharedBrokers } from './harness/kafka.ts';
import { requiredTool } from './harness/required-tool.ts';
import { hasSocat } from './harness/socat.ts';
import { until } from './harness/wait.ts';

function tank(id: string, unitId: number, serial: SerialLine): ModbusRtuDevice {
  return {
    id,
    protocol: 'modbus-rtu',
    serial,
    unit_id: unitId,
    area: 'utilities',
    line: 'water',
    asset: id,
    poll_interval_ms: 100,
    timeout_ms: 300,
    comm_loss_after: 2,
    points: [
      {
        id: 'level',
        register: 'holding',
        address: 0,
        type: 'int16',
        scale: 0.1,
        unit: '%',
        alarms: [{ id: 'high_level', kind: 'limit', deadband: 1, H: { value: 90, priority: 'high' } }],
      },
    ],
  };
}

describe('gateway over Modbus RTU: two units on one line to Kafka', {
  skip: requiredTool(!hasSocat() && 'socat (Debian package socat)'),
}, () => {
  let temp: ReturnType<typeof tempDir>;
  let pty: PtyPair;
  let line: SimulatedRtuLine;
  let gateway: Gateway;
  let brokers: string;
  const topic = `alarms-rtu-${randomUUID()}`;

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    pty = await PtyPair.open(join(temp.dir, 'ttyGW'), join(temp.dir, 'ttyPLC'));
    const serial: SerialLine = { port: pty.gatewayEnd, baud_rate: 9600, parity: 'none', stop_bits: 2 };
    const devices = [tank('tank-a', 4, serial), tank('tank-b', 5, serial)];
    line = await SimulatedRtuLine.start(pty.deviceEnd, devices);
    line.device('tank-a').set('level', 50);
    line.device('tank-b').set('level', 60);
    const site: SiteFile = {
      site: 'rtu-site',
      gateway: {
        id: 'gw-rtu',
        state_dir: join(temp.dir, 'state'),
        kafka: { brokers: brokers.split(','), topic },
      },
      devices,
    };
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    await until(
      () => gateway.status().devices.every((device) => device.polls > 1),
      'both units polled',
      15_000,
    );
  });

  after(async () => {
    await gateway?.stop();
    await line?.stop();
    await pty?.close();
    temp?.remove();
  });

  test('each unit raises and clears its own alarm; every event reaches the topic', async () => {
    line.device('tank-b').set('level', 95);
    await until(() => gateway.status().buffer.lastSeq >= 1, 'the raise of tank-b');
    line.device('tank-a').set('level', 92);
    await until(() => gateway.status().buffer.lastSeq >= 2, 'the raise of tank-a');
    line.device('tank-b').set('level', 40);
    await until(() => gateway.status().buffer.lastSeq >= 3, 'the clear of tank-b');

    const records = await consumeAll(brokers, topic, { expected: 3, timeoutMs: 30_000 });
    const events = records
      .map((record) => JSON.parse(record.value) as AlarmEvent)
      .sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((event) => `${event.device} ${event.transition} ${event.value}`),
      ['tank-b raise 95', 'tank-a raise 92', 'tank-b clear 40'],
    );
    assert.ok(gateway.status().devices.every((device) => !device.lost && device.consecutiveFailures === 0));
  });

  test('a unit that falls silent is lost on its own; the other unit on the line keeps being read', async () => {
    const before = gateway.status().devices.find((device) => device.deviceId === 'tank-a')?.polls ?? 0;
    line.device('tank-b').mute();
    await until(
      () => gateway.status().devices.find((device) => device.deviceId === 'tank-b')?.lost === true,
      'tank-b lost',
    );
    const tankA = gateway.status().devices.find((device) => device.deviceId === 'tank-a');
    assert.ok(tankA && !tankA.lost && tankA.polls > before, JSON.stringify(tankA));
    line.device('tank-b').unmute();
    await until(
      () => gateway.status().devices.find((device) => device.deviceId === 'tank-b')?.lost === false,
      'tank-b back',
    );
  });
});

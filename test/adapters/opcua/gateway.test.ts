/**
 * An OPC UA device through the whole data path: the simulated server, the
 * gateway with its buffer, and a real Kafka broker. Limit and discrete
 * alarms raise and clear as for Modbus; a server restart raises and clears
 * the communication alarm.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../../src/alarms/event.ts';
import type { OpcuaDevice, SiteFile } from '../../../src/config/schema.ts';
import { Gateway } from '../../../src/gateway.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { consumeAll, sharedBrokers } from '../../harness/kafka.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, tempDir } from './fixtures.ts';

describe('gateway end to end: simulated OPC UA server to Kafka', () => {
  let brokers: string;
  let server: SimulatedOpcuaServer;
  let gateway: Gateway;
  const temp = tempDir('opcua-gateway-');
  const topic = `alarms-opcua-${randomUUID()}`;

  before(async () => {
    brokers = await sharedBrokers();
    const base = boilerDevice();
    server = await SimulatedOpcuaServer.start(base);
    server.set('level', 50);
    server.set('trip', false);
    const device: OpcuaDevice = {
      ...base,
      endpoint: server.endpoint,
      security_mode: 'SignAndEncrypt',
      security_policy: 'Basic256Sha256',
      trust_on_first_use: true,
      points: [
        {
          ...(base.points[0] as OpcuaDevice['points'][number]),
          alarms: [{ id: 'level', kind: 'limit', deadband: 2, H: { value: 80, priority: 'high' } }],
        },
        { ...(base.points[1] as OpcuaDevice['points'][number]), alarms: [{ id: 'trip', kind: 'discrete' }] },
      ],
    };
    const site: SiteFile = {
      site: 'ua-site',
      gateway: {
        id: 'gw-ua',
        state_dir: join(temp.path, 'state'),
        kafka: { brokers: brokers.split(','), topic },
      },
      devices: [device],
    };
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    await until(() => gateway.status().devices.every((d) => d.polls > 0), 'connected', 15_000);
  });

  after(async () => {
    await gateway.stop();
    await server.stop();
    temp.remove();
  });

  async function drive(action: () => Promise<void> | void, events = 1): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    await action();
    await until(
      () => gateway.status().buffer.lastSeq >= before + events,
      'the transition to be committed',
      15_000,
    );
  }

  test('limit, discrete and communication alarms raise and clear, and reach Kafka', async () => {
    await drive(() => server.set('level', 85));
    await drive(() => server.set('trip', true));
    await drive(() => server.set('level', 70));
    await drive(() => server.set('trip', false));
    await drive(() => server.restart({ downtimeMs: 500 }), 2);

    const records = await consumeAll(brokers, topic, { expected: 6, timeoutMs: 30_000 });
    const events = records.map((r) => JSON.parse(r.value) as AlarmEvent).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      events.map((e) => `${e.point}/${e.alarm}:${e.kind}:${e.transition}`),
      [
        'level/level:limit:raise',
        'trip/trip:discrete:raise',
        'level/level:limit:clear',
        'trip/trip:discrete:clear',
        'boiler-ua/comm_loss:comm:raise',
        'boiler-ua/comm_loss:comm:clear',
      ],
    );
    const raise = events[0] as AlarmEvent;
    assert.equal(raise.value, 85);
    assert.equal(raise.condition_id, 'ua-site/utilities/steam/boiler-1/level/level');
    assert.equal(raise.unit, '%');
    await until(() => server.sessionCount === 1, 'one session after the restart');
  });
});

/**
 * Native conditions with a server that refuses ConditionRefresh (it answers
 * BadNothingToDo, as asyncua's default server does): the gateway says so
 * once and reads the condition nodes instead, so a clear that happened while
 * it was stopped still reaches downstream and the next raise is not swallowed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../../src/alarms/event.ts';
import type { SiteFile } from '../../../src/config/schema.ts';
import { Gateway } from '../../../src/gateway.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { consumeAll, sharedBrokers } from '../../harness/kafka.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, tempDir } from './fixtures.ts';

describe('gateway end to end: a server that refuses ConditionRefresh', () => {
  let brokers: string;
  let server: SimulatedOpcuaServer;
  let site: SiteFile;
  const temp = tempDir('opcua-refused-refresh-');
  const topic = `alarms-refused-refresh-${randomUUID()}`;
  const lines: Record<string, unknown>[] = [];
  let gateway: Gateway | undefined;

  before(async () => {
    brokers = await sharedBrokers();
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      conditions: [{ pointId: 'level', highLimit: 80, lowLimit: 10 }],
      refuseConditionRefresh: true,
    });
    server.set('level', 50);
    site = {
      site: 'ua-site',
      gateway: {
        id: 'gw-refused-refresh',
        state_dir: join(temp.path, 'state'),
        kafka: { brokers: brokers.split(','), topic },
      },
      devices: [{ ...boilerDevice({ endpoint: server.endpoint }), native_conditions: {} }],
    };
  });
  after(async () => {
    await gateway?.stop();
    await server.stop();
    temp.remove();
  });

  async function startGateway(): Promise<Gateway> {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const started = Gateway.start({ site, logger: createLogger('warn', stream), env: {} });
    await until(() => started.status().devices.every((d) => d.connected), 'connected', 15_000);
    return started;
  }

  async function committed(running: Gateway, seq: number, what: string): Promise<void> {
    await until(() => running.status().buffer.lastSeq >= seq, what, 10_000);
  }

  async function downstream(expected: number): Promise<AlarmEvent[]> {
    const records = await consumeAll(brokers, topic, { expected, timeoutMs: 20_000 });
    return records.map((r) => JSON.parse(r.value) as AlarmEvent).sort((a, b) => a.seq - b.seq);
  }

  test('a condition cleared while the gateway was stopped is cleared downstream, and the refusal is logged', async () => {
    gateway = await startGateway();
    // A moment for the subscription and the reconciliation after connect, before the raise.
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.set('level', 90);
    await committed(gateway, 1, 'the raise');
    await gateway.stop();
    gateway = undefined;

    server.set('level', 50);
    lines.length = 0;
    gateway = await startGateway();
    // node-opcua marks a limit alarm that went back to normal acknowledged: the reading finds both.
    await committed(gateway, 3, 'the ack and clear learned by reading the condition');

    const refusal = lines.filter((line) => line.code === 'OPCUA_CONDITIONS');
    assert.equal(refusal.length, 1, 'logged once per connection');
    assert.equal(refusal[0]?.level, 'warn');
    assert.equal(refusal[0]?.status, 'BadNothingToDo');
    assert.match(String(refusal[0]?.msg), /refused ConditionRefresh \(BadNothingToDo\).*read/);

    const events = await downstream(3);
    assert.deepEqual(
      events.map((e) => [e.transition, e.state.active, e.reason.refresh ?? false]),
      [
        ['raise', true, false],
        ['ack', true, true],
        ['clear', false, true],
      ],
    );
    const clear = events[2] as AlarmEvent;
    assert.equal(clear.condition_id, 'ua-site/utilities/steam/boiler-1/level/level_level');
    assert.match(clear.reason.text ?? '', /state reconciled by reading.*refused ConditionRefresh/);
  });

  test('the next raise of that condition after the restart is published, not swallowed', async () => {
    assert.ok(gateway, 'the gateway of the previous test is running');
    const seq = gateway.status().buffer.lastSeq;
    server.set('level', 95);
    await committed(gateway, seq + 1, 'the next raise');
    const events = await downstream(4);
    assert.deepEqual(
      events.map((e) => [e.transition, e.state.active, e.reason.refresh ?? false]),
      [
        ['raise', true, false],
        ['ack', true, true],
        ['clear', false, true],
        ['raise', true, false],
      ],
    );
  });
});

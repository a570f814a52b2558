import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunnerSink } from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter, type OpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import type { Reading } from '../../../src/adapters/reading.ts';
import { DeviceRunner } from '../../../src/adapters/runner.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { Backoff } from '../../../src/system/backoff.ts';
import { TcpProxy } from '../../harness/tcp-proxy.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, logger, NS, tempDir } from './fixtures.ts';

class Sink implements RunnerSink {
  readonly received: Reading[] = [];
  readonly comm: boolean[] = [];
  readings(readings: readonly Reading[]): boolean {
    this.received.push(...readings);
    return true;
  }
  communication(_deviceId: string, lost: boolean): boolean {
    this.comm.push(lost);
    return true;
  }
  has(pointId: string, value: unknown, after = 0): boolean {
    return this.received.slice(after).some((r) => r.pointId === pointId && r.value === value);
  }
}

describe('OPC UA reconnection', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-reconnect-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice());
    server.set('level', 10);
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  function runnerFor(adapter: OpcuaAdapter, sink: Sink): DeviceRunner {
    return new DeviceRunner({
      adapter,
      pollIntervalMs: 100,
      commLossAfter: 2,
      sink,
      logger,
      backoff: new Backoff({ initialMs: 100, maxMs: 400 }),
    });
  }

  test('server restarts on the same port: comm alarm raised and cleared, values flow again, one session', async () => {
    const adapter = createOpcuaAdapter(boilerDevice({ endpoint: server.endpoint }), logger, {
      pkiDir: pki.path,
      env: {},
    });
    const sink = new Sink();
    const runner = runnerFor(adapter, sink);
    runner.start();
    try {
      await until(() => sink.has('level', 10), 'first value');
      assert.deepEqual(sink.comm, [false]);
      for (let cycle = 1; cycle <= 3; cycle++) {
        const mark = sink.received.length;
        await server.restart({ downtimeMs: 300 });
        server.set('level', 10 + cycle);
        await until(() => sink.has('level', 10 + cycle, mark), `value after restart ${cycle}`);
        await until(() => sink.comm.at(-1) === false, `comm cleared after restart ${cycle}`);
        assert.equal(server.sessionCount, 1, `sessions after restart ${cycle}`);
      }
      assert.deepEqual(sink.comm, [false, true, false, true, false, true, false]);
      assert.equal(adapter.counters.sessions, 4);
      // A restarted server has nothing to transfer: every subscription was created again.
      assert.equal(adapter.counters.transferredSubscriptions, 0);
      assert.equal(adapter.counters.recreatedSubscriptions, 3);
    } finally {
      await runner.stop();
    }
    await until(() => server.sessionCount === 0, 'session closed on stop');
  });

  test('namespaces renumbered by a restart: points still resolve by namespace URI', async () => {
    const adapter = createOpcuaAdapter(boilerDevice({ endpoint: server.endpoint }), logger, {
      pkiDir: pki.path,
      env: {},
    });
    const sink = new Sink();
    const runner = runnerFor(adapter, sink);
    server.set('level', 20);
    runner.start();
    try {
      await until(() => sink.has('level', 20), 'value before renumbering');
      const before = server.namespaces.indexOf(NS);
      await server.restart({ leadingNamespaces: ['urn:other:first', 'urn:other:second'] });
      assert.equal(server.namespaces.indexOf(NS), before + 2);
      const mark = sink.received.length;
      server.set('level', 21);
      await until(() => sink.has('level', 21, mark), 'value after renumbering');
      assert.ok(sink.received.slice(mark).every((r) => r.quality === 'good'));
    } finally {
      await runner.stop();
      await server.restart({ leadingNamespaces: [] });
    }
  });

  test('a server that goes silent without closing the connection is detected by keep-alive', async () => {
    const proxy = await TcpProxy.start(server.port);
    const endpoint = `opc.tcp://127.0.0.1:${proxy.port}`;
    const adapter = createOpcuaAdapter(
      boilerDevice({ endpoint, keepalive_ms: 1000, timeout_ms: 1000 }),
      logger,
      {
        pkiDir: pki.path,
        env: {},
      },
    );
    const sink = new Sink();
    const runner = runnerFor(adapter, sink);
    runner.start();
    try {
      await until(() => sink.comm.length === 1, 'connected');
      proxy.blackhole();
      await until(() => sink.comm.at(-1) === true, 'comm loss by keep-alive', 8000);
      proxy.restore();
      const mark = sink.received.length;
      server.set('level', 33);
      await until(() => sink.has('level', 33, mark), 'value after the link came back', 10_000);
      await until(() => sink.comm.at(-1) === false, 'comm cleared');
      // The session the outage orphaned ends with its session timeout (5 s here); ours is the only one left.
      await until(() => server.sessionCount === 1, 'one session after the orphaned one expired', 10_000);
      // Anonymous over an unsigned channel: the server refuses the transfer, so the subscription was created again.
      assert.equal(adapter.counters.transferredSubscriptions, 0);
      assert.equal(adapter.counters.recreatedSubscriptions, 1);
    } finally {
      await runner.stop();
      await proxy.stop();
    }
  });

  test('a silent drop shorter than the session timeout: subscriptions transferred, values flow, one session', async () => {
    const proxy = await TcpProxy.start(server.port);
    // The server transfers an anonymous subscription only over a signed channel, to the same application.
    const device = boilerDevice({
      endpoint: `opc.tcp://127.0.0.1:${proxy.port}`,
      security_mode: 'SignAndEncrypt',
      security_policy: 'Basic256Sha256',
      trust_on_first_use: true,
      keepalive_ms: 1000,
      timeout_ms: 1000,
    });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} });
    const sink = new Sink();
    const runner = runnerFor(adapter, sink);
    runner.start();
    try {
      await until(() => sink.comm.length === 1, 'connected', 10_000);
      const subscriptions = server.subscriptionCount;
      for (let cycle = 1; cycle <= 2; cycle++) {
        proxy.blackhole();
        await until(() => sink.comm.at(-1) === true, `comm loss by keep-alive ${cycle}`, 8000);
        proxy.restore();
        const mark = sink.received.length;
        server.set('level', 40 + cycle);
        await until(() => sink.has('level', 40 + cycle, mark), `value after drop ${cycle}`, 10_000);
        await until(() => sink.comm.at(-1) === false, `comm cleared ${cycle}`);
        assert.equal(adapter.counters.transferredSubscriptions, cycle, `transferred after drop ${cycle}`);
        assert.equal(adapter.counters.recreatedSubscriptions, 0);
        // Taken over, not added: the server holds as many subscriptions as before.
        assert.equal(server.subscriptionCount, subscriptions);
      }
      await until(() => server.sessionCount === 1, 'one session once the abandoned ones are gone', 10_000);
    } finally {
      await runner.stop();
      await proxy.stop();
    }
    await until(() => server.sessionCount === 0, 'session closed on stop');
  });
});

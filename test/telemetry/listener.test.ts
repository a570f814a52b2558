/** The listener's HTTP surface on a real socket: routes, the token rules, log levels and a port already taken. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Listener } from '../../src/telemetry/listener.ts';
import { createLogger, stageLogger } from '../../src/telemetry/logger.ts';
import { LoopLag } from '../../src/telemetry/loop-lag.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { observed } from './fixtures.ts';
import { logSink, type StartedListener, startListener } from './listener-fixture.ts';

const TOKEN = 'correct-horse-battery-staple';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('listener without an operator token', () => {
  let started: StartedListener;
  before(async () => {
    started = await startListener();
  });
  after(() => started.listener.stop());

  test('serves the page, its files and the status, and says 404 and 405 where due', async () => {
    const page = await fetch(`${started.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script src="status.js"/);
    const script = await fetch(`${started.base}/status.js`);
    assert.match(script.headers.get('content-type') ?? '', /text\/javascript/);
    await script.arrayBuffer();
    const status = (await (await fetch(`${started.base}/api/status`)).json()) as Record<string, unknown>;
    assert.equal(status.actions_enabled, false);
    assert.equal(status.refresh_ms, 1500);
    assert.equal(status.ready, true, 'one of two devices up meets a share of 0.5');
    assert.equal((await fetch(`${started.base}/nothing`)).status, 404);
    assert.equal((await fetch(`${started.base}/metrics`, { method: 'POST' })).status, 405);
  });

  test('bound to loopback, it answers loopback names only (no DNS rebinding)', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { port: started.port, host: '127.0.0.1', path: '/api/status', headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get(`127.0.0.1:${started.port}`), 200);
    assert.equal(await get(`localhost:${started.port}`), 200);
    assert.equal(await get('localhost:8080'), 200, 'through an SSH tunnel on another port');
    assert.equal(await get(`[::1]:${started.port}`), 200);
    assert.equal(await get(`attacker.example:${started.port}`), 403);
    assert.equal(await get('127.0.0.1.attacker.example'), 403);
  });

  test('actions and level changes are refused as disabled, whatever token is sent', async () => {
    const command = await fetch(`${started.base}/api/commands`, {
      method: 'POST',
      headers: { ...bearer(TOKEN), 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(command.status, 403);
    assert.match(((await command.json()) as { error: string }).error, /operator actions are disabled/);
    const level = await fetch(`${started.base}/api/loglevel?component=adapter&level=debug`, {
      method: 'PUT',
      headers: bearer(TOKEN),
    });
    assert.equal(level.status, 403);
    await level.arrayBuffer();
    assert.equal(started.levels.current().adapter, 'info');
  });

  test('a second listener on the same port logs LISTENER_BIND and gives up without throwing', async () => {
    const log = logSink();
    const second = new Listener({
      host: '127.0.0.1',
      port: started.port,
      site: 'site-a',
      gatewayId: 'gw-1',
      metrics: new GatewayMetrics({
        gatewayId: 'gw-1',
        site: 'site-a',
        status: observed,
        processMetrics: false,
      }),
      status: observed,
      loopLag: new LoopLag(),
      maxLoopLagMs: 2000,
      minDevicesShare: 0.5,
      refreshMs: 1500,
      logger: createLogger('info', log.stream),
      newId: () => 'id',
    });
    assert.equal(await second.start(), undefined);
    assert.equal(log.lines[0]?.code, 'LISTENER_BIND');
    assert.match(
      String(log.lines[0]?.msg),
      /\[telemetry\] LISTENER_BIND: .*EADDRINUSE.*gateway\.listener\.port/,
    );
    await second.stop();
  });
});

describe('listener with an operator token', () => {
  let started: StartedListener;
  before(async () => {
    started = await startListener({ token: TOKEN });
  });
  after(() => started.listener.stop());

  test('a missing or wrong token is 401 with a Bearer challenge; the token is never logged', async () => {
    for (const headers of [{}, bearer('wrong'), { authorization: `Basic ${TOKEN}` }]) {
      const response = await fetch(`${started.base}/api/loglevel?component=adapter&level=debug`, {
        method: 'PUT',
        headers,
      });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gateway"');
      await response.arrayBuffer();
    }
    assert.ok(!JSON.stringify(started.log.lines).includes(TOKEN));
  });

  test('without the alarm stage command interface, an authorized command is 501', async () => {
    const response = await fetch(`${started.base}/api/commands`, {
      method: 'POST',
      headers: { ...bearer(TOKEN), 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'ack', condition_id: 'a/b/c/d/e/f', actor: 'jane' }),
    });
    assert.equal(response.status, 501);
    await response.arrayBuffer();
  });

  test('the log level of one component changes at run time; bad names are refused', async () => {
    const adapter = stageLogger(started.logger, 'adapter', { device: 'plc-1' });
    adapter.debug('before');
    const put = (query: string) =>
      fetch(`${started.base}/api/loglevel?${query}`, { method: 'PUT', headers: bearer(TOKEN) });
    const bad = await put('component=kafka&level=debug');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /component must be one of adapter, alarms/);
    const badLevel = await put('component=adapter&level=loud');
    assert.equal(badLevel.status, 400);
    await badLevel.arrayBuffer();

    const ok = await put('component=adapter&level=debug');
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as Record<string, string>).adapter, 'debug');
    adapter.debug('after');
    const messages = started.log.lines.map((line) => line.msg);
    assert.ok(!messages.includes('before'));
    assert.ok(messages.includes('after'));
    assert.ok(messages.includes('log level of adapter set to debug'));
    const current = (await (await fetch(`${started.base}/api/loglevel`)).json()) as Record<string, string>;
    assert.equal(current.adapter, 'debug');
    assert.equal(current.producer, 'info');
  });
});

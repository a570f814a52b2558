import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceNotifier } from '../../src/system/systemd-notify.ts';
import { Heartbeat, watchdogPeriodMs } from '../../src/system/watchdog.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

test('the watchdog period comes from WATCHDOG_USEC, for this process only', () => {
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '30000000' }, 42), 30_000);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 30_000);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42), undefined);
  assert.equal(watchdogPeriodMs({}, 42), undefined);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '0' }, 42), undefined);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: 'soon' }, 42), undefined);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '500' }, 42), 1);
});

function recorder(): ServiceNotifier & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    ready: (status) => sent.push(`READY ${status}`),
    status: (text) => sent.push(`STATUS ${text}`),
    watchdog: () => sent.push('WATCHDOG'),
    stopping: (status) => sent.push(`STOPPING ${status}`),
    close: async () => {},
  };
}

test('pings only while the main loop is healthy, and says why it stopped', () => {
  const notifier = recorder();
  let problem: string | undefined;
  const heartbeat = new Heartbeat({
    notifier,
    watchdogMs: 60_000,
    check: () => problem,
    status: () => 'all well',
    logger: createLogger('silent'),
  });
  heartbeat.beat();
  heartbeat.beat();
  problem = 'the polling loop of plc has not moved for 400 s';
  heartbeat.beat();
  heartbeat.beat();
  problem = undefined;
  heartbeat.beat();
  heartbeat.stop();
  assert.deepEqual(notifier.sent, [
    'WATCHDOG',
    'STATUS all well',
    'WATCHDOG',
    'STATUS unhealthy: the polling loop of plc has not moved for 400 s',
    'WATCHDOG',
    'STATUS all well',
  ]);
});

test('without a watchdog the beat only keeps STATUS= up to date', () => {
  const notifier = recorder();
  const heartbeat = new Heartbeat({
    notifier,
    watchdogMs: undefined,
    check: () => undefined,
    status: () => '1/1 devices reachable',
    logger: createLogger('silent'),
  });
  heartbeat.beat();
  heartbeat.beat();
  heartbeat.stop();
  assert.deepEqual(notifier.sent, ['STATUS 1/1 devices reachable']);
});

/**
 * What the watchdog asks before each ping: the gateway's own loops move. A
 * running gateway is live; seen from a later moment at which its timer and
 * polling loops would have had to run, it is not, and says which loop stalled.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { tempDir } from './harness/fixtures.ts';
import { startTestSite, type TestSite } from './harness/site.ts';
import { until } from './harness/wait.ts';

let temp: ReturnType<typeof tempDir>;
let plant: TestSite;
let gateway: Gateway;

before(async () => {
  temp = tempDir();
  // No broker is needed to judge the gateway's own loops.
  plant = await startTestSite({ dir: temp.dir, brokers: '127.0.0.1:9', topic: `live-${randomUUID()}` });
  gateway = Gateway.start({ site: plant.site, logger: createLogger('silent'), env: {} });
  await gateway.adaptersTried(5000);
});

after(async () => {
  await gateway.stop();
  await plant.stopPlant();
  temp.remove();
});

test('a running gateway is live', () => {
  assert.equal(gateway.liveness(), undefined);
});

test('an alarm timer that has not run for 10 s is a stalled main loop', () => {
  assert.match(gateway.liveness(Date.now() + 11_000) ?? '', /^the alarm timer has not run for 1\d s$/);
});

test('a polling loop that has not moved for its interval plus 5 minutes hangs', () => {
  const problem = gateway.liveness(Date.now() + 5 * 60_000 + 5000) ?? '';
  assert.match(problem, /the alarm timer has not run for 30\d s/);
  assert.match(problem, /the polling loop of press-plc has not moved for 30\d s/);
  assert.match(problem, /the polling loop of pump-plc has not moved for 30\d s/);
});

test('a device that is down still moves on: failed polls and backoff are progress', async () => {
  await plant.pump.stop();
  await until(() => gateway.status().devices.some((device) => device.lost), 'the pump lost', 10_000);
  assert.equal(gateway.liveness(), undefined);
});

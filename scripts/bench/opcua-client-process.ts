/**
 * The gateway side of the OPC UA benchmark, in its own process so its CPU
 * and RSS are its own: the OPC UA adapter under a DeviceRunner, subscribed to
 * every point, with a sink that counts what the runner hands to the alarm
 * stage. Prints one JSON line with the figures.
 *
 *   node scripts/bench/opcua-client-process.ts <endpoint> <points> <sampling-ms> <seconds>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpcuaAdapter } from '../../src/adapters/opcua/adapter.ts';
import type { Reading } from '../../src/adapters/reading.ts';
import { DeviceRunner } from '../../src/adapters/runner.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { ownCpuSeconds } from './cpu.ts';
import { MemorySampler } from './memory.ts';
import { benchOpcuaDevice } from './opcua-layout.ts';

const [endpoint, pointsText, samplingText, secondsText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const points = Number(pointsText);
const seconds = Number(secondsText);
const pki = mkdtempSync(join(tmpdir(), 'bench-opcua-pki-'));
const device = benchOpcuaDevice(points, Number(samplingText), endpoint);
const logger = createLogger('warn');
const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki, env: {} });

let notifications = 0;
let deliveries = 0;
const seen = new Set<string>();
let subscribedMs = 0;
const connectStarted = performance.now();
const runner = new DeviceRunner({
  adapter,
  pollIntervalMs: 1000,
  commLossAfter: 3,
  logger,
  sink: {
    readings(readings: readonly Reading[]) {
      deliveries += 1;
      notifications += readings.length;
      if (seen.size < points) for (const reading of readings) seen.add(reading.pointId);
      return true;
    },
    communication(_device, lost) {
      if (!lost && subscribedMs === 0) subscribedMs = performance.now() - connectStarted;
      return true;
    },
  },
});
runner.start();
while (seen.size < points) await new Promise((resolve) => setTimeout(resolve, 20));
const firstValuesMs = performance.now() - connectStarted;

const memory = new MemorySampler(250);
const cpuBefore = ownCpuSeconds();
const countBefore = notifications;
const deliveriesBefore = deliveries;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsed = (performance.now() - started) / 1000;
const cpu = ownCpuSeconds() - cpuBefore;
const peaks = memory.stop();
await runner.stop();
rmSync(pki, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    notificationsPerSecond: (notifications - countBefore) / elapsed,
    deliveriesPerSecond: (deliveries - deliveriesBefore) / elapsed,
    cpuPercent: (cpu / elapsed) * 100,
    rss: peaks.rss,
    heapUsed: peaks.heapUsed,
    subscribedMs,
    firstValuesMs,
  })}\n`,
);
process.exit(0);

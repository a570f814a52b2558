/**
 * Figure 10: what the local listener costs a running gateway: the time to
 * answer a Prometheus scrape and the status page's /api/status, and their
 * size, with a 1,000-point plant polled as in figure 2 and half its points
 * in alarm, measured from a client on the same machine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Gateway } from '../../src/gateway.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { until } from '../../test/harness/wait.ts';
import { IN_ALARM, latencyDevice, latencySite } from './latency-site.ts';
import type { Report } from './report.ts';
import { distribution, int } from './stats.ts';

export interface TelemetryPlan {
  brokers: string;
  dir: string;
  devices: number;
  pointsPerDevice: number;
  pollIntervalMs: number;
  /** Requests timed per endpoint. */
  requests: number;
  log: (line: string) => void;
}

const ORDER = 11;

export async function benchTelemetry(report: Report, plan: TelemetryPlan): Promise<void> {
  const points = plan.devices * plan.pointsPerDevice;
  report.section(ORDER, `Local listener, ${int(points)} points polled every ${plan.pollIntervalMs} ms`);
  const devices = Array.from({ length: plan.devices }, (_, i) =>
    latencyDevice(i + 1, plan.pointsPerDevice, plan.pollIntervalMs),
  );
  const simulators = await Promise.all(
    devices.map((device) => SimulatedModbusDevice.start(device, { port: 0, host: '127.0.0.1' })),
  );
  const stateDir = join(plan.dir, 'telemetry-state');
  mkdirSync(stateDir, { recursive: true });
  const base = latencySite({
    devices: devices.map((device, i) => ({ ...device, port: simulators[i]?.port ?? 0 })),
    stateDir,
    brokers: plan.brokers,
    topic: uniqueTopic('bench-telemetry'),
  });
  const site = { ...base, gateway: { ...base.gateway, listener: { port: 0 } } };
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
  const gateway = Gateway.start({ site, logger, env: {} });
  try {
    const address = await gateway.listening;
    if (!address) throw new Error('the listener did not start');
    const url = `http://127.0.0.1:${address.port}/`;
    const inAlarm = Math.floor(points / 2);
    simulators.forEach((simulator, i) => {
      for (const point of devices[i]?.points ?? []) {
        const index = i * plan.pointsPerDevice + Number(point.id.slice(1));
        if (index < inAlarm) simulator.set(point.id, IN_ALARM);
      }
    });
    plan.log(`telemetry: waiting for ${inAlarm} alarms`);
    await until(() => gateway.status().alarms.length >= inAlarm, `${inAlarm} alarms active`, 60_000, 50);

    const rows: [string, string][] = [];
    for (const path of ['metrics', 'api/status', 'readyz']) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < plan.requests; i++) {
        const started = performance.now();
        const response = await fetch(new URL(path, url));
        bytes = (await response.arrayBuffer()).byteLength;
        times.push(performance.now() - started);
      }
      const d = distribution(times);
      rows.push([
        `/${path}`,
        `p50 ${d.p50.toFixed(1)} / p95 ${d.p95.toFixed(1)} / max ${d.max.toFixed(1)} ms, ${int(bytes)} bytes`,
      ]);
    }
    report.add(ORDER, {
      title: `Response time and size with ${int(inAlarm)} active alarms`,
      method: `${plan.requests} sequential GETs per endpoint over loopback with fetch, timed from request to the last byte, while the gateway polls every point`,
      rows,
    });
  } finally {
    await gateway.stop();
    await Promise.all(simulators.map((simulator) => simulator.stop()));
  }
}

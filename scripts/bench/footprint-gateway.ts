/**
 * One footprint run of the gateway as an operator runs it: its own process
 * from the CLI (`node src/cli.ts run --config site.yaml`), timed from spawn
 * to its first poll and to /readyz answering 200, then watched over a window
 * while its /metrics counts the polls.
 */
import { writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { SiteFile } from '../../src/config/schema.ts';
import { GatewayProcess } from '../../test/harness/gateway-process.ts';
import { type CollectorFigures, plantMark, plcRates, type WindowPlan } from './footprint-figures.ts';
import { unitNodeFlags } from './footprint-node-flags.ts';
import type { FootprintPlant } from './footprint-plc.ts';
import { watchProcess } from './footprint-watch.ts';

export interface GatewayRun extends WindowPlan {
  /** The site without its listener: the run gives it one on a free port. */
  site: SiteFile;
  dir: string;
  /** The simulated Modbus PLCs, when the site reads Modbus. */
  plant?: FootprintPlant;
  /** Started once the gateway is ready, stopped after the window: a plant that moves, say. */
  alongside?: () => () => void;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The sum of every series of one metric in Prometheus text, optionally per value of one label. */
export function metricTotals(text: string, name: string, label?: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = label === undefined ? '' : (new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '');
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return totals;
}

async function scrape(url: string): Promise<{ text: string; at: number }> {
  const response = await fetch(url);
  const text = await response.text();
  return { text, at: performance.now() };
}

async function readyAt(url: string, gateway: GatewayProcess): Promise<number> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    if (gateway.child.exitCode !== null)
      throw new Error(`the gateway exited: ${gateway.stderr.slice(-2000)}`);
    if (performance.now() > deadline)
      throw new Error(`/readyz did not answer 200 within ${READY_TIMEOUT_MS} ms`);
    await sleep(10);
  }
}

/** Register values read per second from the gateway's own poll counters. */
function readsPerSecond(site: SiteFile, before: string, after: string, seconds: number): number {
  const pointsOf = new Map(site.devices.map((device) => [device.id, device.points.length]));
  const polls0 = metricTotals(before, 'gateway_device_polls_total', 'device');
  const polls1 = metricTotals(after, 'gateway_device_polls_total', 'device');
  let reads = 0;
  for (const [device, polls] of polls1)
    reads += (polls - (polls0.get(device) ?? 0)) * (pointsOf.get(device) ?? 0);
  return reads / seconds;
}

function total(text: string, name: string): number {
  return metricTotals(text, name).get('') ?? 0;
}

export async function runGateway(run: GatewayRun): Promise<CollectorFigures> {
  const port = await freePort();
  const site: SiteFile = { ...run.site, gateway: { ...run.site.gateway, listener: { port } } };
  const siteFile = join(run.dir, 'site.yaml');
  writeFileSync(siteFile, stringify(site));
  const base = `http://127.0.0.1:${port}`;
  run.plant?.reset();

  const spawnedAt = performance.now();
  const flags = unitNodeFlags();
  const gateway = GatewayProcess.run(siteFile, flags === '' ? {} : { NODE_OPTIONS: flags });
  let firstLogAt: number | undefined;
  gateway.child.stdout?.once('data', () => {
    firstLogAt = performance.now();
  });
  let stopAlongside: (() => void) | undefined;
  try {
    const ready = await readyAt(`${base}/readyz`, gateway);
    const pid = gateway.child.pid as number;
    stopAlongside = run.alongside?.();
    await sleep(run.settleSeconds * 1000);

    const before = await scrape(`${base}/metrics`);
    const plantBefore = run.plant && plantMark(run.plant);
    const footprint = await watchProcess(pid, run.windowSeconds);
    const plantAfter = run.plant && plantMark(run.plant);
    const after = await scrape(`${base}/metrics`);
    const seconds = (after.at - before.at) / 1000;

    const hasOpcua = site.devices.some((device) => device.protocol === 'opcua');
    const polls =
      (total(after.text, 'gateway_device_polls_total') - total(before.text, 'gateway_device_polls_total')) /
      seconds;
    const events =
      total(after.text, 'gateway_events_produced_total') -
      total(before.text, 'gateway_events_produced_total');
    return {
      footprint,
      firstPollMs: run.plant?.firstRequestAt === undefined ? undefined : run.plant.firstRequestAt - spawnedAt,
      readyMs: ready - spawnedAt,
      firstLogMs: firstLogAt === undefined ? undefined : firstLogAt - spawnedAt,
      readsPerSecond: hasOpcua ? undefined : readsPerSecond(site, before.text, after.text, seconds),
      plc: run.plant && plantBefore && plantAfter ? plcRates(run.plant, plantBefore, plantAfter) : undefined,
      heap: {
        used: total(after.text, 'nodejs_heap_size_used_bytes'),
        total: total(after.text, 'nodejs_heap_size_total_bytes'),
        external: total(after.text, 'nodejs_external_memory_bytes'),
      },
      eventsPerSecond: events / seconds,
      ...(hasOpcua ? { deliveriesPerSecond: polls } : {}),
    };
  } finally {
    stopAlongside?.();
    await stopWithin(gateway);
  }
}

async function stopWithin(gateway: GatewayProcess): Promise<void> {
  const stopped = gateway.stop();
  const late = await Promise.race([stopped.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (late) await gateway.kill();
}

/**
 * One case of the footprint comparison: its simulated devices started, the
 * gateway run on them, then Telegraf on the same devices where the case
 * compares the two, and everything stopped again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { type ModbusCase, modbusDevices, nominalReadsPerSecond, type OpcuaCase } from './footprint-cases.ts';
import type { WindowPlan } from './footprint-figures.ts';
import { runGateway } from './footprint-gateway.ts';
import { FootprintPlant } from './footprint-plc.ts';
import type { Outcome } from './footprint-rows.ts';
import { runTelegraf } from './footprint-telegraf.ts';
import { AT_REST, IN_ALARM, latencySite } from './latency-site.ts';
import { benchOpcuaDevice } from './opcua-layout.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface FootprintPlan extends WindowPlan {
  brokers: string;
  dir: string;
  log: (line: string) => void;
}

/** Raises one point and clears the one raised a second earlier, so the plant moves at a steady event rate. */
function moveAlarms(
  plant: FootprintPlant,
  devices: readonly ModbusTcpDevice[],
  perSecond: number,
): () => void {
  const points = devices.flatMap((device, i) =>
    device.points.map((point) => ({ simulator: plant.simulators[i], id: point.id })),
  );
  const raised: typeof points = [];
  let next = 0;
  // Two transitions per tick once running: one raise, one clear.
  const timer = setInterval(() => {
    const point = points[next++ % points.length];
    point?.simulator?.set(point.id, IN_ALARM);
    if (point) raised.push(point);
    if (raised.length > perSecond / 2) {
      const old = raised.shift();
      old?.simulator?.set(old.id, AT_REST);
    }
  }, 2000 / perSecond);
  return () => clearInterval(timer);
}

/** The bench site around these devices, with a state directory under `dir` and its own topic, created here. */
async function gatewaySite(
  plan: FootprintPlan,
  dir: string,
  devices: SiteFile['devices'],
  topic: string,
): Promise<SiteFile> {
  mkdirSync(dir, { recursive: true });
  await createBenchTopic(plan.brokers, topic, 1);
  const site = latencySite({ devices: [], stateDir: join(dir, 'state'), brokers: plan.brokers, topic });
  return { ...site, devices };
}

export async function modbusCase(
  plan: FootprintPlan,
  spec: ModbusCase,
  dir: string,
  telegraf: { binary: string } | string,
): Promise<Outcome> {
  const devices = modbusDevices(spec);
  const plant = await FootprintPlant.start(devices);
  const window = { settleSeconds: plan.settleSeconds, windowSeconds: plan.windowSeconds };
  const outcome: Outcome = {
    name: spec.name,
    targets: spec.targets,
    nominal: nominalReadsPerSecond(spec),
    gateway: 'not run',
    telegraf: undefined,
  };
  try {
    const topic = uniqueTopic('bench-footprint-gateway');
    const placed = devices.map((device, i) => ({ ...device, port: plant.ports[i] ?? 0 }));
    try {
      plan.log(`footprint: ${spec.name}, gateway`);
      const site = await gatewaySite(plan, join(dir, 'gateway'), placed, topic);
      outcome.gateway = await runGateway({
        ...window,
        site,
        dir: join(dir, 'gateway'),
        plant,
        ...(spec.eventsPerSecond > 0
          ? { alongside: () => moveAlarms(plant, devices, spec.eventsPerSecond) }
          : {}),
      });
    } catch (error) {
      outcome.gateway = `failed: ${(error as Error).message}`;
    } finally {
      await deleteBenchTopic(plan.brokers, topic);
    }
    if (!spec.telegraf) return outcome;
    if (typeof telegraf === 'string') {
      outcome.telegraf = telegraf;
      return outcome;
    }
    try {
      plan.log(`footprint: ${spec.name}, Telegraf`);
      mkdirSync(join(dir, 'telegraf'), { recursive: true });
      outcome.telegraf = await runTelegraf({
        ...window,
        binary: telegraf.binary,
        dir: join(dir, 'telegraf'),
        brokers: plan.brokers,
        topic: uniqueTopic('bench-footprint-telegraf'),
        devices,
        intervalMs: spec.pollIntervalMs,
        plant,
      });
    } catch (error) {
      outcome.telegraf = `failed: ${(error as Error).message}`;
    }
    return outcome;
  } finally {
    await plant.stop();
  }
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) if (line.trim() !== '') return line;
  throw new Error('the OPC UA server ended without output');
}

export async function opcuaCase(plan: FootprintPlan, spec: OpcuaCase, dir: string): Promise<Outcome> {
  const outcome: Outcome = {
    name: spec.name,
    targets: spec.targets,
    nominal: undefined,
    gateway: 'not run',
    telegraf: 'not compared: the custom Telegraf build holds no opcua input',
  };
  // Its own process, so its CPU is not the gateway's and not the bench's; every item changes once per sampling interval.
  const server = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./opcua-server-process.ts', import.meta.url)),
      String(spec.items),
      String(spec.samplingMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const topic = uniqueTopic('bench-footprint-gateway');
  try {
    const port = Number((await firstLine(server)).split(' ')[1]);
    plan.log(`footprint: ${spec.name}, gateway`);
    const device = benchOpcuaDevice(spec.items, spec.samplingMs, `opc.tcp://127.0.0.1:${port}`);
    const site = await gatewaySite(plan, dir, [device], topic);
    outcome.gateway = await runGateway({
      settleSeconds: plan.settleSeconds,
      windowSeconds: plan.windowSeconds,
      site,
      dir,
    });
  } catch (error) {
    outcome.gateway = `failed: ${(error as Error).message}`;
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    await deleteBenchTopic(plan.brokers, topic);
  }
  return outcome;
}

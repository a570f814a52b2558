/**
 * One footprint run of Telegraf on the same simulated PLCs and the same
 * broker as the gateway: timed from spawn to its first log line, its first
 * poll and its first record in Kafka, then watched over a window while the
 * values it read are counted in its topic.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import { type CollectorFigures, plantMark, plcRates, type WindowPlan, waitFor } from './footprint-figures.ts';
import { LineProtocolCounter } from './footprint-kafka.ts';
import type { FootprintPlant } from './footprint-plc.ts';
import { telegrafConfig } from './footprint-telegraf-config.ts';
import { watchProcess } from './footprint-watch.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface TelegrafRun extends WindowPlan {
  binary: string;
  dir: string;
  brokers: string;
  topic: string;
  devices: readonly ModbusTcpDevice[];
  intervalMs: number;
  plant: FootprintPlant;
}

const FIRST_RECORD_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** Telegraf flushes every second: the window's last metrics reach Kafka within this. */
const FLUSH_GRACE_MS = 2500;

export async function runTelegraf(run: TelegrafRun): Promise<CollectorFigures> {
  await createBenchTopic(run.brokers, run.topic, 1);
  const counter = await LineProtocolCounter.start(run.brokers, run.topic);
  const configFile = join(run.dir, 'telegraf.conf');
  writeFileSync(
    configFile,
    telegrafConfig({
      devices: run.devices,
      ports: run.plant.ports,
      intervalMs: run.intervalMs,
      brokers: run.brokers,
      topic: run.topic,
    }),
  );
  run.plant.reset();

  const spawnedAt = performance.now();
  const child = spawn(run.binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  let output = '';
  let firstLogAt: number | undefined;
  const collect = (chunk: Buffer) => {
    firstLogAt ??= performance.now();
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const ended = () => (child.exitCode === null ? undefined : `exit ${child.exitCode}: ${output}`);
  try {
    const firstRecord = await waitFor(
      () => counter.firstArrivalAt,
      'Telegraf’s first record in Kafka',
      FIRST_RECORD_TIMEOUT_MS,
      ended,
    );
    await sleep(run.settleSeconds * 1000);

    const from = Date.now();
    const plantBefore = plantMark(run.plant);
    const footprint = await watchProcess(child.pid as number, run.windowSeconds);
    const plantAfter = plantMark(run.plant);
    const to = Date.now();
    const seconds = (to - from) / 1000;
    await sleep(FLUSH_GRACE_MS);
    const { fields } = counter.fieldsBetween(from, to);
    return {
      footprint,
      firstPollMs: run.plant.firstRequestAt === undefined ? undefined : run.plant.firstRequestAt - spawnedAt,
      readyMs: firstRecord - spawnedAt,
      firstLogMs: firstLogAt === undefined ? undefined : firstLogAt - spawnedAt,
      readsPerSecond: fields / seconds,
      plc: plcRates(run.plant, plantBefore, plantAfter),
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const late = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (late) {
      child.kill('SIGKILL');
      await exited;
    }
    await counter.stop();
    await deleteBenchTopic(run.brokers, run.topic);
  }
}

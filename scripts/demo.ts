/**
 * The gateway on a simulated plant, the way a newcomer first sees it: starts a
 * local Kafka broker (unless KAFKA_BROKERS names one), the PLC simulator for
 * devices/plant.yaml, and the built gateway; then prints every alarm event as
 * it arrives on the topic. Without a reachable broker it still runs and shows
 * the events piling up in the buffer. With --lakehouse, a Flink job also lands
 * the events in Iceberg as they arrive (scripts/demo-lakehouse.ts).
 *
 *   node scripts/demo.ts [--seconds N] [--site devices/plant.yaml] [--lakehouse]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { bufferFiles } from '../src/buffer/files.ts';
import { waitingEvents } from '../src/buffer/waiting.ts';
import { DEFAULTS } from '../src/config/defaults.ts';
import { loadSiteFile } from '../src/config/load.ts';
import { resolveBufferPath } from '../src/system/state-paths.ts';
import { DemoLakehouse } from './demo-lakehouse.ts';
import { KafkaBroker } from './kafka-broker.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    site: { type: 'string', default: 'devices/plant.yaml' },
    lakehouse: { type: 'boolean', default: false },
  },
});
const siteFile = values.site ?? 'devices/plant.yaml';
const loaded = loadSiteFile(siteFile);
if (!loaded.ok) {
  console.error(`${siteFile} is not valid; run: node dist/cli.js validate ${siteFile}`);
  process.exit(1);
}
const site = loaded.site;
const topic = site.gateway.kafka?.topic ?? 'iiot.alarms.v1';
const logDir = resolve('var/demo');
mkdirSync(logDir, { recursive: true });
// A fresh buffer each time, so the sequence the demo shows starts at 1.
for (const file of bufferFiles(resolveBufferPath(site, {}))) rmSync(file, { force: true });

const children: ChildProcess[] = [];
let broker: KafkaBroker | undefined;
let stopping = false;

function spawnLogged(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  child.on('exit', (code) => {
    if (!stopping) console.error(`${name} exited (${code}); see ${join(logDir, `${name}.log`)}`);
  });
  children.push(child);
  return child;
}

async function startBroker(): Promise<string | undefined> {
  if (process.env.KAFKA_BROKERS) {
    console.log(`Using the broker(s) in KAFKA_BROKERS: ${process.env.KAFKA_BROKERS}`);
    return process.env.KAFKA_BROKERS;
  }
  console.log('Starting a local Kafka broker (single node, KRaft) …');
  try {
    broker = await KafkaBroker.start();
    console.log(`Kafka is up on ${broker.brokers}`);
    return broker.brokers;
  } catch (error) {
    console.log(`No local Kafka broker: ${(error as Error).message.split('\n')[0]}`);
    console.log('The gateway runs anyway and keeps every event in its buffer.');
    console.log('To ship them, start a broker and run: KAFKA_BROKERS=host:port scripts/demo.sh');
    return undefined;
  }
}

async function printEvents(brokers: string): Promise<() => Promise<void>> {
  const kafka = new Kafka({
    clientId: 'demo-viewer',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `demo-viewer-${process.pid}` });
  await connectWhenTopicExists(kafka, consumer);
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const event = JSON.parse(message.value?.toString() ?? '{}');
      console.log(
        `← ${topic} p${partition} key=${message.key?.toString()}  #${event.seq} ${event.transition} ${event.priority}  ${event.message}`,
      );
    },
  });
  return () => consumer.disconnect();
}

async function connectWhenTopicExists(kafka: Kafka, consumer: ReturnType<Kafka['consumer']>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  // The gateway creates the topic; the viewer waits for it rather than creating it with other settings.
  while (!stopping && !(await admin.listTopics()).includes(topic)) await sleep(500);
  await admin.disconnect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
}

async function prepareLakehouse(brokers: string | undefined): Promise<DemoLakehouse | undefined> {
  if (!values.lakehouse) return undefined;
  if (!brokers) {
    console.log('lakehouse: not available without a Kafka broker; running the plain demo');
    return undefined;
  }
  return DemoLakehouse.prepare(siteFile, brokers, join(logDir, 'lakehouse'));
}

function bufferedEvents(): number {
  return waitingEvents(resolveBufferPath(site, {}));
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function main(): Promise<void> {
  const brokers = await startBroker();
  const lakehouse = await prepareLakehouse(brokers);
  spawnLogged('simulator', ['dist/cli.js', 'simulate', siteFile]);
  await sleep(500);
  spawnLogged('gateway', ['dist/cli.js', 'run', '--config', siteFile], {
    KAFKA_BROKERS: brokers ?? (site.gateway.kafka?.brokers ?? ['127.0.0.1:9092']).join(','),
  });
  console.log(`Simulator and gateway running; logs in ${logDir}. Ctrl-C stops everything.`);
  const listener = site.gateway.listener ?? {};
  if (listener.enabled !== false) {
    const address = `${listener.host ?? DEFAULTS.listenerHost}:${listener.port ?? DEFAULTS.listenerPort}`;
    console.log(`Status page: http://${address}/  (metrics on /metrics, health on /healthz and /readyz)\n`);
  }

  let stopViewer: (() => Promise<void>) | undefined;
  let reporter: NodeJS.Timeout | undefined;
  lakehouse?.start();
  if (brokers) {
    stopViewer = await printEvents(brokers);
  } else {
    reporter = setInterval(
      () => console.log(`buffered, waiting for a broker: ${bufferedEvents()} events`),
      5000,
    );
  }

  let timeout: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolveDone) => {
    process.once('SIGINT', () => resolveDone());
    process.once('SIGTERM', () => resolveDone());
    if (values.seconds) timeout = setTimeout(resolveDone, Number(values.seconds) * 1000);
  });
  await done;
  // A Ctrl-C before --seconds ran out: the timer would keep the process alive until then.
  clearTimeout(timeout);
  stopping = true;
  clearInterval(reporter);
  console.log('\nStopping …');
  await stopViewer?.();
  for (const child of children.reverse()) {
    child.kill('SIGTERM');
    await new Promise((resolveExit) =>
      child.exitCode === null ? child.once('exit', resolveExit) : resolveExit(null),
    );
  }
  console.log(`Events still in the buffer: ${bufferedEvents()}`);
  await lakehouse?.stop();
  await broker?.stop();
  await lakehouse?.report();
}

await main();

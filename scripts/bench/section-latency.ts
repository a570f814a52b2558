/**
 * Figure 2: from a value changing on the PLC to its alarm event being on the
 * broker, with the whole gateway running in this process on a 1,000-point plant.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Gateway } from '../../src/gateway.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { until } from '../../test/harness/wait.ts';
import { type Arrival, ArrivalWatch } from './arrivals.ts';
import { ownCpuSeconds } from './cpu.ts';
import { AT_REST, IN_ALARM, LIMIT, latencyDevice, latencySite } from './latency-site.ts';
import { type MemoryPeaks, MemorySampler } from './memory.ts';
import type { Report } from './report.ts';
import { dec1, distribution, int, latencyLine, mib } from './stats.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface LatencyPlan {
  brokers: string;
  dir: string;
  devices: number;
  pointsPerDevice: number;
  pollIntervalMs: number;
  /** Value changes measured (half raise, half clear). */
  changes: number;
  log: (line: string) => void;
  brokerCpuSeconds: () => number | undefined;
}

export interface LatencyOutcome {
  memory: MemoryPeaks;
}

interface Sample extends Arrival {
  changedAt: number;
}

const WARM_UP_CHANGES = 4;
const PARTITIONS = 3;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function benchLatency(report: Report, plan: LatencyPlan): Promise<LatencyOutcome> {
  const points = plan.devices * plan.pointsPerDevice;
  report.section(2, `End-to-end latency, ${int(points)} points polled every ${plan.pollIntervalMs} ms`);
  const topic = uniqueTopic('bench-latency');
  // Broker-side append time on every record: the closest stamp to the acknowledgement the broker keeps.
  await createBenchTopic(plan.brokers, topic, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });

  const devices = Array.from({ length: plan.devices }, (_, i) =>
    latencyDevice(i + 1, plan.pointsPerDevice, plan.pollIntervalMs),
  );
  const simulators = await Promise.all(
    devices.map((device) => SimulatedModbusDevice.start(device, { port: 0, host: '127.0.0.1' })),
  );
  const stateDir = join(plan.dir, 'latency-state');
  mkdirSync(stateDir, { recursive: true });
  const site = latencySite({
    devices: devices.map((device, i) => ({ ...device, port: simulators[i]?.port ?? 0 })),
    stateDir,
    brokers: plan.brokers,
    topic,
  });
  const watch = await ArrivalWatch.start(plan.brokers, topic);

  const memory = new MemorySampler(1000);
  // The gateway logs one info line per event, as in service; the lines go nowhere but their cost is paid.
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
  const gateway = Gateway.start({ site, logger, env: {} });
  const samples: Sample[] = [];
  let peaks: MemoryPeaks;
  let pollRate = 0;
  let cpu = { own: 0, broker: undefined as number | undefined };
  try {
    await until(() => gateway.status().devices.every((device) => device.polls > 0), 'first polls', 30_000);
    const total = WARM_UP_CHANGES + plan.changes;
    const pollsBefore = gateway.status().devices.map((device) => device.polls);
    const measuringFrom = Date.now();
    const cpuBefore = { own: ownCpuSeconds(), broker: plan.brokerCpuSeconds() };
    let point = '';
    let simulator = simulators[0] as SimulatedModbusDevice;
    for (let i = 0; i < total; i++) {
      const raise = i % 2 === 0;
      if (raise) {
        simulator = simulators[Math.floor(Math.random() * simulators.length)] as SimulatedModbusDevice;
        point = `p${Math.floor(Math.random() * plan.pointsPerDevice)}`;
      }
      // A random pause puts each change at a random moment of the poll cycle, as real changes are.
      await pause(50 + Math.random() * plan.pollIntervalMs * 1.5);
      const arrival = watch.expect(simulator.device.id, point, raise ? 'raise' : 'clear');
      const changedAt = Date.now();
      simulator.set(point, raise ? IN_ALARM : AT_REST);
      const arrived = await arrival;
      if (i >= WARM_UP_CHANGES) samples.push({ changedAt, ...arrived });
      if ((i + 1) % 50 === 0) plan.log(`latency: ${i + 1 - WARM_UP_CHANGES} of ${plan.changes} changes`);
    }
    const seconds = (Date.now() - measuringFrom) / 1000;
    const brokerAfter = plan.brokerCpuSeconds();
    cpu = {
      own: (ownCpuSeconds() - cpuBefore.own) / seconds,
      broker:
        brokerAfter === undefined || cpuBefore.broker === undefined
          ? undefined
          : (brokerAfter - cpuBefore.broker) / seconds,
    };
    const polls = gateway.status().devices.map((device, i) => device.polls - (pollsBefore[i] ?? 0));
    pollRate = polls.reduce((sum, n) => sum + n, 0) / polls.length / seconds;
  } finally {
    peaks = memory.stop();
    await gateway.stop();
    await watch.stop();
    await Promise.all(simulators.map((simulator) => simulator.stop()));
    await deleteBenchTopic(plan.brokers, topic);
  }

  const toAppend = distribution(samples.map((s) => s.appendedAt - s.changedAt));
  const toConsumer = distribution(samples.map((s) => s.receivedAt - s.changedAt));
  const toRead = distribution(samples.map((s) => s.readAt - s.changedAt));
  const readToAppend = distribution(samples.map((s) => s.appendedAt - s.readAt));
  report.add(2, {
    title: 'Value change to event on the broker',
    method:
      `${plan.devices} simulated PLCs × ${plan.pointsPerDevice} int16 holding registers, each point with a high limit at ${LIMIT}; ` +
      `the gateway runs in this process (synchronous=FULL buffer, default batching); ${plan.changes} changes ` +
      `(a random point set to ${IN_ALARM}, then back to ${AT_REST}), each at a random moment after the previous event ` +
      'arrived; every time is Date.now() on this machine: the change just before the register is written, the ' +
      "broker's LogAppendTime of the record, the arrival at a kafkajs consumer in this process, and the event's " +
      'source_time (when the poll read the value)',
    rows: [
      ['change → appended by the broker (≈ acknowledged)', latencyLine(toAppend)],
      ['change → received by a consumer', latencyLine(toConsumer)],
      ['of which: change → read by a poll', latencyLine(toRead)],
      ['of which: read → appended (evaluate, commit, forward, produce)', latencyLine(readToAppend)],
      [
        'poll rate achieved per device',
        `${dec1(pollRate)} polls/s (target ${dec1(1000 / plan.pollIntervalMs)})`,
      ],
      [
        'CPU, share of one core',
        `${Math.round(cpu.own * 100)} % this process (gateway, simulators, consumer)${
          cpu.broker === undefined ? '' : `, ${Math.round(cpu.broker * 100)} % broker`
        }`,
      ],
    ],
  });
  report.add(2, {
    title: 'Memory during the run',
    method:
      'process.memoryUsage() sampled every second from just before Gateway.start() to the last change; ' +
      'the process also holds the simulated PLCs and the consumer, so this is an upper bound for the gateway',
    rows: [
      ['RSS before the gateway started', mib(peaks.first.rss)],
      ['RSS, max', mib(peaks.rss)],
      ['V8 heap used, max', mib(peaks.heapUsed)],
      ['V8 heap used, first → last sample', `${mib(peaks.first.heapUsed)} → ${mib(peaks.last.heapUsed)}`],
      ['external (Buffers, native), max', mib(peaks.external)],
      ['samples', int(peaks.samples)],
    ],
  });
  if (watch.unexpected > 0) report.note(2, `${watch.unexpected} events arrived that no change caused.`);
  return { memory: peaks };
}

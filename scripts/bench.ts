/**
 * Benchmarks of the gateway's data path, against a real Kafka broker and
 * simulated PLCs: buffer → broker throughput, end-to-end latency on a
 * 1,000-point plant, Modbus read rate with and without the request planner,
 * OPC UA notifications per second, MQTT ingest at QoS 0 and 1 through a real Mosquitto, catch-up after an
 * outage, the alarm engine on 10,000 points, encodings and compression codecs, the local listener's response times,
 * and memory. Prints the machine and every figure with its method as it goes, then the whole report as Markdown
 * (docs/benchmarks.md is written from it).
 *
 *   npm run bench -- [--quick] [--markdown FILE] [--only buffer,latency,modbus,catchup,opcua,mqtt,outage,alarms,output,telemetry,lakehouse,footprint]
 *
 * The lakehouse section (Flink → Iceberg) and the footprint comparison with Telegraf run only when named with --only.
 *
 * Uses KAFKA_BROKERS when set, otherwise starts a local broker and stops it at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../src/telemetry/logger.ts';
import { type BenchBroker, benchBroker, describeBroker } from './bench/broker.ts';
import { describeMachine } from './bench/machine.ts';
import { parseOptions } from './bench/options.ts';
import { Report } from './bench/report.ts';
import { benchAlarms } from './bench/section-alarms.ts';
import { benchBuffer } from './bench/section-buffer.ts';
import { benchCatchUp } from './bench/section-catchup.ts';
import { benchFootprint } from './bench/section-footprint.ts';
import { benchLakehouse } from './bench/section-lakehouse.ts';
import { benchLatency, type LatencyOutcome } from './bench/section-latency.ts';
import { benchModbus } from './bench/section-modbus.ts';
import { benchMqtt } from './bench/section-mqtt.ts';
import { benchOpcua } from './bench/section-opcua.ts';
import { benchOutage } from './bench/section-outage.ts';
import { benchOutput } from './bench/section-output.ts';
import { benchTelemetry } from './bench/section-telemetry.ts';
import { dec1, mib } from './bench/stats.ts';

const options = parseOptions(process.argv.slice(2));
const startedAt = Date.now();
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const report = new Report((line) => process.stdout.write(`${line}\n`));
// Warnings of the components under test (a failed send, a refused read) must not pass unnoticed.
const logger = createLogger('warn', pino.destination({ dest: 2, sync: true }));
const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));

report.machine(describeMachine(describeBroker(), dir));

let broker: BenchBroker | undefined;
let latency: LatencyOutcome | undefined;
try {
  const needsBroker =
    options.sections.has('latency') ||
    options.sections.has('buffer') ||
    options.sections.has('catchup') ||
    options.sections.has('mqtt') ||
    options.sections.has('output') ||
    options.sections.has('telemetry') ||
    options.sections.has('lakehouse') ||
    options.sections.has('footprint');
  if (needsBroker) broker = await benchBroker(progress);

  // Latency runs first, in a process that has not yet held a 100,000-event backlog, so its memory figures are the gateway's.
  if (broker && options.sections.has('latency')) {
    latency = await benchLatency(report, {
      brokers: broker.brokers,
      dir,
      devices: options.devices,
      pointsPerDevice: options.pointsPerDevice,
      pollIntervalMs: options.pollIntervalMs,
      changes: options.changes,
      log: progress,
      brokerCpuSeconds: () => broker?.cpuSeconds(),
    });
  }
  if (options.sections.has('modbus')) {
    progress('Modbus read rates');
    await benchModbus(report, { seconds: options.modbusSeconds, logger });
  }
  if (options.sections.has('opcua')) {
    await benchOpcua(report, { seconds: options.opcuaSeconds, log: progress });
  }
  if (broker && options.sections.has('buffer')) {
    await benchBuffer(report, {
      brokers: broker.brokers,
      dir,
      events: options.backlog,
      commitSeconds: options.commitSeconds,
      logger,
      log: progress,
      brokerCpuSeconds: () => broker?.cpuSeconds(),
    });
  }

  if (broker && options.sections.has('catchup')) {
    await benchCatchUp(report, {
      brokers: broker.brokers,
      dir,
      events: options.catchUp,
      logger,
      log: progress,
    });
  }
  if (broker && options.sections.has('mqtt')) {
    progress('MQTT ingest');
    await benchMqtt(report, { dir, brokers: broker.brokers, messages: options.mqttMessages, log: progress });
  }

  if (options.sections.has('alarms')) {
    benchAlarms(report, { dir, polls: options.alarmPolls, logger, log: progress });
  }

  if (broker && options.sections.has('output')) {
    await benchOutput(report, {
      brokers: broker.brokers,
      dir,
      events: options.outputEvents,
      logDir: broker.logDir,
      logger,
      log: progress,
    });
  }

  if (options.sections.has('outage')) {
    await benchOutage(report, { dir, seconds: options.outageSeconds, log: progress });
  }

  if (broker && options.sections.has('telemetry')) {
    progress('local listener');
    await benchTelemetry(report, {
      brokers: broker.brokers,
      dir,
      devices: options.devices,
      pointsPerDevice: options.pointsPerDevice,
      pollIntervalMs: options.pollIntervalMs,
      requests: 200,
      log: progress,
    });
  }

  if (broker && options.sections.has('lakehouse')) {
    await benchLakehouse(report, {
      brokers: broker.brokers,
      dir,
      events: options.lakehouseEvents,
      changes: options.lakehouseChanges,
      log: progress,
      brokerCpuSeconds: () => broker?.cpuSeconds(),
    });
  }

  if (broker && options.sections.has('footprint')) {
    await benchFootprint(report, {
      brokers: broker.brokers,
      dir,
      windowSeconds: options.footprintSeconds,
      settleSeconds: options.footprintSettleSeconds,
      log: progress,
    });
  }

  report.section(8, 'Resident memory');
  const rows: [string, string][] = [
    ['bench process, peak RSS (everything above)', mib(process.resourceUsage().maxRSS * 1024)],
  ];
  if (latency) {
    rows.push([
      `gateway run of figure 2, max RSS / max heap used`,
      `${mib(latency.memory.rss)} / ${mib(latency.memory.heapUsed)}`,
    ]);
  }
  const jvm = broker?.peakRssBytes();
  if (jvm !== undefined) rows.push(['Kafka broker JVM, peak RSS', mib(jvm)]);
  report.add(8, {
    title: 'Peaks',
    method:
      "the bench process's own high-water mark from process.resourceUsage().maxRSS; the gateway run's from " +
      'process.memoryUsage() sampled every second; the broker JVM from VmHWM in /proc/PID/status',
    rows,
  });
} finally {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const took = (Date.now() - startedAt) / 1000;
progress(`done in ${dec1(took)} s`);
const markdown = `${report.markdown()}\nThe run took ${Math.round(took)} s.\n`;
if (options.markdown) {
  writeFileSync(options.markdown, markdown);
  progress(`Markdown written to ${options.markdown}`);
} else {
  process.stdout.write(`\n${markdown}`);
}
// kafkajs can keep sockets half-open for a while after disconnect; nothing is left to wait for.
process.exit(0);

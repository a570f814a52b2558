/**
 * The broker the benchmarks talk to: KAFKA_BROKERS when set, otherwise a local
 * single-node Kafka started for the run and stopped at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { layout } from '../kafka/data-dir.ts';
import { KAFKA_VERSION, KafkaBroker } from '../kafka-broker.ts';
import { cpuSecondsOf } from './cpu.ts';

export interface BenchBroker {
  brokers: string;
  /** Peak resident memory of the broker JVM so far, when it runs on this machine under our control. */
  peakRssBytes(): number | undefined;
  /** CPU time the broker JVM used so far, under the same condition. */
  cpuSeconds(): number | undefined;
  /** The broker's log.dirs, when it runs on this machine under our control. */
  logDir: string | undefined;
  stop(): Promise<void>;
}

/** Known before the broker starts, so the machine description can come first. */
export function describeBroker(): string {
  const external = process.env.KAFKA_BROKERS;
  if (external) return `external, KAFKA_BROKERS=${external} (version not known to the benchmark)`;
  return (
    `Apache Kafka ${KAFKA_VERSION}, single node (KRaft) on this machine, JVM tuned for fast start ` +
    '(serial GC, C1 JIT only, 512 MiB heap), not for throughput'
  );
}

export async function benchBroker(log: (line: string) => void): Promise<BenchBroker> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    return {
      brokers: external,
      peakRssBytes: () => undefined,
      cpuSeconds: () => undefined,
      logDir: undefined,
      stop: async () => {},
    };
  }
  log('starting a local Kafka broker …');
  const started = Date.now();
  const broker = await KafkaBroker.start();
  log(`Kafka is up on ${broker.brokers} after ${Date.now() - started} ms`);
  // The pid is gone once the broker stops, so it is taken now.
  const pid = broker.pid;
  return {
    brokers: broker.brokers,
    peakRssBytes: () => (pid === undefined ? undefined : peakRssOf(pid)),
    cpuSeconds: () => (pid === undefined ? undefined : cpuSecondsOf(pid)),
    logDir: layout(broker.dataDir).logDir,
    stop: () => broker.stop(),
  };
}

/** VmHWM: the high-water mark of a process's resident set, from /proc (Linux only). */
export function peakRssOf(pid: number): number | undefined {
  return statusBytes(pid, 'VmHWM');
}

/** VmRSS: a process's resident set now, from /proc (Linux only). */
export function rssOf(pid: number): number | undefined {
  return statusBytes(pid, 'VmRSS');
}

function statusBytes(pid: number, field: string): number | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((each) => each.startsWith(`${field}:`));
  const kb = Number(line?.split(/\s+/)[1]);
  return Number.isFinite(kb) ? kb * 1024 : undefined;
}

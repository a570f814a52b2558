/**
 * From a register changing on a simulated PLC to the alarm event being
 * readable in lake.iiot.alarm_events: the gateway runs in this process on a
 * one-PLC plant, the events job streams (unbounded) from its topic into a
 * fresh warehouse, and a pyiceberg reader in a Python process of its own
 * watches the table. A Hadoop-catalog table has no catalog service: a reader
 * learns of a new commit from metadata/version-hint.text, so the watcher reads
 * that every 250 ms and scans the table (pyiceberg) whenever it changed,
 * printing each new event_id with the time the scan returned it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { Gateway } from '../../src/gateway.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { until } from '../../test/harness/wait.ts';
import { ensureReaderPython } from '../lakehouse/python.ts';
import { cpuSecondsOf } from './cpu.ts';
import { type JvmRun, startMeasured } from './lakehouse-jvm.ts';
import { IN_ALARM, latencyDevice, latencySite } from './latency-site.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export const WATCH_INTERVAL_MS = 250;
const POLL_INTERVAL_MS = 100;
const PARTITIONS = 3;

const WATCHER = `
import json, os, sys, time
from pyiceberg.table import StaticTable

table_dir, interval = sys.argv[1], float(sys.argv[2]) / 1000
hint = os.path.join(table_dir, "metadata", "version-hint.text")
seen_version = None
seen = set()
print(json.dumps({"ready": True}), flush=True)
while True:
    try:
        with open(hint, encoding="utf-8") as f:
            version = f.read().strip()
    except OSError:
        version = None
    if version and version != seen_version:
        try:
            table = StaticTable.from_metadata(os.path.join(table_dir, "metadata", f"v{version}.metadata.json"))
            snapshot = table.current_snapshot()
            rows = []
            if snapshot is not None:
                rows = table.scan(selected_fields=("event_id", "device", "point", "transition", "landed_at")).to_arrow().to_pylist()
            read_ms = time.time() * 1000
            fresh = [r for r in rows if r["event_id"] not in seen]
            for r in fresh:
                seen.add(r["event_id"])
            if fresh:
                print(json.dumps({
                    "read_ms": read_ms,
                    "snapshot_ms": snapshot.timestamp_ms,
                    "rows": [{"device": r["device"], "point": r["point"], "transition": r["transition"],
                              "landed_ms": r["landed_at"].timestamp() * 1000} for r in fresh],
                }), flush=True)
            seen_version = version
        except Exception as error:  # a commit in progress: try again at the next poll
            print(json.dumps({"retry": str(error)[:200]}), file=sys.stderr, flush=True)
    time.sleep(interval)
`;

interface Seen {
  readMs: number;
  snapshotMs: number;
  landedMs: number;
}

/** The pyiceberg watcher process; `expect` resolves when the event shows up in a scan. */
class TableWatch {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<string, (seen: Seen) => void>();
  /** Rows no change was waiting for (device/point/transition). */
  readonly unexpected: string[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as {
        read_ms?: number;
        snapshot_ms?: number;
        rows?: { device: string; point: string; transition: string; landed_ms: number }[];
      };
      for (const row of message.rows ?? []) {
        const key = `${row.device}/${row.point}/${row.transition}`;
        const seen = {
          readMs: message.read_ms ?? Number.NaN,
          snapshotMs: message.snapshot_ms ?? Number.NaN,
          landedMs: row.landed_ms,
        };
        const waiter = this.#waiters.get(key);
        if (waiter) {
          this.#waiters.delete(key);
          waiter(seen);
        } else {
          this.unexpected.push(key);
        }
      }
    });
  }

  static async start(tableDir: string, dir: string): Promise<TableWatch> {
    const python = await ensureReaderPython();
    const script = join(dir, 'watch_table.py');
    writeFileSync(script, WATCHER);
    const child = spawn(python, [script, tableDir, String(WATCH_INTERVAL_MS)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const watch = new TableWatch(child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the table watcher exited with ${code}`)));
      child.stdout?.once('data', () => resolve());
    });
    return watch;
  }

  expect(device: string, point: string, transition: string, timeoutMs: number): Promise<Seen> {
    const key = `${device}/${point}/${transition}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`${key} not readable in the table after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(key, (seen) => {
        clearTimeout(timer);
        resolve(seen);
      });
    });
  }

  stop(): void {
    this.#child.removeAllListeners('exit');
    this.#child.kill('SIGTERM');
  }
}

export interface TableLatencyRun {
  checkpointMs: number;
  /** Per change: to landed_at (Flink processed the row), to the snapshot's commit, to a pyiceberg scan returning it. */
  toLanded: number[];
  toCommitted: number[];
  toReadable: number[];
  /** JVM start until the first (warm-up) event was readable. */
  firstReadableSeconds: number;
  /** The job's CPU over the measured changes, as a share of one core. */
  jvmCpuShare: number | undefined;
  jvm: JvmRun;
  unexpected: string[];
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One run at one checkpoint interval: `changes` points are raised one after
 * the other, 0.3–1.5 s apart (so they fall at random moments of the
 * checkpoint cycle), without waiting for each to land; then every one must
 * become readable.
 */
export async function measureTableLatency(plan: {
  brokers: string;
  dir: string;
  checkpointMs: number;
  changes: number;
  log: (line: string) => void;
}): Promise<TableLatencyRun> {
  const dir = join(plan.dir, `lakehouse-latency-${plan.checkpointMs}`);
  mkdirSync(dir, { recursive: true });
  const warehouse = join(dir, 'warehouse');
  const topic = uniqueTopic('bench-lake-latency');
  await createBenchTopic(plan.brokers, topic, PARTITIONS);
  const device = latencyDevice(1, plan.changes + 1, POLL_INTERVAL_MS);
  const simulator = await SimulatedModbusDevice.start(device, { port: 0, host: '127.0.0.1' });
  const plant = latencySite({
    devices: [{ ...device, port: simulator.port }],
    stateDir: join(dir, 'gateway'),
    brokers: plan.brokers,
    topic,
  });
  // A free port for the local listener: another gateway on this machine may hold the default one.
  const site = { ...plant, gateway: { ...plant.gateway, listener: { port: 0 } } };
  const logger = createLogger('warn', pino.destination({ dest: 2, sync: true }));
  const gateway = Gateway.start({ site, logger, env: {} });
  let watch: TableWatch | undefined;
  let stopping = false;
  let started: Awaited<ReturnType<typeof startMeasured>> | undefined;
  try {
    await until(() => gateway.status().devices.every((each) => each.polls > 0), 'first polls', 30_000);
    const jobStarted = performance.now();
    started = await startMeasured({
      job: 'events',
      brokers: plan.brokers,
      eventTopics: [topic],
      warehouse,
      stateDir: join(dir, 'flink'),
      groupId: `bench-lakehouse-${randomUUID().slice(0, 8)}`,
      checkpointMs: plan.checkpointMs,
      parallelism: 2,
      restartAttempts: 0,
      fresh: true,
    });
    const jvm = started;
    void jvm.measured.then((result) => {
      if (result.outcome.code !== 0 && !stopping) plan.log(`lakehouse: the live events job exited early`);
    });
    watch = await TableWatch.start(join(warehouse, 'iiot', 'alarm_events'), dir);

    // Warm-up: the first event is readable once the job runs and has committed a checkpoint.
    const warmUp = watch.expect(device.id, 'p0', 'raise', 180_000);
    simulator.set('p0', IN_ALARM);
    await warmUp;
    const firstReadableSeconds = (performance.now() - jobStarted) / 1000;
    plan.log(
      `lakehouse: live job at ${plan.checkpointMs} ms checkpoints, first event readable after ${firstReadableSeconds.toFixed(1)} s`,
    );

    const pid = jvm.run.pid;
    const cpuBefore = pid === undefined ? undefined : cpuSecondsOf(pid);
    const measuringFrom = performance.now();
    const pending: Promise<{ changedAt: number; seen: Seen }>[] = [];
    for (let i = 1; i <= plan.changes; i++) {
      await pause(300 + Math.random() * 1200);
      const point = `p${i}`;
      const seen = watch.expect(device.id, point, 'raise', plan.checkpointMs * 3 + 60_000);
      const changedAt = Date.now();
      simulator.set(point, IN_ALARM);
      pending.push(seen.then((each) => ({ changedAt, seen: each })));
    }
    const samples = await Promise.all(pending);
    const cpuAfter = pid === undefined ? undefined : cpuSecondsOf(pid);
    const seconds = (performance.now() - measuringFrom) / 1000;
    stopping = true;
    const result = await jvm.run.stop().then(() => jvm.measured);
    return {
      checkpointMs: plan.checkpointMs,
      toLanded: samples.map((s) => s.seen.landedMs - s.changedAt),
      toCommitted: samples.map((s) => s.seen.snapshotMs - s.changedAt),
      toReadable: samples.map((s) => s.seen.readMs - s.changedAt),
      firstReadableSeconds,
      jvmCpuShare:
        cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / seconds,
      jvm: result,
      unexpected: watch.unexpected,
    };
  } finally {
    stopping = true;
    watch?.stop();
    if (started) await started.run.kill().catch(() => {});
    await gateway.stop();
    await simulator.stop();
    await deleteBenchTopic(plan.brokers, topic);
  }
}

/**
 * A standalone Flink session cluster from the Maven jars, for trying and
 * testing "the same SQL submitted to an existing Flink cluster": a JobManager
 * and N TaskManagers, each its own JVM, on loopback ports. Its classpath is
 * Flink's own (cluster-config.ts): a job submitted to it ships the Kafka
 * connector, Iceberg and Hadoop (pipeline.jars, scripts/lakehouse/run.ts), as
 * it must on a real cluster.
 *
 *   node scripts/lakehouse.ts cluster start [--task-managers N] [--slots N] [--dir DIR]
 *       prints FLINK_REST=127.0.0.1:PORT once every TaskManager has registered,
 *       runs until Ctrl-C; then `lakehouse.ts run JOB --jobmanager 127.0.0.1:PORT`.
 *
 * Lifetime of the JVMs, as for the Kafka broker (scripts/kafka-broker.ts): a
 * process 'exit' listener SIGKILLs them and removes a temporary directory, and
 * on Linux `setpriv --pdeathsig TERM` has the kernel stop them when Node dies
 * by a signal. The parent-death signal is tied to the spawning thread: start
 * clusters from the main thread.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hasSetpriv, javaBin } from '../kafka/java.ts';
import { FLINK_LOG_ENTRY, logExcerpt, tail } from '../kafka/log-excerpt.ts';
import { freePort } from '../kafka/net.ts';
import { ensureLakehouseClasspath, FLINK_VERSION } from './classpath.ts';
import {
  clusterConf,
  clusterJars,
  jobManagerMemory,
  renderConfigYaml,
  taskManagerMemory,
} from './cluster-config.ts';
import { flinkJvmArgs } from './jvm.ts';

const JOB_MANAGER_CLASS = 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint';
const TASK_MANAGER_CLASS = 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner';
const DEFAULT_JOB_MANAGER_MB = 384;
const DEFAULT_TASK_MANAGER_MB = 512;
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const POLL_MS = 250;

export interface FlinkClusterOptions {
  /** Default 2. */
  taskManagers?: number;
  /** Task slots per TaskManager; default 1, so a job of parallelism N spreads over N TaskManagers. */
  slotsPerTaskManager?: number;
  /**
   * Configuration, logs, blobs and working directories; kept on stop(). Default
   * a temporary directory, removed on stop().
   */
  dir?: string;
  /** Process memory of the JobManager; default 384 MB. */
  jobManagerMb?: number;
  /** Process memory of each TaskManager; default 512 MB. */
  taskManagerMb?: number;
  /** More Flink options for config.yaml. */
  conf?: Record<string, string>;
  /** How long start() waits for every TaskManager to register; default 90 s. */
  startTimeoutMs?: number;
}

/** The JVMs of every cluster not stopped yet, for the process 'exit' listener. */
const live = new Set<FlinkCluster>();
let exitHookInstalled = false;
function trackLive(cluster: FlinkCluster, alive: boolean): void {
  if (alive) live.add(cluster);
  else live.delete(cluster);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const each of live) each.abandon();
    });
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function describeExit(exit: Exit): string {
  if (exit.error) return exit.error.message;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** One JVM of the cluster. */
interface Member {
  name: string;
  child: ChildProcess;
  exited: Promise<Exit>;
  exit?: Exit;
  logFile: string;
  outFile: string;
}

export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'flink-version': string;
}

export class FlinkCluster {
  /** The REST endpoint, "127.0.0.1:PORT": `--jobmanager` of lakehouse.ts run, and the web UI. */
  readonly rest: string;
  readonly dir: string;
  /** config.yaml and the logs of each JVM (jobmanager.log, taskmanager-N.log, *.out). */
  readonly confDir: string;
  readonly logDir: string;
  readonly #members: Member[] = [];
  readonly #temporary: boolean;
  #stopped = false;

  private constructor(rest: string, dir: string, temporary: boolean) {
    this.rest = rest;
    this.dir = dir;
    this.confDir = join(dir, 'conf');
    this.logDir = join(dir, 'log');
    this.#temporary = temporary;
  }

  /** Starts a JobManager and the TaskManagers and waits until every TaskManager has registered. */
  static async start(options: FlinkClusterOptions = {}): Promise<FlinkCluster> {
    const taskManagers = options.taskManagers ?? 2;
    const slots = options.slotsPerTaskManager ?? 1;
    if (!Number.isInteger(taskManagers) || taskManagers < 1)
      throw new Error('taskManagers must be 1 or more');
    if (!Number.isInteger(slots) || slots < 1) throw new Error('slotsPerTaskManager must be 1 or more');
    const jobManagerMb = options.jobManagerMb ?? DEFAULT_JOB_MANAGER_MB;
    const taskManagerMb = options.taskManagerMb ?? DEFAULT_TASK_MANAGER_MB;
    const { libs } = await ensureLakehouseClasspath();
    const classpath = clusterJars(readdirSync(libs)).map((jar) => join(libs, jar));

    const temporary = options.dir === undefined;
    const dir =
      options.dir === undefined ? mkdtempSync(join(tmpdir(), 'flink-cluster-')) : resolve(options.dir);
    const restPort = await freePort();
    let rpcPort = await freePort();
    while (rpcPort === restPort) rpcPort = await freePort();
    const cluster = new FlinkCluster(`127.0.0.1:${restPort}`, dir, temporary);
    const tmp = join(dir, 'tmp');
    for (const sub of [cluster.confDir, cluster.logDir, tmp]) mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(cluster.confDir, 'config.yaml'),
      renderConfigYaml(
        clusterConf({
          rpcPort,
          restPort,
          slots,
          tmpDir: tmp,
          jobManagerMb,
          taskManagerMb,
          ...(options.conf ? { extra: options.conf } : {}),
        }),
      ),
    );
    trackLive(cluster, true);
    try {
      cluster.#launch('jobmanager', JOB_MANAGER_CLASS, classpath, jobManagerMemory(jobManagerMb).jvm, []);
      // The TaskManagers retry until the JobManager answers: no need to wait for it first.
      for (let n = 1; n <= taskManagers; n += 1) {
        cluster.#launch(
          `taskmanager-${n}`,
          TASK_MANAGER_CLASS,
          classpath,
          taskManagerMemory(taskManagerMb, slots).jvm,
          [
            // A readable id in the REST API and the logs instead of a random one.
            '-D',
            `taskmanager.resource-id=tm-${n}`,
          ],
        );
      }
      await cluster.#waitForTaskManagers(taskManagers, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // The JVMs that exited first: their logs hold the cause.
      const members = [...cluster.#members].sort(
        (a, b) => Number(b.exit !== undefined) - Number(a.exit !== undefined),
      );
      const logs = members.map((member) => cluster.#excerpt(member)).join('\n');
      await cluster.stop();
      const removed = temporary ? ' (a temporary directory, removed)' : '';
      throw new Error(`Flink ${FLINK_VERSION} cluster in ${dir}${removed} did not start: ${reason}\n${logs}`);
    }
    return cluster;
  }

  /** True while every JVM of the cluster runs. */
  get running(): boolean {
    return !this.#stopped && this.#members.every((member) => member.exit === undefined);
  }

  /** Process ids of the JVMs by name (jobmanager, taskmanager-N), e.g. to measure them. */
  get pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const member of this.#members) if (member.child.pid) pids[member.name] = member.child.pid;
    return pids;
  }

  /** A GET on the REST API, parsed; throws on a non-2xx answer. */
  async api<T = unknown>(path: string, timeoutMs = 5000): Promise<T> {
    const response = await fetch(`http://${this.rest}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  /** Why the cluster stopped on its own, if it did; undefined while it runs. */
  failure(): string | undefined {
    const gone = this.#members.find((member) => member.exit !== undefined);
    return gone?.exit ? `${gone.name} exited (${describeExit(gone.exit)}); see ${gone.logFile}` : undefined;
  }

  /** The last log lines of every JVM, for a failure message. */
  logTail(lines = 30): string {
    return this.#members.map((member) => this.#excerpt(member, lines)).join('\n');
  }

  /**
   * Stops every JVM (SIGTERM, SIGKILL after 15 s) and removes a temporary
   * directory; of a kept one, only Flink's working files (tmp/: blobs, the
   * jobs' jars) go, config.yaml and the logs stay.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(
      this.#members.map(async (member) => {
        const { child } = member;
        // Waiting for an unref'd child would let an otherwise idle process exit mid-stop.
        child.ref();
        if (member.exit === undefined) child.kill('SIGTERM');
        const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        try {
          await member.exited;
        } finally {
          clearTimeout(escalate);
        }
      }),
    );
    trackLive(this, false);
    const remove = this.#temporary ? this.dir : join(this.dir, 'tmp');
    rmSync(remove, { recursive: true, force: true, maxRetries: 5 });
  }

  /** Synchronous last resort at process exit: SIGKILL every JVM, drop a temporary directory. Prefer stop(). */
  abandon(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const member of this.#members) if (member.exit === undefined) member.child.kill('SIGKILL');
    if (this.#temporary) rmSync(this.dir, { recursive: true, force: true, maxRetries: 5 });
    live.delete(this);
  }

  #launch(name: string, mainClass: string, classpath: string[], memory: string[], dynamic: string[]): void {
    const logFile = join(this.logDir, `${name}.log`);
    const outFile = join(this.logDir, `${name}.out`);
    const java = [
      javaBin(),
      ...memory,
      // Small JVMs on a small machine: the serial collector, and the client
      // compiler only. The cluster is ready in about 4 s instead of 7 on two
      // cores, and short jobs finish sooner too; long heavy jobs would want C2.
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      ...flinkJvmArgs({ classpath, heapMb: heapOf(memory), logFile, tmpDir: join(this.dir, 'tmp') }),
      // Where Flink's web UI looks for the log of each process.
      `-Dlog.file=${logFile}`,
      mainClass,
      '--configDir',
      this.confDir,
      ...dynamic,
    ];
    const [command = 'java', ...args] = hasSetpriv()
      ? ['setpriv', '--pdeathsig', 'TERM', '--', ...java]
      : java;
    // Output straight to a file: no pipe for Node to drain, nothing that keeps a test process alive.
    const out = openSync(outFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: this.dir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const member: Member = {
      name,
      child,
      logFile,
      outFile,
      exited: new Promise((settle) => {
        child.once('exit', (code, signal) => settle({ code, signal }));
        child.once('error', (error) => settle({ code: null, signal: null, error }));
      }),
    };
    void member.exited.then((exit) => {
      member.exit = exit;
    });
    child.unref();
    this.#members.push(member);
  }

  async #waitForTaskManagers(expected: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (true) {
      const failure = this.failure();
      if (failure) throw new Error(failure);
      try {
        const overview = await this.api<ClusterOverview>('/overview', 2000);
        if (overview.taskmanagers >= expected) return;
        last = `${overview.taskmanagers} of ${expected} TaskManagers registered`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`not ready on ${this.rest} within ${timeoutMs} ms: ${last}`);
      await new Promise((settle) => setTimeout(settle, POLL_MS));
    }
  }

  #excerpt(member: Member, lines = 30): string {
    const out = tail(member.outFile, 10);
    return (
      `--- ${member.logFile} ---\n${logExcerpt(member.logFile, lines, FLINK_LOG_ENTRY)}` +
      (out ? `\n--- ${member.outFile} ---\n${out}` : '')
    );
  }
}

/** The -Xmx of a memory flag list, for flinkJvmArgs (which sets -Xmx itself). */
function heapOf(memory: readonly string[]): number {
  const flag = memory.find((each) => each.startsWith('-Xmx'));
  return Number(flag?.slice(4, -1) ?? 256);
}

const USAGE = 'usage: lakehouse.ts cluster start [--task-managers N] [--slots N] [--dir DIR]';

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

/** `lakehouse.ts cluster start …`: runs a cluster in the foreground until Ctrl-C. */
export async function clusterCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'task-managers': { type: 'string' },
      slots: { type: 'string' },
      dir: { type: 'string' },
    },
  });
  if (positionals[0] !== 'start' || positionals.length > 1) {
    process.stderr.write(`lakehouse: ${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const taskManagers = positiveInt('task-managers', values['task-managers']);
  const slots = positiveInt('slots', values.slots);
  const cluster = await FlinkCluster.start({
    ...(taskManagers ? { taskManagers } : {}),
    ...(slots ? { slotsPerTaskManager: slots } : {}),
    ...(values.dir ? { dir: values.dir } : {}),
  });
  process.stdout.write(`FLINK_REST=${cluster.rest}\n`);
  process.stderr.write(
    `lakehouse: Flink ${FLINK_VERSION} cluster ready in ${Date.now() - started} ms; web UI http://${cluster.rest}/, ` +
      `logs in ${cluster.logDir}; Ctrl-C stops it\n` +
      `lakehouse: submit with: node scripts/lakehouse.ts run events --jobmanager ${cluster.rest} …\n`,
  );
  let watch: NodeJS.Timeout | undefined;
  const reason = await new Promise<string | undefined>((settle) => {
    // Also what keeps this process alive: signal listeners and the unref'd JVMs do not.
    watch = setInterval(() => {
      const failure = cluster.failure();
      if (failure) settle(failure);
    }, 1000);
    process.once('SIGINT', () => settle(undefined));
    process.once('SIGTERM', () => settle(undefined));
  });
  clearInterval(watch);
  if (reason) {
    process.stderr.write(`lakehouse: ${reason}\n${cluster.logTail(20)}\n`);
    process.exitCode = 1;
  }
  await cluster.stop();
}

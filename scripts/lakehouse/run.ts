/**
 * Runs one lakehouse job in its own JVM: the SQL launcher on the local
 * mini-cluster, or submitting to a Flink cluster. A streaming job keeps its
 * checkpoints under its state directory and resumes from the newest one (or
 * the savepoint its last stop left), so a restart neither loses nor repeats a
 * row.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasSetpriv, javaBin } from '../kafka/java.ts';
import { FLINK_LOG_ENTRY, logExcerpt } from '../kafka/log-excerpt.ts';
import { ensureLakehouseClasspath, LAUNCHER_CLASS } from './classpath.ts';
import { type JobName, jobFiles, type Mode } from './jobs.ts';
import { flinkJvmArgs } from './jvm.ts';

export interface LakehouseRunOptions {
  job: JobName;
  /** Default streaming. */
  mode?: Mode;
  /** Kafka bootstrap servers, "host:port,…". */
  brokers: string;
  /** Every topic the gateway writes events to: the default topic and each route's. */
  eventTopics: readonly string[];
  /** The gateway's compacted state topic (the state job reads it). */
  stateTopic?: string;
  /** Directory of the Iceberg warehouse (Hadoop catalog). */
  warehouse: string;
  /** This job's checkpoints, savepoints, logs and temporary files. */
  stateDir: string;
  /** Kafka consumer group; default `lakehouse-<job>`. */
  groupId?: string;
  /** Streaming only: stop at the offsets that were the latest when the job started. */
  bounded?: boolean;
  /** Checkpoint (and so Iceberg commit) interval; default 10 s. */
  checkpointMs?: number;
  parallelism?: number;
  /** JVM heap; default 768 MB. */
  heapMb?: number;
  /** Stop an unbounded streaming job with a savepoint after this long. */
  stopAfterMs?: number;
  /** How long the events job remembers an event_id (Flink duration); default 7 d. */
  dedupeTtl?: string;
  /** "host:port" of a Flink cluster's REST endpoint; default the local mini-cluster. */
  jobmanager?: string;
  /**
   * Restarts after a failure before the run fails; default 10 (exponential
   * back-off). 0 fails the run at the first failure (tests).
   */
  restartAttempts?: number;
  /** Start afresh even where a checkpoint or savepoint exists. */
  fresh?: boolean;
  /** More Flink configuration, more SQL variables. */
  conf?: Record<string, string>;
  vars?: Record<string, string>;
  /** Copy the launcher's own lines (jobs submitted, stopped, failed) to our stderr as they come. */
  echo?: boolean;
  /** Run these SQL files instead of the job's own (after the catalog and sources). */
  files?: readonly string[];
  /** With `files`: false runs them alone, without the catalog and source definitions. */
  prelude?: boolean;
}

export const DEFAULT_CHECKPOINT_MS = 10_000;
export const DEFAULT_DEDUPE_TTL = '7 d';
const DEFAULT_HEAP_MB = 768;

/** Jars a cluster's own classpath lacks: shipped with the job (pipeline.jars). */
const SHIPPED_JARS = [
  /^flink-connector-kafka-/,
  /^kafka-clients-/,
  /^iceberg-flink-runtime-/,
  /^hadoop-client-/,
];

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The launcher's JSON lines (rows of SELECT statements). */
  stdout: string;
  /** The launcher's own lines: jobs submitted, finished, stopped, failed with file:line. */
  stderr: string;
}

function variables(options: LakehouseRunOptions, mode: Mode): Record<string, string> {
  const bounded = mode === 'batch' || options.bounded === true;
  return {
    WAREHOUSE: pathToFileURL(resolve(options.warehouse)).href,
    KAFKA_BROKERS: options.brokers,
    EVENT_TOPICS: options.eventTopics.join(';'),
    STATE_TOPIC: options.stateTopic ?? 'iiot.alarms.state.v1',
    GROUP_ID: options.groupId ?? `lakehouse-${options.job}`,
    // A batch run reads everything the topics hold; a streaming one goes on from its group's offsets.
    SCAN_STARTUP_MODE: mode === 'batch' ? 'earliest-offset' : 'group-offsets',
    SCAN_BOUNDED_MODE: bounded ? 'latest-offset' : 'unbounded',
    DEDUPE_TTL: options.dedupeTtl ?? DEFAULT_DEDUPE_TTL,
    // The first UTC day (YYYY-MM-DD) the kpis job recomputes; earlier days are kept as they are.
    KPI_SINCE: '0000-01-01',
    // The first UTC day the compact job rewrites.
    COMPACT_SINCE: '0000-01-01',
    ...options.vars,
  };
}

function configuration(
  options: LakehouseRunOptions,
  mode: Mode,
  libs: string,
  tmpDir: string,
): Record<string, string> {
  const state = resolve(options.stateDir);
  const attempts = options.restartAttempts ?? 10;
  const conf: Record<string, string> = {
    'pipeline.name': `lakehouse-${options.job}-${mode}`,
    'parallelism.default': String(options.parallelism ?? 1),
    'table.exec.resource.default-parallelism': String(options.parallelism ?? 1),
    'execution.checkpointing.interval': `${options.checkpointMs ?? DEFAULT_CHECKPOINT_MS} ms`,
    'execution.checkpointing.dir': pathToFileURL(join(state, 'checkpoints')).href,
    'execution.checkpointing.savepoint-dir': pathToFileURL(join(state, 'savepoints')).href,
    'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    'execution.checkpointing.num-retained': '2',
    // Checkpointed jobs restart forever by default, silently: a bounded number
    // of attempts makes a job that cannot work fail, and its run exit non-zero.
    ...(attempts === 0
      ? { 'restart-strategy.type': 'none' }
      : {
          'restart-strategy.type': 'exponential-delay',
          'restart-strategy.exponential-delay.attempts-before-reset-backoff': String(attempts),
          'restart-strategy.exponential-delay.max-backoff': '2 min',
        }),
    'io.tmp.dirs': tmpDir,
  };
  if (options.jobmanager) {
    const [host, port] = options.jobmanager.split(':');
    conf['execution.target'] = 'remote';
    conf['rest.address'] = host ?? 'localhost';
    conf['rest.port'] = port ?? '8081';
    conf['pipeline.jars'] = readdirSync(libs)
      .filter((jar) => SHIPPED_JARS.some((pattern) => pattern.test(jar)))
      .map((jar) => pathToFileURL(join(libs, jar)).href)
      .join(';');
  }
  return { ...conf, ...options.conf };
}

/**
 * Keeps the newest snapshots (a savepoint or retained checkpoint, each a
 * directory with _metadata) and removes older ones, with the checkpoint
 * directories of earlier jobs they leave empty: every stop adds a savepoint
 * and every run a checkpoint directory.
 */
export function pruneSnapshots(stateDir: string, keep = 2): void {
  const snapshots: { dir: string; time: number; owner: string }[] = [];
  for (const [area, depth] of [
    ['savepoints', 1],
    ['checkpoints', 2],
  ] as const) {
    const root = join(stateDir, area);
    if (!existsSync(root)) continue;
    for (const first of readdirSync(root)) {
      const dirs = depth === 1 ? [first] : subdirs(join(root, first)).map((second) => join(first, second));
      for (const dir of dirs) {
        const metadata = join(root, dir, '_metadata');
        if (existsSync(metadata)) {
          snapshots.push({
            dir: join(root, dir),
            time: statSync(metadata).mtimeMs,
            owner: join(root, first),
          });
        }
      }
    }
  }
  snapshots.sort((a, b) => b.time - a.time);
  const kept = new Set(snapshots.slice(0, keep).map((snapshot) => snapshot.owner));
  for (const old of snapshots.slice(keep)) {
    rmSync(kept.has(old.owner) ? old.dir : old.owner, { recursive: true, force: true });
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** A running job; `done` settles when its JVM exits. */
export class LakehouseRun {
  readonly logFile: string;
  readonly done: Promise<RunOutcome>;
  readonly #child: ChildProcess;
  readonly #tmpDir: string;

  private constructor(child: ChildProcess, logFile: string, tmpDir: string, done: Promise<RunOutcome>) {
    this.#child = child;
    this.logFile = logFile;
    this.#tmpDir = tmpDir;
    this.done = done;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  static async start(options: LakehouseRunOptions): Promise<LakehouseRun> {
    const mode = options.mode ?? 'streaming';
    const files = options.files
      ? [
          ...(options.prelude === false ? [] : jobFiles([], mode)),
          ...options.files.map((file) => resolve(file)),
        ]
      : jobFiles([options.job], mode);
    const { libs, classes } = await ensureLakehouseClasspath();
    const state = resolve(options.stateDir);
    mkdirSync(join(state, 'tmp'), { recursive: true });
    mkdirSync(join(state, 'logs'), { recursive: true });
    const tmpDir = mkdtempSync(join(state, 'tmp', 'jvm-'));
    pruneSnapshots(state);
    const logFile = join(state, 'logs', `${mode}.log`);
    const args = [
      ...flinkJvmArgs({
        classpath: [join(libs, '*'), classes],
        heapMb: options.heapMb ?? DEFAULT_HEAP_MB,
        logFile,
        tmpDir,
      }),
      LAUNCHER_CLASS,
      '--mode',
      mode,
      '--savepoint-dir',
      pathToFileURL(join(state, 'savepoints')).href,
    ];
    if (mode === 'streaming' && !options.fresh) args.push('--resume-from', state);
    if (options.stopAfterMs) args.push('--stop-after-ms', String(options.stopAfterMs));
    for (const [key, value] of Object.entries(configuration(options, mode, libs, tmpDir)))
      args.push('--conf', `${key}=${value}`);
    for (const [key, value] of Object.entries(variables(options, mode)))
      args.push('--var', `${key}=${value}`);
    args.push(...files);

    // The JVM must not outlive us, even when we die by SIGKILL (see scripts/kafka-broker.ts).
    const [command, ...rest] = hasSetpriv()
      ? ['setpriv', '--pdeathsig', 'TERM', '--', javaBin(), ...args]
      : [javaBin(), ...args];
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    const done = new Promise<RunOutcome>((resolveDone) => {
      child.once('error', (error) => {
        stderr += `${error.message}\n`;
        resolveDone({ code: 127, signal: null, stdout, stderr });
      });
      child.once('close', (code, signal) => {
        rmSync(tmpDir, { recursive: true, force: true });
        resolveDone({ code, signal, stdout, stderr });
      });
    });
    return new LakehouseRun(child, logFile, tmpDir, done);
  }

  /** Stops a streaming job with a savepoint (SIGTERM), then waits for the JVM. */
  async stop(): Promise<RunOutcome> {
    this.#child.kill('SIGTERM');
    return this.done;
  }

  /** kill -9: no savepoint; the next run resumes from the last checkpoint. */
  async kill(): Promise<RunOutcome> {
    this.#child.kill('SIGKILL');
    const outcome = await this.done;
    rmSync(this.#tmpDir, { recursive: true, force: true });
    return outcome;
  }

  /** Flink's log for a failure message: its errors with their causes, then the last lines. */
  logTail(lines = 40): string {
    return logExcerpt(this.logFile, lines, FLINK_LOG_ENTRY);
  }
}

/** Runs a job to its end (batch, bounded or stopped after stopAfterMs); throws with the reason when it fails. */
export async function runLakehouse(options: LakehouseRunOptions): Promise<RunOutcome> {
  const run = await LakehouseRun.start(options);
  const outcome = await run.done;
  if (outcome.code !== 0) {
    throw new Error(
      `lakehouse ${options.files ? 'SQL' : options.job} (${options.mode ?? 'streaming'}) exited with ${outcome.code ?? outcome.signal}\n` +
        `${outcome.stderr.trim()}\n-- ${run.logFile}:\n${run.logTail()}`,
    );
  }
  return outcome;
}

/** Rows of a query over the lakehouse tables (batch), one object per row. */
export async function queryLakehouse(
  sql: string,
  options: { warehouse: string; stateDir: string; heapMb?: number },
): Promise<Record<string, unknown>[]> {
  mkdirSync(options.stateDir, { recursive: true });
  const dir = mkdtempSync(join(resolve(options.stateDir), 'query-'));
  try {
    const file = join(dir, 'query.sql');
    writeFileSync(file, sql);
    const { stdout } = await runLakehouse({
      job: 'events',
      mode: 'batch',
      brokers: 'unused:9092',
      eventTopics: ['unused'],
      warehouse: options.warehouse,
      stateDir: dir,
      heapMb: options.heapMb ?? 512,
      files: [file],
    });
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

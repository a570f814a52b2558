/**
 * A real single-node Apache Kafka (KRaft mode) for development and tests,
 * built from Maven Central jars; needs Java 17+ and Maven, no Docker. Tests
 * can add broker-only nodes that join its quorum (`controllerQuorum`) to form
 * a small cluster.
 *
 *   node scripts/kafka-broker.ts fetch                  download the jars only
 *   node scripts/kafka-broker.ts start [--port N] [--data-dir D] [--heap-mb M] [--sasl]
 *                                                       run in the foreground; prints
 *                                                       KAFKA_BROKERS=127.0.0.1:PORT when ready;
 *                                                       --sasl: SASL users (PLAIN, SCRAM) and ACLs
 *                                                       (scripts/kafka/auth.ts)
 *                                                       [--tls | --mtls]: a TLS listener (SSL,
 *                                                       or SASL_SSL with --sasl) with a fresh
 *                                                       test CA; --mtls requires client
 *                                                       certificates (scripts/kafka/tls.ts)
 *
 * Lifetime of the JVM. It must not outlive the Node process that started it:
 *  - when that process exits without having stopped it (including on an
 *    uncaught exception), a process 'exit' listener SIGKILLs it and removes a
 *    temporary data dir;
 *  - on Linux the JVM is started through util-linux `setpriv --pdeathsig TERM`,
 *    so the kernel stops it even when Node dies by SIGKILL or an unhandled signal.
 * Limits: without setpriv (non-Linux) a Node process killed by a signal leaves
 * the JVM running, and its temporary data dir stays behind in any case where
 * the 'exit' listener cannot run. The parent-death signal is tied to the thread
 * that spawned the JVM, so start brokers from the main thread, not a worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { parseArgs } from 'node:util';
import { type BrokerAuth, defaultAuth, scramFormatArgs } from './kafka/auth.ts';
import { isFormatted, layout, newClusterId, readClusterId, readPorts, writePorts } from './kafka/data-dir.ts';
import { ensureKafkaJars, KAFKA_VERSION } from './kafka/jars.ts';
import { formatStorage, hasSetpriv, javaBin, jvmArgs } from './kafka/java.ts';
import { logExcerpt, tail } from './kafka/log-excerpt.ts';
import { freePort } from './kafka/net.ts';
import { type Exit, waitUntilReady } from './kafka/ready.ts';
import { renderServerProperties } from './kafka/server-properties.ts';
import { type BrokerTls, brokerTls, writeKeyStore } from './kafka/tls.ts';

export { type BrokerAuth, type BrokerTls, defaultAuth, ensureKafkaJars, KAFKA_VERSION };

export interface KafkaBrokerOptions {
  /** Kept as it is on stop(). Without one, a fresh temporary dir is used and removed on stop(). */
  dataDir?: string;
  /** Client port; default: the one this data dir last used, else a free one. */
  port?: number;
  /** KRaft controller port; same default rule as `port`. */
  controllerPort?: number;
  /**
   * The port clients are told to use (advertised listener), e.g. a proxy in
   * front of the broker that a test can cut; default the client port.
   */
  advertisedPort?: number;
  /** Maximum JVM heap in MB; default 512. */
  heapMb?: number;
  /** How long start() and restart() wait for the broker to answer; default 90 s. */
  startTimeoutMs?: number;
  /**
   * SASL (PLAIN, SCRAM-SHA-256/512) on the client port and the ACL authorizer (StandardAuthorizer):
   * only the admin may do anything until ACLs are granted. Default: no auth.
   */
  auth?: BrokerAuth;
  /**
   * TLS on the client port (SSL, or SASL_SSL with `auth`), optionally requiring
   * client certificates; the controller port stays plaintext. Default: no TLS.
   */
  tls?: BrokerTls;
  /** KRaft node id; default 1. Nodes of one cluster need distinct ids. */
  nodeId?: number;
  /**
   * "host:port" of a running node's controller (its `controllerQuorum`): this
   * node is then a broker only and joins that cluster; pass its `clusterId` too.
   * Default: a single node that is its own controller.
   */
  controllerQuorum?: string;
  /** The cluster id a fresh data dir is formatted with; default a new one. */
  clusterId?: string;
}

const DEFAULT_HEAP_MB = 512;
const DEFAULT_START_TIMEOUT_MS = 90_000;
// A clean shutdown of a single node takes a few seconds; past this it is stuck.
const STOP_GRACE_MS = 20_000;

// One 'exit' listener for every live broker in this process: at exit nothing
// asynchronous runs any more, so each JVM gets a signal and temporary data is
// removed synchronously.
const live = new Set<KafkaBroker>();
let exitHookInstalled = false;
function trackLive(broker: KafkaBroker, alive: boolean): void {
  if (alive) live.add(broker);
  else live.delete(broker);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const each of live) each.abandon();
    });
  }
}

async function pickPorts(options: KafkaBrokerOptions, dataDir: string) {
  const remembered = readPorts(dataDir);
  const port = options.port ?? remembered?.port ?? (await freePort());
  let controllerPort = options.controllerPort ?? remembered?.controllerPort ?? (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  return { port, controllerPort };
}

export class KafkaBroker {
  /** Bootstrap address for clients, "127.0.0.1:PORT". */
  readonly brokers: string;
  readonly dataDir: string;
  readonly port: number;
  /** This node's KRaft controller port; picked but unused by a broker-only node. */
  readonly controllerPort: number;
  readonly nodeId: number;
  readonly #advertisedPort: number;
  /** The broker's Log4j output; the first place to look when something is off. */
  readonly logFile: string;
  /** The users when started with `auth`; clients then need SASL (PLAIN or SCRAM). */
  readonly auth: BrokerAuth | undefined;
  /** The certificates when started with `tls`; clients then need the CA (and a certificate for mutual TLS). */
  readonly tls: BrokerTls | undefined;
  readonly #libs: string;
  readonly #heapMb: number;
  readonly #startTimeoutMs: number;
  readonly #temporary: boolean;
  readonly #controllerQuorum: string | undefined;
  readonly #clusterId: string | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> | undefined;
  #removed = false;

  private constructor(
    libs: string,
    dataDir: string,
    temporary: boolean,
    ports: { port: number; controllerPort: number },
    options: KafkaBrokerOptions,
  ) {
    this.#libs = libs;
    this.dataDir = dataDir;
    this.#temporary = temporary;
    this.port = ports.port;
    this.controllerPort = ports.controllerPort;
    this.#advertisedPort = options.advertisedPort ?? ports.port;
    this.brokers = `127.0.0.1:${this.#advertisedPort}`;
    this.logFile = layout(dataDir).serverLog;
    this.#heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
    this.#startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.auth = options.auth;
    this.tls = options.tls;
    this.nodeId = options.nodeId ?? 1;
    this.#controllerQuorum = options.controllerQuorum;
    this.#clusterId = options.clusterId;
  }

  /** Where other nodes reach this cluster's controller quorum, for their `controllerQuorum`. */
  get controllerQuorum(): string {
    return this.#controllerQuorum ?? `127.0.0.1:${this.controllerPort}`;
  }

  /** The id the data dir was formatted with, for other nodes joining this cluster. */
  get clusterId(): string | undefined {
    return readClusterId(layout(this.dataDir));
  }

  /** Fetches the jars if needed, formats a new data dir, starts the broker and waits until it answers. */
  static async start(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const libs = await ensureKafkaJars();
    const temporary = options.dataDir === undefined;
    const dataDir =
      options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'kafka-broker-')) : resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const broker = new KafkaBroker(libs, dataDir, temporary, await pickPorts(options, dataDir), options);
    try {
      await broker.#launch();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  /** True while the JVM is alive (it may still be starting or stopping). */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The JVM's process id while it runs, e.g. to measure it or to freeze it with SIGSTOP. */
  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  /** Graceful shutdown (SIGTERM, then SIGKILL after 20 s); removes a temporary data dir. */
  async stop(): Promise<void> {
    await this.#halt('SIGTERM');
    if (this.#temporary && !this.#removed) {
      this.#removed = true;
      rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }

  /** SIGKILL, as a crash would; data stays so restart() can recover from it. */
  async kill(): Promise<void> {
    await this.#halt('SIGKILL');
  }

  /** Starts again on the same ports and data dir, stopping first if still running. */
  async restart(): Promise<void> {
    if (this.#removed) {
      throw new Error(
        'restart() after stop() of a broker with a temporary data dir: stop() removed the data. ' +
          'Use kill() before restart(), or pass a dataDir to start() to keep data across stop().',
      );
    }
    await this.#halt('SIGTERM');
    await this.#launch();
  }

  /** Synchronous last resort for process exit: signal the JVM, drop temporary data. Prefer stop(). */
  abandon(): void {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    this.#exited = undefined;
    // SIGKILL even for a kept dir: the caller may delete it right after this
    // returns, and Kafka recovers an unclean shutdown on its next start anyway.
    child.kill('SIGKILL');
    if (this.#temporary && !this.#removed) {
      this.#removed = true;
      rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
    live.delete(this);
  }

  async #launch(): Promise<void> {
    const dirs = layout(this.dataDir);
    mkdirSync(dirs.logDir, { recursive: true });
    mkdirSync(dirs.logsDir, { recursive: true });
    const keyStoreFile = join(this.dataDir, 'keystore.pem');
    if (this.tls) writeKeyStore(this.tls, keyStoreFile);
    writeFileSync(
      dirs.configFile,
      renderServerProperties({
        port: this.port,
        advertisedPort: this.#advertisedPort,
        controllerPort: this.controllerPort,
        nodeId: this.nodeId,
        ...(this.#controllerQuorum ? { controllerQuorum: this.#controllerQuorum } : {}),
        logDir: dirs.logDir,
        ...(this.auth ? { auth: this.auth } : {}),
        ...(this.tls ? { tls: { settings: this.tls, keyStoreFile } } : {}),
      }),
    );
    const jvm = { libs: this.#libs, logsDir: dirs.logsDir, heapMb: this.#heapMb };
    if (!isFormatted(dirs)) {
      const scram = this.auth ? scramFormatArgs(this.auth) : [];
      const clusterId = this.#clusterId ?? newClusterId();
      await formatStorage(jvm, dirs.configFile, clusterId, scram, this.#controllerQuorum !== undefined);
    }
    writePorts(this.dataDir, { port: this.port, controllerPort: this.controllerPort });

    const java = [javaBin(), ...jvmArgs(jvm), 'kafka.Kafka', dirs.configFile];
    const [command = 'java', ...args] = hasSetpriv()
      ? ['setpriv', '--pdeathsig', 'TERM', '--', ...java]
      : java;
    // The JVM writes straight to a file: no pipe for Node to drain, and nothing
    // that keeps a test process alive after its tests are done.
    const out = openSync(dirs.stdoutLog, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: this.dataDir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.#child = child;
    this.#exited = new Promise((settle) => {
      child.once('exit', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => settle({ code: null, signal: null, error }));
    });
    child.unref();
    trackLive(this, true);

    try {
      await waitUntilReady(
        this.brokers,
        this.#exited,
        this.#startTimeoutMs,
        this.auth?.admin,
        this.tls ? probeTls(this.tls) : undefined,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.#halt('SIGKILL');
      throw new Error(
        `Kafka ${KAFKA_VERSION} broker in ${this.dataDir} did not start: ${reason}\n` +
          `--- ${dirs.serverLog} ---\n${logExcerpt(dirs.serverLog)}\n` +
          `--- ${dirs.stdoutLog} (last lines) ---\n${tail(dirs.stdoutLog, 20)}`,
      );
    }
  }

  async #halt(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    // Waiting for an unref'd child would let an otherwise idle process exit mid-stop.
    child.ref();
    if (this.running) child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(escalate);
    }
    this.#child = undefined;
    this.#exited = undefined;
    trackLive(this, false);
  }
}

/** The probe trusts the test CA and presents the admin certificate, which mutual TLS requires. */
function probeTls(tls: BrokerTls): ConnectionOptions {
  return {
    ca: readFileSync(tls.probe.caFile),
    cert: readFileSync(tls.probe.certFile),
    key: readFileSync(tls.probe.keyFile),
  };
}

const USAGE = `usage:
  node scripts/kafka-broker.ts fetch
  node scripts/kafka-broker.ts start [--port N] [--data-dir DIR] [--heap-mb M] [--sasl] [--tls | --mtls]`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  }
  return parsed;
}

async function runForeground(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'heap-mb': { type: 'string' },
      sasl: { type: 'boolean' },
      tls: { type: 'boolean' },
      mtls: { type: 'boolean' },
    },
  });
  const dataDir = values['data-dir'];
  // The test CA outlives a temporary broker, so clients can still be pointed at it.
  const pkiDir = () => (dataDir ? join(dataDir, 'pki') : mkdtempSync(join(tmpdir(), 'kafka-pki-')));
  const tls = values.tls || values.mtls ? brokerTls(pkiDir(), values.mtls ? 'required' : 'none') : undefined;
  const broker = await KafkaBroker.start({
    dataDir,
    port: positiveInt('port', values.port),
    heapMb: positiveInt('heap-mb', values['heap-mb']),
    ...(values.sasl ? { auth: defaultAuth() } : {}),
    ...(tls ? { tls } : {}),
  });
  process.stdout.write(`KAFKA_BROKERS=${broker.brokers}\n`);
  if (broker.auth) {
    const users = [broker.auth.admin, ...broker.auth.users].map(
      (user) => `${user.username}/${user.password}`,
    );
    process.stderr.write(
      `kafka: SASL users (PLAIN, SCRAM-SHA-256/512) ${users.join(', ')} (admin is a super user; others need ACLs)\n`,
    );
  }
  if (broker.tls) {
    const { probe, clientAuth } = broker.tls;
    process.stderr.write(
      `kafka: TLS with CA ${probe.caFile}` +
        (clientAuth === 'required'
          ? `; client certificates required, e.g. ${probe.certFile} + ${probe.keyFile}\n`
          : '\n'),
    );
  }
  process.stderr.write(`kafka: data in ${broker.dataDir}, log ${broker.logFile}; Ctrl-C stops it\n`);

  let watch: NodeJS.Timeout | undefined;
  const reason = await new Promise<string | undefined>((settle) => {
    // Also what keeps this process alive: signal listeners and the unref'd JVM do not.
    watch = setInterval(() => {
      if (!broker.running) settle(`the broker exited on its own; see ${broker.logFile}`);
    }, 1000);
    process.once('SIGINT', () => settle(undefined));
    process.once('SIGTERM', () => settle(undefined));
  });
  clearInterval(watch);
  if (reason) {
    process.stderr.write(`kafka: ${reason}\n`);
    process.exitCode = 1;
  }
  await broker.stop();
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'fetch') {
    const started = Date.now();
    const libs = await ensureKafkaJars();
    process.stdout.write(`${libs}\n`);
    process.stderr.write(`kafka: jars for Kafka ${KAFKA_VERSION} ready in ${Date.now() - started} ms\n`);
  } else if (command === 'start') {
    await runForeground(rest);
  } else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

/**
 * The lakehouse end of the demo (`scripts/demo.sh --lakehouse`): the Flink
 * events job lands the demo's topics in lake.iiot.alarm_events as they fill,
 * a pyiceberg read summarises the table every few seconds, and at the end the
 * job stops with a savepoint, the KPI job runs and the alarm performance
 * report is written. Everything lives under var/demo/lakehouse/, fresh at
 * every start, as the demo's buffer is.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { tableLine } from './demo-lakehouse-table.ts';
import { javaBin } from './kafka/java.ts';
import { ensureLakehouseClasspath } from './lakehouse/classpath.ts';
import { ensureReaderPython } from './lakehouse/python.ts';
import { writeReport } from './lakehouse/report/write-report.ts';
import { LakehouseRun, type RunOutcome, runLakehouse } from './lakehouse/run.ts';
import { siteTopics } from './lakehouse/site-topics.ts';

const CHECKPOINT_MS = 5000;
const POLL_MS = 5000;

function say(line: string): void {
  console.log(`lakehouse: ${line}`);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export class DemoLakehouse {
  readonly #dir: string;
  readonly #brokers: string;
  readonly #topics: ReturnType<typeof siteTopics>;
  readonly #groupId = `demo-lakehouse-${Date.now()}`;
  readonly #reader: boolean;
  #run: LakehouseRun | undefined;
  #starting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #stopped = false;

  private constructor(dir: string, brokers: string, siteFile: string, reader: boolean) {
    this.#dir = dir;
    this.#brokers = brokers;
    this.#topics = siteTopics(siteFile);
    this.#reader = reader;
  }

  get #warehouse(): string {
    return join(this.#dir, 'warehouse');
  }

  /**
   * Checks for Java and the Flink jars (Maven fetches them once), starts
   * afresh and points the job at the topics' ends, so it lands this demo's
   * events only. Call before the gateway ships anything. Undefined, with the
   * reason printed, when the lakehouse cannot run here.
   */
  static async prepare(siteFile: string, brokers: string, dir: string): Promise<DemoLakehouse | undefined> {
    try {
      execFileSync(javaBin(), ['-version'], { stdio: 'ignore' });
      say('preparing Flink (the jars come from Maven Central on first use, about 220 MB) …');
      await ensureLakehouseClasspath();
    } catch (error) {
      say(`not available: it needs Java 17+ and Maven (${firstLine(error)}); running the plain demo`);
      return undefined;
    }
    let reader = true;
    try {
      await ensureReaderPython();
    } catch (error) {
      say(`no pyiceberg reader (${firstLine(error)}); the table fills all the same, the report shows it`);
      reader = false;
    }
    for (const sub of ['warehouse', 'events', 'kpis', 'report.html']) {
      rmSync(join(dir, sub), { recursive: true, force: true });
    }
    const lakehouse = new DemoLakehouse(resolve(dir), brokers, siteFile, reader);
    try {
      await lakehouse.#skipEarlierEvents();
    } catch (error) {
      say(`not available: the broker did not answer (${firstLine(error)}); running the plain demo`);
      return undefined;
    }
    return lakehouse;
  }

  /** On a broker of one's own (KAFKA_BROKERS) the topics may hold earlier runs' events. */
  async #skipEarlierEvents(): Promise<void> {
    await this.#withAdmin(async (admin) => {
      const existing = await admin.listTopics();
      for (const topic of this.#topics.eventTopics.filter((each) => existing.includes(each))) {
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = ends.map(({ partition, high }) => ({ partition, offset: high }));
        await admin.setOffsets({ groupId: this.#groupId, topic, partitions });
      }
    });
  }

  /** Starts the events job once the gateway has created its topics, then the table summaries. */
  start(): void {
    this.#starting = this.#startJob().catch((error: unknown) => {
      say(`the events job did not start: ${firstLine(error)}`);
    });
  }

  async #startJob(): Promise<void> {
    await this.#withAdmin(async (admin) => {
      const missing = async () => {
        const existing = await admin.listTopics();
        return this.#topics.eventTopics.some((topic) => !existing.includes(topic));
      };
      while (!this.#stopped && (await missing())) await sleep(500);
    });
    if (this.#stopped) return;
    say(`starting the Flink events job (streaming, a commit every ${CHECKPOINT_MS / 1000} s) …`);
    const run = await LakehouseRun.start({ ...this.#job(), checkpointMs: CHECKPOINT_MS, fresh: true });
    this.#run = run;
    void run.done.then((outcome) => {
      if (!this.#stopped)
        say(`the events job exited (${outcome.code ?? outcome.signal}); see ${run.logFile}`);
    });
    if (this.#reader) this.#timer = setTimeout(() => this.#poll(), POLL_MS);
  }

  #job() {
    return {
      job: 'events',
      brokers: this.#brokers,
      eventTopics: this.#topics.eventTopics,
      warehouse: this.#warehouse,
      stateDir: join(this.#dir, 'events'),
      groupId: this.#groupId,
      echo: true,
    } as const;
  }

  #poll(): void {
    this.#reading = tableLine(this.#warehouse).then((line) => {
      if (this.#stopped) return;
      say(line);
      this.#timer = setTimeout(() => this.#poll(), POLL_MS);
    });
  }

  /** Stops the job with a savepoint (its last rows committed) and prints the final row count. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#starting;
    await this.#reading;
    if (!this.#run) return;
    say('stopping the events job with a savepoint …');
    this.#ended('events job', await this.#run.stop(), this.#run.logFile);
    if (this.#reader) say(`final: ${await tableLine(this.#warehouse)}`);
  }

  #ended(what: string, outcome: RunOutcome, logFile: string): void {
    if (outcome.code === 0) return;
    say(`the ${what} ended with ${outcome.code ?? outcome.signal}; see ${logFile}`);
    process.exitCode = 1;
  }

  /** The KPI tables (a batch job) and the alarm performance report; prints the report's path. */
  async report(): Promise<void> {
    if (!this.#run) return;
    try {
      say('computing the KPI tables (batch) …');
      await runLakehouse({
        job: 'kpis',
        mode: 'batch',
        brokers: this.#brokers,
        eventTopics: this.#topics.eventTopics,
        warehouse: this.#warehouse,
        stateDir: join(this.#dir, 'kpis'),
      });
      say('writing the report …');
      const file = await writeReport({
        warehouse: this.#warehouse,
        stateDir: this.#dir,
        out: join(this.#dir, 'report.html'),
      });
      say(`report ${file}`);
      const warehouse = relative(process.cwd(), this.#warehouse);
      say(`query it: node scripts/lakehouse.ts query "SELECT ..." --warehouse ${warehouse}`);
    } catch (error) {
      say(`the report failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }

  async #withAdmin(use: (admin: ReturnType<Kafka['admin']>) => Promise<void>): Promise<void> {
    const kafka = new Kafka({
      clientId: 'demo-lakehouse',
      brokers: this.#brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await use(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

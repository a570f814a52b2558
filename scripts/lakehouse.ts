/**
 * The lakehouse end of the pipeline: Flink SQL jobs (lakehouse/sql/) that land
 * the gateway's topics in Iceberg tables, run on a local Flink (an embedded
 * mini-cluster) or submitted to a Flink cluster. Needs Java 17+ and Maven; the
 * jars come from Maven Central into a cache outside the repository.
 *
 *   node scripts/lakehouse.ts fetch                     download the jars, compile the launcher,
 *                                                       install the pyiceberg reader's virtualenv
 *   node scripts/lakehouse.ts run JOB [options]         JOB: events | state (streaming or --batch),
 *                                                       kpis | compact (batch)
 *     --config FILE        the gateway's site file: brokers, event topics and state topic from it
 *     --brokers B --topics T1,T2 --state-topic T      or given one by one
 *     --batch              a bounded backfill: the topics from earliest to latest offset
 *     --bounded            streaming, but stop at the offsets that were the latest at the start
 *     --warehouse DIR      Iceberg warehouse (default var/lakehouse/warehouse)
 *     --state-dir DIR      checkpoints, savepoints and logs (default var/lakehouse/JOB)
 *     --jobmanager H:P     submit to a Flink cluster's REST endpoint instead of running locally
 *     --checkpoint-ms N    checkpoint and Iceberg commit interval (default 10000)
 *     --parallelism N --heap-mb N --stop-after-s N --fresh --var NAME=VALUE
 *     --every-s N          a batch job again every N seconds until stopped (kpis: KPI_SINCE
 *                          defaults to yesterday then)
 *   node scripts/lakehouse.ts query "SQL" [--warehouse DIR]
 *                                                       a batch query over the tables; JSON lines
 *   node scripts/lakehouse.ts cluster start [--task-managers N] [--slots N] [--dir DIR]
 *                                                       a standalone Flink session cluster on loopback;
 *                                                       prints FLINK_REST=127.0.0.1:PORT for --jobmanager
 *   node scripts/lakehouse.ts report [--warehouse DIR] [--site S] [--from DAY] [--to DAY] [--out FILE]
 *                                                       the alarm performance report (one HTML file) from
 *                                                       the KPI tables; DAY: YYYY-MM-DD; default every site
 *                                                       and day, var/lakehouse/report.html
 */
import { parseArgs } from 'node:util';
import { ensureLakehouseClasspath } from './lakehouse/classpath.ts';
import { clusterCommand } from './lakehouse/cluster.ts';
import { isJobName, JOB_NAMES, readsKafka } from './lakehouse/jobs.ts';
import { ensureReaderPython } from './lakehouse/python.ts';
import { writeReport } from './lakehouse/report/write-report.ts';
import { LakehouseRun, type LakehouseRunOptions, queryLakehouse } from './lakehouse/run.ts';
import { siteTopics } from './lakehouse/site-topics.ts';

const DEFAULT_WAREHOUSE = 'var/lakehouse/warehouse';

function usage(message: string): never {
  process.stderr.write(`lakehouse: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // Its own options (scripts/lakehouse/cluster.ts), parsed there.
  if (process.argv[2] === 'cluster') return clusterCommand(process.argv.slice(3));
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      brokers: { type: 'string' },
      topics: { type: 'string' },
      'state-topic': { type: 'string' },
      batch: { type: 'boolean', default: false },
      bounded: { type: 'boolean', default: false },
      warehouse: { type: 'string', default: DEFAULT_WAREHOUSE },
      'state-dir': { type: 'string' },
      jobmanager: { type: 'string' },
      'checkpoint-ms': { type: 'string' },
      parallelism: { type: 'string' },
      'heap-mb': { type: 'string' },
      'stop-after-s': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'every-s': { type: 'string' },
      var: { type: 'string', multiple: true, default: [] },
      site: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (command === 'fetch') {
    const { libs, classes } = await ensureLakehouseClasspath();
    process.stdout.write(`jars: ${libs}\nlauncher: ${classes}\n`);
    process.stdout.write(`reader: ${await ensureReaderPython()}\n`);
    return;
  }
  if (command === 'query') {
    const sql = rest.join(' ');
    if (!sql) usage('query needs a SQL statement');
    const rows = await queryLakehouse(sql.trim().endsWith(';') ? sql : `${sql};`, {
      warehouse: values.warehouse,
      stateDir: 'var/lakehouse',
    });
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  if (command === 'report') {
    const file = await writeReport({
      warehouse: values.warehouse,
      stateDir: values['state-dir'] ?? 'var/lakehouse',
      site: values.site,
      from: values.from,
      to: values.to,
      out: values.out,
    });
    process.stdout.write(`${file}\n`);
    return;
  }
  if (command !== 'run') usage('usage: lakehouse.ts fetch | run JOB [options] | query SQL | cluster start');
  const [job] = rest;
  if (!job || !isJobName(job)) usage(`run needs a job: ${JOB_NAMES.join(', ')}`);

  const mode = values.batch ? 'batch' : 'streaming';
  const fromSite = values.config ? siteTopics(values.config) : undefined;
  const brokers =
    values.brokers ??
    process.env.KAFKA_BROKERS ??
    fromSite?.brokers ??
    (readsKafka(job, mode) ? usage('no broker: give --config, --brokers or KAFKA_BROKERS') : 'unused:9092');
  const eventTopics = values.topics?.split(',') ?? fromSite?.eventTopics ?? ['iiot.alarms.v1'];
  const vars = Object.fromEntries(
    values.var.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) usage(`--var needs NAME=VALUE, not ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const stopAfterS = number(values['stop-after-s']);
  const everyS = number(values['every-s']);
  if (everyS !== undefined && (mode !== 'batch' || !(everyS > 0)))
    usage('--every-s needs --batch and a number > 0');
  const stateTopic = values['state-topic'] ?? fromSite?.stateTopic;
  const options = {
    job,
    mode,
    brokers,
    eventTopics,
    ...(stateTopic ? { stateTopic } : {}),
    warehouse: values.warehouse,
    stateDir: values['state-dir'] ?? `var/lakehouse/${job}`,
    bounded: values.bounded,
    fresh: values.fresh,
    echo: true,
    vars,
    ...(values.jobmanager ? { jobmanager: values.jobmanager } : {}),
    ...(values['checkpoint-ms'] ? { checkpointMs: Number(values['checkpoint-ms']) } : {}),
    ...(values.parallelism ? { parallelism: Number(values.parallelism) } : {}),
    ...(values['heap-mb'] ? { heapMb: Number(values['heap-mb']) } : {}),
    ...(stopAfterS ? { stopAfterMs: stopAfterS * 1000 } : {}),
  } satisfies LakehouseRunOptions;

  let run: LakehouseRun | undefined;
  let stopping = false;
  // Ctrl-C or systemd's stop: the launcher stops a streaming job with a savepoint.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      void run?.stop();
    });
  }
  do {
    // Repeated KPI runs recompute yesterday and today unless told otherwise: late events land there.
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const repeatVars: Record<string, string> =
      everyS && job === 'kpis' && !('KPI_SINCE' in vars) ? { KPI_SINCE: since } : {};
    run = await LakehouseRun.start({ ...options, vars: { ...vars, ...repeatVars } });
    const outcome = await run.done;
    process.stdout.write(outcome.stdout);
    if (outcome.code !== 0) {
      process.stderr.write(`-- ${run.logFile}:\n${run.logTail()}\n`);
      process.exitCode = 1;
    }
    if (everyS && !stopping) await new Promise((resolve) => setTimeout(resolve, everyS * 1000));
  } while (everyS && !stopping);
}

main().catch((error: unknown) => {
  process.stderr.write(`lakehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * How the broker's JVMs are launched: which java, which flags, and the one-off
 * storage format that has to run before the first start of a data directory.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOG4J_CONFIG = fileURLToPath(new URL('./log4j2.yaml', import.meta.url));
const FORMAT_TIMEOUT_MS = 60_000;

export function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface JvmInput {
  libs: string;
  logsDir: string;
  heapMb: number;
}

/**
 * Flags chosen for a quick start on a small (2-core) machine: the client
 * compiler only and the serial collector keep JIT and GC threads from competing
 * with the broker's own start-up work; throughput does not matter here.
 */
export function jvmArgs({ libs, logsDir, heapMb }: JvmInput): string[] {
  return [
    `-Xms${Math.min(64, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    // No hsperfdata file in /tmp for every test broker.
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    `-Dkafka.logs.dir=${logsDir}`,
    '-cp',
    join(libs, '*'),
  ];
}

/** Whether util-linux setpriv can tie the JVM's life to ours (Linux only). */
let setprivChecked: boolean | undefined;
export function hasSetpriv(): boolean {
  if (setprivChecked === undefined) {
    try {
      execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
      setprivChecked = true;
    } catch {
      setprivChecked = false;
    }
  }
  return setprivChecked;
}

/**
 * Writes meta.properties into a fresh log dir: for a controller, also the
 * single-voter quorum (`--standalone`); a broker-only node joining an existing
 * quorum records no controllers (`--no-initial-controllers`), only the cluster id.
 */
export function formatStorage(
  jvm: JvmInput,
  configFile: string,
  clusterId: string,
  /** More format arguments, e.g. SCRAM users (`--add-scram …`). */
  extra: readonly string[] = [],
  brokerOnly = false,
): Promise<void> {
  const args = [
    ...jvmArgs(jvm),
    'kafka.tools.StorageTool',
    'format',
    brokerOnly ? '--no-initial-controllers' : '--standalone',
    '--cluster-id',
    clusterId,
    '--config',
    configFile,
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    execFile(javaBin(), args, { timeout: FORMAT_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const why = missing
        ? `${javaBin()} not found; the Kafka 4 broker needs Java 17 or newer (set JAVA_HOME or PATH)`
        : `formatting Kafka storage failed (${error.message.split('\n')[0]})`;
      reject(new Error(`${why}\n${stdout}${stderr}`.trimEnd()));
    });
  });
}

/**
 * Fetches an Apache Kafka broker classpath from Maven Central into a cache
 * outside the repository, so no jar is ever committed and a second run is free.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** GATEWAY_KAFKA_VERSION lets a developer try another 4.x broker without editing code. */
export const KAFKA_VERSION = process.env.GATEWAY_KAFKA_VERSION || '4.1.1';

const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));
const MARKER = '.complete';
const MAVEN_TIMEOUT_MS = 10 * 60_000;

/** Same default as scripts/env.sh, for callers that did not source it. */
export function toolsDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return process.env.GATEWAY_TOOLS_DIR || join(cache, 'alarm-gateway');
}

export function kafkaLibsDir(version = KAFKA_VERSION): string {
  return join(toolsDir(), `kafka-${version}`, 'libs');
}

// The marker names the version and the pom it was built from, so editing the
// pom (say, a logging backend bump) refreshes the cache instead of mixing jars.
function stamp(version: string): string {
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 16);
  return `kafka ${version} pom ${pomHash}\n`;
}

function isComplete(libs: string, expected: string): boolean {
  try {
    return readFileSync(join(libs, MARKER), 'utf8') === expected;
  } catch {
    return false;
  }
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'mvn',
      args,
      { timeout: MAVEN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const why = missing
          ? 'Maven (mvn) is not on PATH; install Maven 3.8+ to fetch the Kafka jars'
          : `mvn failed (${error.message.split('\n')[0]})`;
        reject(new Error(`${why}\n${stdout}${stderr}`.trimEnd()));
      },
    );
  });
}

/**
 * Returns the directory holding the broker jars, copying them from Maven
 * Central first when the cache lacks them. Safe to call from several processes
 * at once: each copies into its own staging directory and renames it into place.
 */
export async function ensureKafkaJars(version = KAFKA_VERSION): Promise<string> {
  const libs = kafkaLibsDir(version);
  const expected = stamp(version);
  if (isComplete(libs, expected)) return libs;

  mkdirSync(dirname(libs), { recursive: true });
  const staging = `${libs}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await runMaven([
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    if (!existsSync(join(staging, `kafka_2.13-${version}.jar`))) {
      throw new Error(`mvn finished but ${staging} holds no kafka_2.13-${version}.jar`);
    }
    writeFileSync(join(staging, MARKER), expected);
    // Another process may have finished first; its copy is as good as ours.
    if (isComplete(libs, expected)) return libs;
    rmSync(libs, { recursive: true, force: true });
    try {
      renameSync(staging, libs);
    } catch (error) {
      if (!isComplete(libs, expected)) throw error;
    }
    return libs;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

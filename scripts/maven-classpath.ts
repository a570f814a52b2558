/**
 * Fetches a Java classpath from Maven Central into a cache outside the
 * repository (the Kafka broker's, Flink's), so no jar is ever committed and a
 * second run is free. A pom in the repository lists what to fetch; the cache
 * is stamped with the pom's hash, so editing the pom refreshes it instead of
 * mixing jars.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const MARKER = '.complete';
const MAVEN_TIMEOUT_MS = 10 * 60_000;

/** Same default as scripts/env.sh, for callers that did not source it. */
export function toolsDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return process.env.GATEWAY_TOOLS_DIR || join(cache, 'alarm-gateway');
}

export interface ClasspathSpec {
  /** What is fetched, for messages and the stamp ("kafka 4.1.1"). */
  name: string;
  pom: string;
  /** Where the jars go; replaced as a whole when the stamp changes. */
  libs: string;
  /** Extra Maven arguments, e.g. `-Dkafka.version=4.1.1`. */
  mavenArgs?: readonly string[];
  /** A jar that must be there after the copy: proves Maven resolved the main artifact. */
  expectJar: string;
}

function stamp(spec: ClasspathSpec): string {
  const pomHash = createHash('sha256').update(readFileSync(spec.pom)).digest('hex').slice(0, 16);
  return `${spec.name} pom ${pomHash} ${(spec.mavenArgs ?? []).join(' ')}\n`;
}

function isComplete(libs: string, expected: string): boolean {
  try {
    return readFileSync(join(libs, MARKER), 'utf8') === expected;
  } catch {
    return false;
  }
}

function runMaven(name: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'mvn',
      args,
      { timeout: MAVEN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const why = missing
          ? `Maven (mvn) is not on PATH; install Maven 3.8+ to fetch the ${name} jars`
          : `mvn failed (${error.message.split('\n')[0]})`;
        reject(new Error(`${why}\n${stdout}${stderr}`.trimEnd()));
      },
    );
  });
}

/**
 * Returns the directory holding the jars, copying them from Maven Central
 * first when the cache lacks them. Safe to call from several processes at
 * once: each copies into its own staging directory and renames it into place.
 */
export async function ensureClasspath(spec: ClasspathSpec): Promise<string> {
  const { libs } = spec;
  const expected = stamp(spec);
  if (isComplete(libs, expected)) return libs;

  mkdirSync(dirname(libs), { recursive: true });
  const staging = `${libs}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await runMaven(spec.name, [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      spec.pom,
      'dependency:copy-dependencies',
      ...(spec.mavenArgs ?? []),
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    if (!existsSync(join(staging, spec.expectJar))) {
      throw new Error(`mvn finished but ${staging} holds no ${spec.expectJar}`);
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

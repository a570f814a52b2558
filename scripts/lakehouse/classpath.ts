/**
 * The lakehouse jobs' classpath: Flink, its Kafka connector and Iceberg from
 * Maven Central (lakehouse/pom.xml, cached outside the repository), and the
 * SQL launcher compiled against them once per version of its source.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClasspath, toolsDir } from '../maven-classpath.ts';

export const FLINK_VERSION = '1.20.3';
const POM = fileURLToPath(new URL('../../lakehouse/pom.xml', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../../lakehouse/launcher/RunSql.java', import.meta.url));
export const LAUNCHER_CLASS = 'RunSql';

export interface LakehouseClasspath {
  /** Directory of every jar the jobs need. */
  libs: string;
  /** Directory of the compiled launcher. */
  classes: string;
}

function javac(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
}

async function compileLauncher(libs: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(LAUNCHER)).digest('hex').slice(0, 12);
  const classes = join(toolsDir(), `flink-${FLINK_VERSION}`, `launcher-${hash}`);
  if (existsSync(join(classes, `${LAUNCHER_CLASS}.class`))) return classes;
  const staging = `${classes}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        javac(),
        ['-nowarn', '-cp', join(libs, '*'), '-d', staging, LAUNCHER],
        { timeout: 120_000 },
        (error, stdout, stderr) => {
          if (!error) return resolve();
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          const why = missing
            ? `${javac()} not found; the lakehouse jobs need a Java 17+ JDK (set JAVA_HOME or PATH)`
            : 'compiling the lakehouse launcher failed';
          reject(new Error(`${why}\n${stdout}${stderr}`.trimEnd()));
        },
      );
    });
    try {
      renameSync(staging, classes);
    } catch (error) {
      if (!existsSync(join(classes, `${LAUNCHER_CLASS}.class`))) throw error;
    }
    return classes;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Fetches the jars (about 220 MB, once) and compiles the launcher when needed. */
export async function ensureLakehouseClasspath(): Promise<LakehouseClasspath> {
  const libs = await ensureClasspath({
    name: `flink ${FLINK_VERSION}`,
    pom: POM,
    libs: join(toolsDir(), `flink-${FLINK_VERSION}`, 'libs'),
    expectJar: `flink-table-runtime-${FLINK_VERSION}.jar`,
  });
  return { libs, classes: await compileLauncher(libs) };
}

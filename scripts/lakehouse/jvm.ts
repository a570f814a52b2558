/**
 * How the lakehouse JVMs are launched: the flags Java 17 needs for Flink, the
 * heap, the log file and a temporary directory per run.
 */
import { fileURLToPath } from 'node:url';

const LOG4J_CONFIG = fileURLToPath(new URL('../../lakehouse/log4j2.properties', import.meta.url));

/**
 * Flink's own list for Java 17 (env.java.opts.all in its config). Without
 * java.util open, Kryo fails inside every checkpoint that holds Iceberg's
 * state and a streaming job restarts forever without committing a row.
 */
export const JAVA_17_FLAGS = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

export interface FlinkJvm {
  /** Classpath entries: `dir/*` for a directory of jars, a directory of classes as it is. */
  classpath: readonly string[];
  heapMb: number;
  logFile: string;
  /** Flink unpacks its RPC system (about 21 MB) here at every start: one per run, removed after. */
  tmpDir: string;
}

export function flinkJvmArgs({ classpath, heapMb, logFile, tmpDir }: FlinkJvm): string[] {
  return [
    `-Xmx${heapMb}m`,
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Djava.io.tmpdir=${tmpDir}`,
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    `-Dlakehouse.log.file=${logFile}`,
    ...JAVA_17_FLAGS,
    '-cp',
    classpath.join(':'),
  ];
}

/**
 * What a standalone Flink session cluster (scripts/lakehouse/cluster.ts) is
 * made of: the jars on its classpath, the memory of its JVMs and its
 * config.yaml. Pure functions, no processes.
 */

/**
 * The cluster's own classpath: what a Flink distribution's lib/ holds (the
 * runtime, clients, table runtime and planner loader, JSON format, file and
 * base connectors, their plain dependencies) and Log4j. Not the Kafka
 * connector (with kafka-clients, Guava and Jackson that only it needs),
 * Iceberg or Hadoop: a job brings those itself (pipeline.jars), as it must on
 * a real cluster.
 */
const CLUSTER_JARS = [
  /^flink-(?!connector-|sql-)[a-z0-9-]+-\d/,
  /^flink-connector-(base|files|datagen)-\d/,
  /^(log4j-api|log4j-core|log4j-slf4j-impl|slf4j-api)-\d/,
  /^commons-(cli|collections|compress|io|lang3|math3|text)-\d/,
  /^(chill-java|kryo|minlog|objenesis|snakeyaml-engine|icu4j|jsr305|javassist|lz4-java|async-profiler)-\d/,
];

/** The jars of `jars` (file names) a Flink cluster starts with. */
export function clusterJars(jars: readonly string[]): string[] {
  return jars.filter((jar) => jar.endsWith('.jar') && CLUSTER_JARS.some((pattern) => pattern.test(jar)));
}

export interface ProcessMemory {
  /** Flink's memory options for config.yaml. */
  conf: Record<string, string>;
  /** The JVM flags Flink's start scripts derive from them (heap, direct memory, metaspace). */
  jvm: string[];
}

const MB = (n: number) => `${n}m`;

/**
 * A JobManager of `processMb` in all: Flink's start scripts would derive the
 * heap from jobmanager.memory.process.size; started without them, the parts
 * are given explicitly and the JVM flags follow from them.
 */
export function jobManagerMemory(processMb: number): ProcessMemory {
  const metaspace = 128;
  const overhead = 64;
  const offHeap = 32;
  const heap = processMb - metaspace - overhead - offHeap;
  if (heap < 128) throw new Error(`a JobManager needs at least ${128 + metaspace + overhead + offHeap} MB`);
  return {
    conf: {
      'jobmanager.memory.process.size': MB(processMb),
      'jobmanager.memory.heap.size': MB(heap),
      'jobmanager.memory.off-heap.size': MB(offHeap),
      'jobmanager.memory.jvm-metaspace.size': MB(metaspace),
      'jobmanager.memory.jvm-overhead.min': MB(overhead),
      'jobmanager.memory.jvm-overhead.max': MB(overhead),
    },
    jvm: [`-Xms${heap}m`, `-Xmx${heap}m`, `-XX:MaxMetaspaceSize=${metaspace}m`],
  };
}

/**
 * A TaskManager of `processMb` in all. TaskManagerRunner needs every part of
 * its memory set explicitly (the start scripts compute them with
 * BashJavaUtils and pass them as -D options); these sum to `processMb`.
 * Streaming jobs on the heap state backend use no managed memory, batch
 * operators a little; the metaspace holds Flink and each job's Kafka, Iceberg
 * and Hadoop classes.
 */
export function taskManagerMemory(processMb: number, slots: number): ProcessMemory {
  const parts = {
    frameworkHeap: 64,
    frameworkOffHeap: 64,
    taskOffHeap: 0,
    network: 32,
    managed: 32,
    metaspace: 160,
    overhead: 48,
  };
  const fixed = Object.values(parts).reduce((sum, mb) => sum + mb, 0);
  const taskHeap = processMb - fixed;
  if (taskHeap < 64) throw new Error(`a TaskManager needs at least ${fixed + 64} MB`);
  const heap = parts.frameworkHeap + taskHeap;
  const direct = parts.frameworkOffHeap + parts.taskOffHeap + parts.network;
  return {
    conf: {
      'taskmanager.cpu.cores': String(slots),
      'taskmanager.memory.process.size': MB(processMb),
      'taskmanager.memory.framework.heap.size': MB(parts.frameworkHeap),
      'taskmanager.memory.task.heap.size': MB(taskHeap),
      'taskmanager.memory.framework.off-heap.size': MB(parts.frameworkOffHeap),
      'taskmanager.memory.task.off-heap.size': MB(parts.taskOffHeap),
      'taskmanager.memory.network.min': MB(parts.network),
      'taskmanager.memory.network.max': MB(parts.network),
      'taskmanager.memory.managed.size': MB(parts.managed),
      'taskmanager.memory.jvm-metaspace.size': MB(parts.metaspace),
      'taskmanager.memory.jvm-overhead.min': MB(parts.overhead),
      'taskmanager.memory.jvm-overhead.max': MB(parts.overhead),
    },
    jvm: [
      `-Xms${heap}m`,
      `-Xmx${heap}m`,
      `-XX:MaxDirectMemorySize=${direct}m`,
      `-XX:MaxMetaspaceSize=${parts.metaspace}m`,
    ],
  };
}

export interface ClusterConfig {
  rpcPort: number;
  restPort: number;
  slots: number;
  /** Flink's temporary and working directories (blobs, RPC jar, TaskManager state). */
  tmpDir: string;
  jobManagerMb: number;
  taskManagerMb: number;
  /** More options, over these. */
  extra?: Record<string, string>;
}

/** The options every process of the cluster reads from config.yaml. */
export function clusterConf(config: ClusterConfig): Record<string, string> {
  return {
    // Everything on loopback: the JobManager's RPC and REST endpoints on the
    // ports picked for them, blob server and TaskManager ports picked by the
    // kernel (0) when they bind, which the others learn over RPC.
    'jobmanager.rpc.address': '127.0.0.1',
    'jobmanager.rpc.port': String(config.rpcPort),
    'jobmanager.bind-host': '127.0.0.1',
    'rest.address': '127.0.0.1',
    'rest.bind-address': '127.0.0.1',
    'rest.port': String(config.restPort),
    'blob.server.port': '0',
    'taskmanager.host': '127.0.0.1',
    'taskmanager.bind-host': '127.0.0.1',
    'taskmanager.rpc.port': '0',
    'taskmanager.data.port': '0',
    'taskmanager.numberOfTaskSlots': String(config.slots),
    'parallelism.default': '1',
    'io.tmp.dirs': config.tmpDir,
    'high-availability.type': 'NONE',
    // The TaskManagers start beside the JobManager, not after it: one that
    // finds it not listening yet retries in half a second, not the default 10.
    'cluster.registration.error-delay': '500 ms',
    // A lost TaskManager is noticed in seconds, not the default 50.
    'heartbeat.timeout': '15 s',
    ...jobManagerMemory(config.jobManagerMb).conf,
    ...taskManagerMemory(config.taskManagerMb, config.slots).conf,
    ...config.extra,
  };
}

/**
 * config.yaml as Flink 1.19+ reads it (standard YAML; a legacy flink-conf.yaml
 * beside it would take precedence). Flat dotted keys are valid there; every
 * value is a double-quoted string, which Flink converts to the option's type.
 */
export function renderConfigYaml(conf: Record<string, string>): string {
  const lines = ['# Generated by scripts/lakehouse/cluster.ts for one run of the cluster.'];
  for (const [key, value] of Object.entries(conf)) lines.push(`${key}: ${JSON.stringify(value)}`);
  return `${lines.join('\n')}\n`;
}

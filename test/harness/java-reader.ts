/**
 * Reads topics with the Kafka Java client (the broker's own kafka-clients
 * jar), for tests that must show interoperability, not just that kafkajs
 * reads back what kafkajs wrote.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { javaBin } from '../../scripts/kafka/java.ts';
import { ensureKafkaJars } from '../../scripts/kafka-broker.ts';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./java/ReadTopics.java', import.meta.url));

export interface JavaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Value bytes; -1 for a tombstone. */
  valueBytes: number;
}

export async function readWithJava(
  brokers: string,
  topics: readonly string[],
  expected: number,
): Promise<JavaRecord[]> {
  const libs = await ensureKafkaJars();
  const classes = mkdtempSync(join(tmpdir(), 'java-reader-'));
  const classpath = `${join(libs, '*')}`;
  try {
    const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
    await run(javac, ['-cp', classpath, '-d', classes, SOURCE]);
    const { stdout } = await run(
      javaBin(),
      ['-Xmx128m', '-cp', `${classpath}:${classes}`, 'ReadTopics', brokers, String(expected), ...topics],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [topic = '', partition, offset, valueBytes] = line.split('\t');
        return {
          topic,
          partition: Number(partition),
          offset: Number(offset),
          valueBytes: Number(valueBytes),
        };
      });
  } finally {
    rmSync(classes, { recursive: true, force: true });
  }
}

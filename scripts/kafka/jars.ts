/**
 * The Apache Kafka broker's classpath, fetched from Maven Central into the
 * tools cache (scripts/maven-classpath.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClasspath, toolsDir } from '../maven-classpath.ts';

/** GATEWAY_KAFKA_VERSION lets a developer try another 4.x broker without editing code. */
export const KAFKA_VERSION = process.env.GATEWAY_KAFKA_VERSION || '4.1.1';

const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));

export function kafkaLibsDir(version = KAFKA_VERSION): string {
  return join(toolsDir(), `kafka-${version}`, 'libs');
}

/** The directory holding the broker jars, fetched first when the cache lacks them. */
export function ensureKafkaJars(version = KAFKA_VERSION): Promise<string> {
  return ensureClasspath({
    name: `kafka ${version}`,
    pom: POM,
    libs: kafkaLibsDir(version),
    mavenArgs: [`-Dkafka.version=${version}`],
    expectJar: `kafka_2.13-${version}.jar`,
  });
}

/**
 * Layout of a broker data directory, and the ports it was last started on:
 * reusing them keeps a developer's KAFKA_BROKERS valid across runs and keeps
 * the controller address that storage formatting recorded for the quorum.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLayout {
  /** Partitions and the KRaft metadata log. */
  logDir: string;
  /** server.log (Log4j) and stdout.log (anything the JVM prints itself). */
  logsDir: string;
  configFile: string;
  serverLog: string;
  stdoutLog: string;
}

export function layout(dataDir: string): DataDirLayout {
  const logsDir = join(dataDir, 'logs');
  return {
    logDir: join(dataDir, 'kraft'),
    logsDir,
    configFile: join(dataDir, 'server.properties'),
    serverLog: join(logsDir, 'server.log'),
    stdoutLog: join(logsDir, 'stdout.log'),
  };
}

export function isFormatted(dirs: DataDirLayout): boolean {
  return existsSync(join(dirs.logDir, 'meta.properties'));
}

/** The cluster id the dir was formatted with, for other nodes that join the same cluster. */
export function readClusterId(dirs: DataDirLayout): string | undefined {
  try {
    const text = readFileSync(join(dirs.logDir, 'meta.properties'), 'utf8');
    return /^cluster\.id=(.+)$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

export interface Ports {
  port: number;
  controllerPort: number;
}

const PORTS_FILE = 'ports.json';

export function readPorts(dataDir: string): Ports | undefined {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, PORTS_FILE), 'utf8')) as Partial<Ports>;
    if (Number.isInteger(value.port) && Number.isInteger(value.controllerPort)) return value as Ports;
  } catch {
    // Missing or unreadable: the caller picks fresh ports.
  }
  return undefined;
}

export function writePorts(dataDir: string, ports: Ports): void {
  writeFileSync(join(dataDir, PORTS_FILE), `${JSON.stringify(ports)}\n`);
}

/**
 * A cluster id as Kafka prints them: 16 random bytes, URL-safe base64 without
 * padding. Kafka never issues one starting with '-' so it cannot pass for a
 * command-line flag; neither do we.
 */
export function newClusterId(): string {
  let id: string;
  do {
    id = randomBytes(16).toString('base64url');
  } while (id.startsWith('-'));
  return id;
}

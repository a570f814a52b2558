/** What the figures were measured on: they mean little without it. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import Database from 'better-sqlite3';
import { dec1 } from './stats.ts';

const require = createRequire(import.meta.url);

function distribution(): string | undefined {
  if (!existsSync('/etc/os-release')) return undefined;
  const line = readFileSync('/etc/os-release', 'utf8')
    .split('\n')
    .find((each) => each.startsWith('PRETTY_NAME='));
  return line?.slice('PRETTY_NAME='.length).replaceAll('"', '');
}

/** The file system a directory lives on, from the longest matching mount point: fsync cost depends on it. */
export function fileSystemOf(dir: string): string {
  if (!existsSync('/proc/mounts')) return 'unknown';
  let best = { mount: '', device: '', type: 'unknown' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [device = '', mount = '', type = ''] = line.split(' ');
    const inside = dir === mount || dir.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
    if (inside && mount.length > best.mount.length) best = { mount, device, type };
  }
  return `${best.type} (${best.device} on ${best.mount})`;
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  } finally {
    db.close();
  }
}

export function describeMachine(kafka: string, bufferDir: string): [string, string][] {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((cpu) => cpu.model.trim()))].join(', ');
  const [one, five] = os.loadavg();
  return [
    ['CPU', `${models} × ${cpus.length}`],
    ['Memory', `${dec1(os.totalmem() / 1024 ** 3)} GiB`],
    ['OS', [distribution(), `${os.type()} ${os.release()} ${os.arch()}`].filter(Boolean).join(', ')],
    ['Node.js', process.version],
    ['Kafka', kafka],
    ['SQLite', `${sqliteVersion()} (better-sqlite3 ${packageVersion('better-sqlite3')})`],
    [
      'Libraries',
      `kafkajs ${packageVersion('kafkajs')}, modbus-serial ${packageVersion('modbus-serial')}, node-opcua-client ${packageVersion('node-opcua-client')}`,
    ],
    ['Buffer directory', `${bufferDir} on ${fileSystemOf(bufferDir)}`],
    ['Load average at start', `${dec1(one ?? 0)} (1 min), ${dec1(five ?? 0)} (5 min)`],
  ];
}

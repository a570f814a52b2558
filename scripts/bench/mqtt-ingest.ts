/**
 * One MQTT ingest run: the gateway as its own process (as in production)
 * subscribed to a real Mosquitto, a publisher sending messages that each flip
 * a point across its alarm limit, so every message is one committed event.
 * Timed from the first publish to the last event committed in the buffer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { connectMqtt } from '../../src/adapters/mqtt/client.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import type { Mosquitto } from '../../test/harness/mosquitto.ts';
import { until } from '../../test/harness/wait.ts';
import { peakRssOf } from './broker.ts';
import { cpuSecondsOf } from './cpu.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
/** Publishes in flight at once: enough to keep the broker's queue to the gateway full. */
const PUBLISH_WINDOW = 500;

export interface IngestPlan {
  dir: string;
  mosquitto: Mosquitto;
  brokers: string;
  qos: 0 | 1;
  messages: number;
}

export interface IngestRun {
  committed: number;
  seconds: number;
  gatewayCpuSeconds: number;
  gatewayPeakRss: number | undefined;
}

function benchSite(plan: IngestPlan, state: string): SiteFile {
  return {
    site: 'bench',
    gateway: {
      id: `gw-bench-mqtt-${plan.qos}`,
      state_dir: state,
      kafka: { brokers: plan.brokers.split(',') },
    },
    devices: [
      {
        id: 'sensor',
        protocol: 'mqtt',
        url: plan.mosquitto.url,
        qos: plan.qos,
        area: 'a',
        line: 'l',
        asset: 'tank',
        points: [
          {
            id: 'level',
            format: 'json',
            topic: 'bench/level',
            value_path: 'v',
            alarms: [{ id: 'high', kind: 'limit', H: { value: 50 } }],
          },
        ],
      },
    ],
  };
}

function lastSeq(database: string): number {
  if (!existsSync(database)) return 0;
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

export async function measureIngest(plan: IngestPlan): Promise<IngestRun> {
  const runDir = join(plan.dir, `mqtt-qos${plan.qos}`);
  const state = join(runDir, 'state');
  mkdirSync(state, { recursive: true });
  const siteFile = join(runDir, 'site.yaml');
  writeFileSync(siteFile, stringify(benchSite(plan, state)));
  const database = join(state, 'buffer.db');

  const gateway: ChildProcess = spawn(process.execPath, [CLI, 'run', '--config', siteFile], {
    env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_BROKERS: plan.brokers },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(gateway, 'exit');
  const publisher = await connectMqtt(
    {
      url: plan.mosquitto.url,
      clientId: `bench-pub-${plan.qos}`,
      clean: true,
      keepaliveS: 30,
      connectTimeoutMs: 5000,
    },
    () => true,
  );
  try {
    const payload = (i: number) => new TextEncoder().encode(JSON.stringify({ v: i % 2 === 0 ? 90 : 10 }));
    // Until the gateway's subscription is in place, messages go nowhere: probe until one is committed.
    let probes = 0;
    await until(
      async () => {
        await publisher.publish('bench/level', payload(probes++), 1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return lastSeq(database) > 0;
      },
      'the gateway subscribed',
      30_000,
    );
    // Probes published before the subscription were lost; let the rest land. Committed transitions
    // alternate from a raise, so after `base` of them the next message must flip from that state.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const base = lastSeq(database);
    const cpuBefore = cpuSecondsOf(gateway.pid as number) ?? 0;
    const started = performance.now();
    for (let sent = 0; sent < plan.messages; sent += PUBLISH_WINDOW) {
      const batch = Math.min(PUBLISH_WINDOW, plan.messages - sent);
      await Promise.all(
        Array.from({ length: batch }, (_, j) =>
          publisher.publish('bench/level', payload(base + sent + j), plan.qos),
        ),
      );
    }
    const target = base + plan.messages;
    // QoS 0 may lose messages on the way; the run ends when nothing more arrives.
    let last = -1;
    let quietSince = performance.now();
    await until(
      () => {
        const seq = lastSeq(database);
        if (seq !== last) {
          last = seq;
          quietSince = performance.now();
        }
        return seq >= target || performance.now() - quietSince > 2000;
      },
      'the messages committed',
      300_000,
      20,
    );
    const quiet = last < target ? 2 : 0;
    const seconds = (performance.now() - started) / 1000 - quiet;
    return {
      committed: last - base,
      seconds,
      gatewayCpuSeconds: (cpuSecondsOf(gateway.pid as number) ?? 0) - cpuBefore,
      gatewayPeakRss: peakRssOf(gateway.pid as number),
    };
  } finally {
    await publisher.end();
    gateway.kill('SIGTERM');
    await exited;
  }
}

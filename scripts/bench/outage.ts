/**
 * A long broker outage at a steady event rate: the gateway (its own process)
 * keeps polling and buffering while nothing can be sent. Its resident memory
 * must stay flat; the buffer on disk is what grows.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitingEvents } from '../../src/buffer/waiting.ts';
import { GatewayProcess } from '../../test/harness/gateway-process.ts';
import { startChaosPlant } from '../chaos/site.ts';
import { rssOf } from './broker.ts';

export interface OutagePlan {
  dir: string;
  seconds: number;
  devices: number;
  pointsPerDevice: number;
  log: (line: string) => void;
}

export interface OutageSample {
  /** Seconds since the gateway started. */
  at: number;
  rss: number;
  buffered: number;
}

export interface OutageRun {
  samples: OutageSample[];
}

export const SAMPLE_EVERY_MS = 5000;
/** Nothing listens on port 1 of loopback: every connection attempt is refused at once, as with a broker that is down. */
const NO_BROKER = '127.0.0.1:1';

export async function measureOutage(plan: OutagePlan): Promise<OutageRun> {
  const plant = await startChaosPlant({
    devices: plan.devices,
    pointsPerDevice: plan.pointsPerDevice,
    brokers: NO_BROKER,
    topic: 'bench-outage',
    stateDir: join(plan.dir, 'outage-state'),
  });
  const siteFile = join(plan.dir, 'outage-site.yaml');
  writeFileSync(siteFile, stringify(plant.site));
  const gateway = GatewayProcess.run(siteFile, { KAFKA_BROKERS: NO_BROKER, LOG_LEVEL: 'warn' });
  const bufferPath = join(plan.dir, 'outage-state', 'buffer.db');
  const samples: OutageSample[] = [];
  const started = Date.now();
  try {
    while (Date.now() - started < plan.seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      const pid = gateway.child.pid;
      const rss = pid === undefined ? undefined : rssOf(pid);
      if (rss === undefined) throw new Error(`the gateway exited during the outage: ${gateway.stderr}`);
      samples.push({ at: (Date.now() - started) / 1000, rss, buffered: waitingEvents(bufferPath) });
      plan.log(
        `outage: ${Math.round((Date.now() - started) / 1000)} s, ${samples.at(-1)?.buffered} events buffered`,
      );
    }
  } finally {
    await gateway.stop();
    await plant.stop();
  }
  return { samples };
}

/** Least-squares slope of RSS over time, in bytes per minute. */
export function rssSlopePerMinute(samples: readonly OutageSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.rss, 0) / n;
  const num = samples.reduce((sum, s) => sum + (s.at - meanX) * (s.rss - meanY), 0);
  const den = samples.reduce((sum, s) => sum + (s.at - meanX) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

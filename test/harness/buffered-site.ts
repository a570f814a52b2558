/**
 * A site whose only job is to forward: its one device is never reached
 * (polled once a minute, never reported lost within a test), and the events
 * under test are put in its buffer directly, before the gateway starts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Outbox } from '../../src/buffer/outbox.ts';
import type { KafkaSettings, SiteFile } from '../../src/config/schema.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft } from './fixtures.ts';

export interface BufferedSite {
  site: SiteFile;
  /** The site file, for the CLI. */
  file: string;
  stateDir: string;
}

export function bufferedSite(dir: string, kafka: KafkaSettings, events: number): BufferedSite {
  mkdirSync(dir, { recursive: true });
  const stateDir = join(dir, 'state');
  const site: SiteFile = {
    site: 'site-a',
    gateway: { id: 'gw-test', state_dir: stateDir, kafka },
    devices: [
      {
        id: 'plc',
        protocol: 'modbus-tcp',
        host: '127.0.0.1',
        port: 1,
        poll_interval_ms: 60_000,
        comm_loss_after: 1000,
        area: 'a',
        line: 'l',
        asset: 'x',
        points: [{ id: 'p', register: 'holding', address: 0 }],
      },
    ],
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  const outbox = new Outbox({ path: join(stateDir, 'buffer.db'), shapeOf: recordShape });
  outbox.commit(
    [],
    Array.from({ length: events }, () => draft()),
  );
  outbox.close();
  return { site, file, stateDir };
}

/** Figure 4: catching up after a long outage while fresh alarms keep coming. */
import { join } from 'node:path';
import type { Logger } from '../../src/telemetry/logger.ts';
import { measureCatchUp } from './catch-up.ts';
import type { Report } from './report.ts';
import { dec1, distribution, int, mib } from './stats.ts';

export interface CatchUpSectionPlan {
  brokers: string;
  dir: string;
  events: number;
  logger: Logger;
  log: (line: string) => void;
}

const FRESH_EVERY_MS = 250;

function latency(values: number[]): string {
  const d = distribution(values);
  return `p50 ${int(d.p50)} / p99 ${int(d.p99)} / max ${int(d.max)} ms (n=${d.count})`;
}

export async function benchCatchUp(report: Report, plan: CatchUpSectionPlan): Promise<void> {
  report.section(4, 'Catch-up after an outage');
  const run = await measureCatchUp({
    brokers: plan.brokers,
    path: join(plan.dir, 'catchup.db'),
    events: plan.events,
    freshEveryMs: FRESH_EVERY_MS,
    logger: plan.logger,
    log: plan.log,
  });
  report.add(4, {
    title: `A backlog of ${int(run.events)} events drains while fresh critical alarms arrive`,
    method:
      `the outbox is filled with ${int(run.events)} events over 50 assets (untimed), reopened with synchronous=FULL ` +
      `and drained by the real Forwarder (default batches) into a fresh topic with LogAppendTime; every ` +
      `${FRESH_EVERY_MS} ms during the drain one critical event is committed, alternately for an asset with no ` +
      'backlog and for one of the backlogged assets; latency is its commit to the broker append, same clock; disk ' +
      'is the database file plus WAL after the fill; RSS is this process',
    rows: [
      [
        'drain rate',
        `${int(run.events / run.drainSeconds)} events/s (${dec1(run.drainSeconds)} s for the backlog)`,
      ],
      ['fresh critical alarm, asset without backlog (goes ahead)', latency(run.freshAhead)],
      ['fresh critical alarm, asset with backlog (waits, per-key order)', latency(run.freshBehind)],
      ['fresh events sent ahead of the backlog', int(run.liveAhead)],
      [
        'disk per buffered event',
        `${int(run.diskBytesPerEvent)} bytes (payload ${int(run.payloadBytesPerEvent)} bytes)`,
      ],
      [
        'RSS growth over fill and drain / peak during the drain',
        `${mib(run.rssGrowth)} / ${mib(run.rssPeak)}`,
      ],
    ],
  });
}

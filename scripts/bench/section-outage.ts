/** Figure 7: memory of the gateway while the broker is down for minutes. */

import { measureOutage, rssSlopePerMinute, SAMPLE_EVERY_MS } from './outage.ts';
import type { Report } from './report.ts';
import { dec1, int, mib } from './stats.ts';

export interface OutageSectionPlan {
  dir: string;
  seconds: number;
  log: (line: string) => void;
}

const DEVICES = 3;
const POINTS = 40;

export async function benchOutage(report: Report, plan: OutageSectionPlan): Promise<void> {
  report.section(7, 'Memory during a broker outage');
  const run = await measureOutage({ ...plan, devices: DEVICES, pointsPerDevice: POINTS });
  const { samples } = run;
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return;
  // The first minute holds start-up (JIT, caches); the trend that matters is the rest.
  const settled = samples.filter((sample) => sample.at >= 60);
  const trend = settled.length >= 2 ? settled : samples;
  const rate = (last.buffered - first.buffered) / (last.at - first.at);
  report.add(7, {
    title: `${Math.round(last.at)} s without a broker at a steady event rate`,
    method:
      `the gateway as its own process (gateway run) on ${DEVICES} simulated PLCs × ${POINTS} coils, each with a ` +
      'discrete alarm and flipping every 2–5 s, with brokers set to a loopback port nobody listens on; every ' +
      `${SAMPLE_EVERY_MS / 1000} s its VmRSS from /proc and the events waiting in the buffer; the slope is a least-squares ` +
      'fit of RSS over time after the first minute',
    rows: [
      ['events buffered', `${int(last.buffered)} (${dec1(rate)} events/s)`],
      [
        'gateway RSS, first sample / last / max',
        `${mib(first.rss)} / ${mib(last.rss)} / ${mib(Math.max(...samples.map((s) => s.rss)))}`,
      ],
      ['RSS trend after the first minute', `${dec1(rssSlopePerMinute(trend) / 1024 / 1024)} MiB per minute`],
      ['samples', int(samples.length)],
    ],
  });
}

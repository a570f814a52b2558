/** The footprint figures of one case as report rows, the gateway's beside Telegraf's and its targets. */
import type { Targets } from './footprint-cases.ts';
import { verdict } from './footprint-cases.ts';
import type { CollectorFigures } from './footprint-figures.ts';
import { dec1, int, mib } from './stats.ts';

export interface Outcome {
  name: string;
  targets: Targets;
  /** Points read per second when every poll is on time; undefined for a subscribed (OPC UA) site. */
  nominal: number | undefined;
  /** Figures, or why there are none. */
  gateway: CollectorFigures | string;
  /** Figures, why there are none, or undefined where the case is the gateway's alone. */
  telegraf: CollectorFigures | string | undefined;
}

type Show = (figures: CollectorFigures) => string;

export function ms(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${int(value)} ms`;
}

function percentOf(value: number | undefined, nominal: number): string {
  return value === undefined ? 'n/a' : `${int(value)}/s (${((value / nominal) * 100).toFixed(2)} %)`;
}

export function footprintRows(outcome: Outcome): [string, string][] {
  const { targets, nominal, gateway, telegraf } = outcome;
  if (typeof gateway === 'string') {
    return [
      ['gateway', gateway],
      ...(typeof telegraf === 'string' ? [['Telegraf', telegraf] as [string, string]] : []),
    ];
  }
  const compared = typeof telegraf === 'object' ? telegraf : undefined;
  const both = (label: string, forGateway: Show, forTelegraf: Show = forGateway): [string, string] => [
    label,
    compared === undefined
      ? forGateway(gateway)
      : `gateway ${forGateway(gateway)}; Telegraf ${forTelegraf(compared)}`,
  ];
  const rss: Show = (f) => `${mib(f.footprint.rssMean)} / ${mib(f.footprint.rssMax)}`;
  const cpu: Show = (f) => f.footprint.cpuPercent.toFixed(2);
  const plc: Show = (f) =>
    f.plc ? `${dec1(f.plc.requestsPerSecond)} / ${int(f.plc.registersPerSecond)}` : 'n/a';
  const load: Show = (f) => `${dec1(f.footprint.loadBefore)} → ${dec1(f.footprint.loadAfter)}`;
  const rows: [string, string][] = [
    both(
      'VmRSS over the window, mean / max',
      (f) => `${rss(f)}${verdict(f.footprint.rssMax / 2 ** 20, targets.rssMiB, true, ' MiB')}`,
      rss,
    ),
    both('VmHWM (peak since spawn)', (f) => mib(f.footprint.hwm)),
    [
      'gateway: V8 heap used / total, external memory (its /metrics)',
      gateway.heap
        ? `${mib(gateway.heap.used)} / ${mib(gateway.heap.total)}, ${mib(gateway.heap.external)}`
        : 'n/a',
    ],
    both(
      'CPU, % of one core',
      (f) => `${cpu(f)}${verdict(f.footprint.cpuPercent, targets.cpuPercent, true, ' %')}`,
      cpu,
    ),
  ];
  if (nominal !== undefined) {
    rows.push(
      both(
        `points read per second at the PLCs, of nominal ${int(nominal)}/s`,
        (f) => {
          const reads = f.plc?.readsPerSecond;
          const mark =
            reads === undefined ? '' : verdict((reads / nominal) * 100, targets.readsPercent, false, ' %');
          return `${percentOf(reads, nominal)}${mark}`;
        },
        (f) => percentOf(f.plc?.readsPerSecond, nominal),
      ),
      both('points read per second, as the collector counts them', (f) =>
        percentOf(f.readsPerSecond, nominal),
      ),
      both('requests / registers per second answered by the PLCs', plc),
      both('spawn → first poll at a PLC', (f) => ms(f.firstPollMs)),
    );
  } else {
    rows.push(['subscription deliveries per second', dec1(gateway.deliveriesPerSecond ?? 0)]);
  }
  rows.push(
    both(
      'spawn → ready (gateway: /readyz 200; Telegraf: first record in Kafka)',
      (f) =>
        `${ms(f.readyMs)}${verdict(f.readyMs ?? Number.POSITIVE_INFINITY, targets.startupMs, true, ' ms')}`,
      (f) => ms(f.readyMs),
    ),
    both('spawn → first log line', (f) => ms(f.firstLogMs)),
  );
  if ((gateway.eventsPerSecond ?? 0) > 0) {
    rows.push(['gateway: alarm events committed per second', dec1(gateway.eventsPerSecond ?? 0)]);
  }
  rows.push(both('load average (1 min) over the window', load));
  if (typeof telegraf === 'string') rows.push(['Telegraf', telegraf]);
  return rows;
}

/** One line per case for the summary: gateway vs Telegraf. */
export function footprintSummary(outcome: Outcome): string {
  const { gateway, telegraf, nominal } = outcome;
  if (typeof gateway === 'string') return `gateway ${gateway}`;
  const pair = (show: Show) =>
    `${show(gateway)}${typeof telegraf === 'object' ? ` vs ${show(telegraf)}` : ''}`;
  const parts = [
    `RSS max ${pair((f) => mib(f.footprint.rssMax))}`,
    `CPU ${pair((f) => `${f.footprint.cpuPercent.toFixed(2)} %`)}`,
    `ready ${pair((f) => ms(f.readyMs))}`,
  ];
  if (nominal !== undefined) {
    parts.push(`reads ${pair((f) => `${(((f.plc?.readsPerSecond ?? 0) / nominal) * 100).toFixed(2)} %`)}`);
  }
  const alone = typeof telegraf === 'string' ? ` (Telegraf ${telegraf})` : '';
  return `${parts.join(', ')}${alone}`;
}

/** Command line of `npm run bench`. */
import { parseArgs } from 'node:util';

export const SECTIONS = [
  'buffer',
  'latency',
  'modbus',
  'catchup',
  'opcua',
  'mqtt',
  'outage',
  'alarms',
  'output',
  'telemetry',
  'lakehouse',
  'footprint',
] as const;
export type SectionName = (typeof SECTIONS)[number];

/**
 * Run only when named with --only: the lakehouse needs its jars and Python reader and takes about 7 minutes;
 * the footprint comparison builds Telegraf the first time and takes about 8 minutes.
 */
const ON_REQUEST: readonly SectionName[] = ['lakehouse', 'footprint'];

export interface BenchOptions {
  markdown: string | undefined;
  sections: ReadonlySet<SectionName>;
  backlog: number;
  /** Events in the catch-up backlog. */
  catchUp: number;
  commitSeconds: number;
  changes: number;
  devices: number;
  pointsPerDevice: number;
  pollIntervalMs: number;
  modbusSeconds: number;
  opcuaSeconds: number;
  mqttMessages: number;
  /** Length of the broker outage run. */
  outageSeconds: number;
  /** Polls of the 10,000-point site in the alarm engine run. */
  alarmPolls: number;
  /** Events per encoding and codec in the output run. */
  outputEvents: number;
  /** Records (1 % resends) landed by each lakehouse throughput run. */
  lakehouseEvents: number;
  /** Register changes per checkpoint interval in the lakehouse latency run. */
  lakehouseChanges: number;
  /** Measurement window per collector and case in the footprint comparison. */
  footprintSeconds: number;
  /** Wait between a collector being ready and its window. */
  footprintSettleSeconds: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick             smaller sizes, about a minute instead of a few
  --markdown FILE     write the Markdown report to FILE instead of stdout
  --only LIST         comma-separated subset of: ${SECTIONS.join(', ')}
                      (lakehouse and footprint run only when named here)
  --backlog N         events per backlog (default 100000; quick 20000)
  --catchup N         events in the catch-up backlog (default 1000000; quick 100000)
  --changes N         value changes in the latency run (default 200; quick 40)
  --devices N         simulated PLCs in the latency run (default 4)
  --points N          points per PLC in the latency run (default 250)
  --seconds N         seconds per Modbus read-rate run (default 3; quick 1)
  --opcua-seconds N   seconds per OPC UA notification run (default 10; quick 4)
  --messages N        MQTT messages per QoS run (default 20000; quick 5000)
  --outage-seconds N  length of the broker outage run (default 180; quick 40)
  --alarm-polls N     polls of the 10,000-point site in the alarm engine run (default 100; quick 20)
  --output-events N   events per encoding and codec (default 50000; quick 10000)
  --lakehouse-events N  records per lakehouse throughput run (default 1000000; quick 100000)
  --footprint-seconds N  measurement window per collector and case in the footprint run (default 30; quick 10)`;

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive integer`);
  return parsed;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      markdown: { type: 'string' },
      only: { type: 'string' },
      backlog: { type: 'string' },
      catchup: { type: 'string' },
      changes: { type: 'string' },
      devices: { type: 'string' },
      points: { type: 'string' },
      seconds: { type: 'string' },
      'opcua-seconds': { type: 'string' },
      messages: { type: 'string' },
      'alarm-polls': { type: 'string' },
      'outage-seconds': { type: 'string' },
      'output-events': { type: 'string' },
      'lakehouse-events': { type: 'string' },
      'footprint-seconds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown && unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}`);
  return {
    markdown: values.markdown,
    sections: new Set((only ?? SECTIONS.filter((name) => !ON_REQUEST.includes(name))) as SectionName[]),
    backlog: count('backlog', values.backlog, quick ? 20_000 : 100_000),
    catchUp: count('catchup', values.catchup, quick ? 100_000 : 1_000_000),
    commitSeconds: quick ? 3 : 10,
    changes: count('changes', values.changes, quick ? 40 : 200),
    devices: count('devices', values.devices, 4),
    pointsPerDevice: count('points', values.points, 250),
    pollIntervalMs: 100,
    modbusSeconds: count('seconds', values.seconds, quick ? 1 : 3),
    opcuaSeconds: count('opcua-seconds', values['opcua-seconds'], quick ? 4 : 10),
    mqttMessages: count('messages', values.messages, quick ? 5000 : 20_000),
    outageSeconds: count('outage-seconds', values['outage-seconds'], quick ? 40 : 180),
    alarmPolls: count('alarm-polls', values['alarm-polls'], quick ? 20 : 100),
    outputEvents: count('output-events', values['output-events'], quick ? 10_000 : 50_000),
    lakehouseEvents: count('lakehouse-events', values['lakehouse-events'], quick ? 100_000 : 1_000_000),
    lakehouseChanges: quick ? 20 : 30,
    footprintSeconds: count('footprint-seconds', values['footprint-seconds'], quick ? 10 : 30),
    footprintSettleSeconds: quick ? 3 : 10,
  };
}

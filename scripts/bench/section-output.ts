/** Figure 10: encodings and compression codecs, records per second and bytes per event on the wire. */
import { COMPRESSIONS } from '../../src/config/output-schema.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { type FormatRun, measureFormat } from './output-formats.ts';
import type { Report } from './report.ts';
import { dec1, int } from './stats.ts';

export interface OutputSectionPlan {
  brokers: string;
  dir: string;
  events: number;
  logDir: string | undefined;
  logger: Logger;
  log: (line: string) => void;
}

/** Each setting runs this often and reports its median: the machine is shared and single drains vary. */
const REPEATS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function medianRun(runs: readonly FormatRun[]): FormatRun {
  const [first] = runs;
  if (!first) throw new Error('no run to take the median of');
  return {
    ...first,
    eventsPerSecond: median(runs.map((run) => run.eventsPerSecond)),
    cpuMsPerThousand: median(runs.map((run) => run.cpuMsPerThousand)),
  };
}

export async function benchOutput(report: Report, plan: OutputSectionPlan): Promise<void> {
  report.section(10, 'Encodings and compression');
  // The first drain of a process pays for JIT and connections; it is not a figure.
  await measureFormat({ ...plan, events: Math.ceil(plan.events / 5), encoding: 'json', compression: 'none' });
  const runs: FormatRun[] = [];
  for (const encoding of ['json', 'protobuf'] as const) {
    for (const compression of COMPRESSIONS) {
      plan.log(`output: ${encoding}, ${compression}`);
      const repeats: FormatRun[] = [];
      for (let round = 0; round < REPEATS; round += 1) {
        repeats.push(await measureFormat({ ...plan, encoding, compression }));
      }
      runs.push(medianRun(repeats));
    }
  }
  const wire = (run: FormatRun) =>
    run.wireBytesPerEvent === undefined ? 'n/a (external broker)' : `${int(run.wireBytesPerEvent)} B/event`;
  report.add(10, {
    title: `${int(plan.events)} events per encoding and codec, drained to the broker`,
    method:
      `the outbox is filled with ${int(plan.events)} plant-shaped events (50 assets × 20 points; ids, values, times, ` +
      'messages and samples differ per event; untimed) and drained by the real ' +
      'Forwarder (default batches, acks=all, idempotent) into a fresh 3-partition topic; rate is events over the drain ' +
      `time, median of ${REPEATS} drains per setting; CPU is this process's (encoding, compression, kafkajs, SQLite); ` +
      "bytes per event are the topic's log " +
      'segments on the broker divided by the events, i.e. the record batches as sent, batch headers included; ' +
      'one unreported warm-up drain first',
    rows: runs.map((run) => [
      `${run.encoding}, ${run.compression}`,
      `${int(run.eventsPerSecond)} events/s, ${wire(run)}, ${dec1(run.cpuMsPerThousand)} ms CPU per 1,000 events`,
    ]),
  });
}

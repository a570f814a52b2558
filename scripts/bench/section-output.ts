/** Figure 9: encodings and compression codecs, records per second and bytes per event on the wire. */
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

export async function benchOutput(report: Report, plan: OutputSectionPlan): Promise<void> {
  report.section(9, 'Encodings and compression');
  // The first drain of a process pays for JIT and connections; it is not a figure.
  await measureFormat({ ...plan, events: Math.ceil(plan.events / 5), encoding: 'json', compression: 'none' });
  const runs: FormatRun[] = [];
  for (const encoding of ['json', 'protobuf'] as const) {
    for (const compression of COMPRESSIONS) {
      plan.log(`output: ${encoding}, ${compression}`);
      runs.push(await measureFormat({ ...plan, encoding, compression }));
    }
  }
  const wire = (run: FormatRun) =>
    run.wireBytesPerEvent === undefined ? 'n/a (external broker)' : `${int(run.wireBytesPerEvent)} B/event`;
  report.add(9, {
    title: `${int(plan.events)} events per encoding and codec, drained to the broker`,
    method:
      `the outbox is filled with ${int(plan.events)} plant-shaped events (50 assets × 20 points; ids, values, times, ` +
      'messages and samples differ per event; untimed) and drained by the real ' +
      'Forwarder (default batches, acks=all, idempotent) into a fresh 3-partition topic; rate is events over the drain ' +
      "time; CPU is this process's (encoding, compression, kafkajs, SQLite); bytes per event are the topic's log " +
      'segments on the broker divided by the events, i.e. the record batches as sent, batch headers included; ' +
      'one unreported warm-up drain first',
    rows: runs.map((run) => [
      `${run.encoding}, ${run.compression}`,
      `${int(run.eventsPerSecond)} events/s, ${wire(run)}, ${dec1(run.cpuMsPerThousand)} ms CPU per 1,000 events`,
    ]),
  });
}

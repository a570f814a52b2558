/**
 * Counts what Telegraf wrote to its topic while it runs: one record per
 * metric in line protocol, each metric holding the fields (register values)
 * of one device and one gather. The record timestamp is the metric's own
 * (Telegraf's default), so values are counted by when they were read, not by
 * when a flush happened to send them.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { kafkaClient } from '../../test/harness/kafka.ts';

interface Counted {
  /** Wall-clock ms of the metric. */
  at: number;
  fields: number;
}

export class LineProtocolCounter {
  readonly #consumer: Consumer;
  readonly #records: Counted[] = [];
  #firstArrivalAt: number | undefined;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  /** Joined and reading from the start of the topic before it resolves, so no record is missed. */
  static async start(brokers: string, topic: string): Promise<LineProtocolCounter> {
    const consumer = kafkaClient(brokers).consumer({
      groupId: `bench-footprint-${randomUUID()}`,
      maxWaitTimeInMs: 50,
    });
    const counter = new LineProtocolCounter(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        counter.#firstArrivalAt ??= performance.now();
        counter.#records.push({ at: Number(message.timestamp), fields: fieldsOf(message.value) });
      },
    });
    await joined;
    return counter;
  }

  /** performance.now() when the first record was fetched. */
  get firstArrivalAt(): number | undefined {
    return this.#firstArrivalAt;
  }

  /** Register values read in [fromMs, toMs) of wall-clock time, by the metrics' timestamps. */
  fieldsBetween(fromMs: number, toMs: number): { records: number; fields: number } {
    let records = 0;
    let fields = 0;
    for (const record of this.#records) {
      if (record.at < fromMs || record.at >= toMs) continue;
      records += 1;
      fields += record.fields;
    }
    return { records, fields };
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

/** `measurement,tags fields timestamp`: the tags hold no spaces here and the fields are all integers. */
function fieldsOf(value: Buffer | null): number {
  if (value === null) return 0;
  let fields = 0;
  for (const line of value.toString().split('\n')) {
    const fieldSet = line.split(' ')[1];
    if (fieldSet) fields += fieldSet.split(',').length;
  }
  return fields;
}

/**
 * What the intake needs around it in tests: a sink that keeps what it was
 * handed (the alarm stage's side of the contract, idempotent by command id),
 * and a producer that writes command records the way a sender would.
 */
import type { CommandOutcome, CommandSink, OperatorCommand } from '../../src/alarms/command.ts';
import { commandRecord } from '../../src/operator/command-record.ts';
import { kafkaClient } from '../harness/kafka.ts';

export class RecordingSink implements CommandSink {
  /** Every command handed over, redeliveries included. */
  readonly delivered: OperatorCommand[] = [];
  readonly applied = new Map<string, OperatorCommand>();
  readonly rejected: Array<{ received: Partial<Record<keyof OperatorCommand, unknown>>; reason: string }> =
    [];
  /** How many of the next commands to refuse as a full buffer would. */
  failNext = 0;

  command(command: OperatorCommand): CommandOutcome {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('the buffer refused the commit');
    }
    this.delivered.push(command);
    const duplicate = this.applied.has(command.command_id);
    this.applied.set(command.command_id, command);
    return { accepted: true, duplicate, events: [] };
  }

  reject(received: Partial<Record<keyof OperatorCommand, unknown>>, reason: string): CommandOutcome {
    this.rejected.push({ received, reason });
    return { accepted: false, duplicate: false, events: [], reason };
  }
}

export function ackOf(site: string, n: number): OperatorCommand {
  return {
    command_id: `cmd-${site}-${n}-${Math.random().toString(36).slice(2, 8)}`,
    site,
    action: 'ack',
    condition_id: `${site}/forming/line-1/press-1/oil_temperature/temperature`,
    actor: 'j.smith',
  };
}

/** Writes records as a sender would: commands keyed by site, or raw text under a key. */
export async function produce(
  brokers: string,
  topic: string,
  records: ReadonlyArray<OperatorCommand | { key: string | null; value: string }>,
): Promise<void> {
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: records.map((record) => ('value' in record ? record : commandRecord(topic, record))),
    });
  } finally {
    await producer.disconnect();
  }
}

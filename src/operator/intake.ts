/**
 * Operator commands from the broker into the alarm stage. Each record of the
 * command topic becomes a command or a rejection, both answered with events
 * the alarm stage commits to the buffer; only then is the record's offset
 * committed. A crash or outage in between delivers the record again, and its
 * command id makes the second delivery change nothing.
 */
import type { CommandOutcome, CommandSink } from '../alarms/command.ts';
import type { IncomingRecord, RecordConsumer } from '../producer/kafka-client.ts';
import { Backoff, type BackoffOptions } from '../system/backoff.ts';
import { GatewayError } from '../system/errors.ts';
import { sleep } from '../system/sleep.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type ReadCommand, readCommand } from './read-command.ts';

export interface CommandIntakeOptions {
  /** The gateway's site: commands for other sites share the topic and are skipped. */
  site: string;
  consumer: RecordConsumer;
  sink: CommandSink;
  /** Run before the first attempt to read, and again after each attempt it failed; e.g. to create the topic. */
  prepare?: () => Promise<void>;
  logger: Logger;
  backoff?: BackoffOptions;
}

export interface IntakeStats {
  /** In the consumer group and reading. */
  reading: boolean;
  applied: number;
  /** Delivered again after they were applied: nothing happened. */
  duplicates: number;
  rejected: number;
  /** For another site: skipped. */
  foreign: number;
}

export class CommandIntake {
  readonly #options: CommandIntakeOptions;
  readonly #stats: IntakeStats = { reading: false, applied: 0, duplicates: 0, rejected: 0, foreign: 0 };
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  /** The alarm stage could not commit a command's events: reported instead of the consumer's crash it causes. */
  #sinkFailure: unknown;

  constructor(options: CommandIntakeOptions) {
    this.#options = options;
  }

  get stats(): IntakeStats {
    return { ...this.#stats };
  }

  start(): void {
    this.#running ??= this.#supervise();
  }

  /** Leaves the group once the command in hand is committed; nothing is read after. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#options.consumer.stop();
    await this.#running;
    this.#stats.reading = false;
  }

  async #supervise(): Promise<void> {
    const { consumer, logger } = this.#options;
    const backoff = new Backoff(this.#options.backoff ?? { initialMs: 1000, maxMs: 30_000 });
    let failing: string | undefined;
    let prepared = false;
    while (!this.#stop.signal.aborted) {
      if (!prepared) prepared = await this.#prepare();
      try {
        await consumer.run({
          record: (record) => this.#handle(record),
          joined: () => {
            this.#stats.reading = true;
            backoff.reset();
            logger.info(failing ? 'reading operator commands again' : 'reading operator commands');
            failing = undefined;
          },
        });
      } catch (error) {
        this.#stats.reading = false;
        if (this.#stop.signal.aborted) break;
        const described = this.#describe(error);
        // An outage is retried like the producer's; a missing ACL or a refused commit needs someone.
        const level = described.code === 'COMMANDS_CONSUME' ? 'warn' : 'error';
        if (described.text !== failing) logger[level]({ code: described.code }, described.text);
        failing = described.text;
        await sleep(backoff.next(), this.#stop.signal);
      }
    }
  }

  /**
   * Whether the topic is known to be there. A topic that could not be checked
   * may exist all the same: reading it says so, and it is checked again after
   * each failure.
   */
  async #prepare(): Promise<boolean> {
    try {
      await this.#options.prepare?.();
      return true;
    } catch (error) {
      const text = error instanceof GatewayError ? error.describe() : String(error);
      this.#options.logger.debug({ err: error }, `the command topic could not be checked: ${text}`);
      return false;
    }
  }

  #describe(error: unknown): { code: string; text: string } {
    const sinkFailed = this.#sinkFailure !== undefined;
    const cause = sinkFailed ? this.#sinkFailure : error;
    this.#sinkFailure = undefined;
    const known =
      cause instanceof GatewayError
        ? cause
        : new GatewayError('COMMANDS_CONSUME', cause instanceof Error ? cause.message : String(cause));
    const retry = sinkFailed ? '; the command was not applied and is read again' : '';
    return { code: known.code, text: `${known.describe()}${retry}` };
  }

  async #handle(record: IncomingRecord): Promise<void> {
    const read = readCommand(record.value, record.key);
    if (read.site !== undefined && read.site !== this.#options.site) {
      this.#stats.foreign += 1;
      return;
    }
    let outcome: CommandOutcome;
    try {
      outcome = read.ok
        ? this.#options.sink.command(read.command)
        : this.#options.sink.reject(read.received, read.reason);
    } catch (error) {
      // Not committed means not applied: the record must come again.
      this.#sinkFailure = error;
      throw error;
    }
    this.#report(read, outcome, record);
  }

  #report(read: ReadCommand, outcome: CommandOutcome, record: IncomingRecord): void {
    const { logger } = this.#options;
    const received = read.ok ? read.command : read.received;
    const fields = {
      command_id: received.command_id,
      action: received.action,
      target: received.condition_id ?? received.scope,
      actor: received.actor,
      partition: record.partition,
      offset: record.offset,
    };
    if (outcome.duplicate) {
      this.#stats.duplicates += 1;
      logger.info(fields, 'operator command delivered again; it was applied before, nothing changed');
    } else if (outcome.accepted) {
      this.#stats.applied += 1;
      logger.info({ ...fields, events: outcome.events.length }, 'operator command applied');
    } else {
      this.#stats.rejected += 1;
      const error = new GatewayError('COMMAND_REJECTED', outcome.reason ?? (read.ok ? '' : read.reason));
      logger.warn({ ...fields, code: error.code }, error.describe());
    }
  }
}

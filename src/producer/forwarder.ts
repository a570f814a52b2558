/**
 * Drains the outbox to the broker: read the oldest batch, send it, delete it
 * only once acknowledged. A failed batch is retried as it is, from the head of
 * the outbox, so nothing newer overtakes it and per-key order holds. A batch
 * the broker refused for good is sent again one record at a time, in order,
 * and only the records it refuses go to the dead-letter table.
 */
import type { Outbox, StoredEvent } from '../buffer/outbox.ts';
import { Backoff } from '../system/backoff.ts';
import { GatewayError } from '../system/errors.ts';
import { sleep } from '../system/sleep.ts';
import type { Logger } from '../telemetry/logger.ts';
import { RecordsRejectedError, TopicMissingError } from './broker-errors.ts';
import type { BrokerClient, TopicSpec } from './kafka-client.ts';
import type { RecordsOf } from './outgoing.ts';

export interface ForwarderOptions {
  outbox: Outbox;
  client: BrokerClient;
  /** Every topic records may go to, created when missing before the first send. */
  topics: readonly TopicSpec[];
  /** The records a batch of events becomes (outgoing.ts). */
  recordsOf: RecordsOf;
  batchMaxEvents: number;
  batchMaxBytes: number;
  logger: Logger;
  backoff?: Backoff;
  /** How often an idle forwarder looks at the outbox even without a commit signal. */
  idlePollMs?: number;
  /** Backlog events per second at most, for thin uplinks; fresh events are not held to it. Unlimited when unset. */
  drainMaxEventsPerSecond?: number;
}

export interface ForwarderStats {
  delivered: number;
  batches: number;
  failures: number;
  deadLettered: number;
  /** Fresh events sent ahead of a draining backlog. */
  liveAhead: number;
  brokerUp: boolean;
  lastError?: string;
  /** Failed attempts by error code (PRODUCER_SEND, PRODUCER_AUTH, BUFFER_WRITE, ...). */
  failuresByCode: Record<string, number>;
}

export class Forwarder {
  readonly #options: ForwarderOptions;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #pendingWake = false;
  #loop: Promise<void> | undefined;
  #topicReady = false;
  #lastCode: string | undefined;
  readonly stats: ForwarderStats = {
    delivered: 0,
    batches: 0,
    failures: 0,
    deadLettered: 0,
    liveAhead: 0,
    brokerUp: false,
    failuresByCode: {},
  };

  constructor(options: ForwarderOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
    options.outbox.onCommit(() => this.#signal());
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Lets the batch in flight finish (acknowledged and deleted, or left for the next run), then stops. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#signal();
    await this.#loop;
    await this.#options.client.close();
  }

  #signal(): void {
    this.#pendingWake = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const { outbox, batchMaxEvents, batchMaxBytes, idlePollMs = 1000 } = this.#options;
    while (!this.#stop.signal.aborted) {
      if (!this.#topicReady) {
        if (!(await this.#attempt(() => this.#ensureTopic()))) continue;
      }
      this.#pendingWake = false;
      const batch = outbox.peek(batchMaxEvents, batchMaxBytes);
      if (batch.length === 0) {
        await this.#idle(idlePollMs);
        continue;
      }
      const delivered = await this.#attempt(() => this.#deliver(batch));
      // A full batch means a backlog: let fresh events whose keys have nothing older waiting go ahead of it.
      if (delivered && batch.length === batchMaxEvents) await this.#deliverLive();
      if (delivered) await this.#throttle(batch.length);
    }
  }

  async #deliverLive(): Promise<void> {
    const { outbox, batchMaxEvents, batchMaxBytes } = this.#options;
    const live = outbox.peekLive(batchMaxEvents, batchMaxBytes);
    if (live.length === 0) return;
    this.stats.liveAhead += live.length;
    await this.#attempt(() => this.#deliver(live));
  }

  async #throttle(events: number): Promise<void> {
    const rate = this.#options.drainMaxEventsPerSecond;
    if (rate === undefined || this.#stop.signal.aborted) return;
    await sleep((events / rate) * 1000, this.#stop.signal);
  }

  async #ensureTopic(): Promise<void> {
    for (const topic of this.#options.topics) await this.#options.client.ensureTopic(topic);
    this.#topicReady = true;
  }

  async #deliver(batch: readonly StoredEvent[]): Promise<void> {
    try {
      await this.#send(batch);
    } catch (error) {
      if (!(error instanceof RecordsRejectedError)) throw error;
      for (const event of batch) {
        try {
          await this.#send([event]);
        } catch (single) {
          if (!(single instanceof RecordsRejectedError)) throw single;
          this.#deadLetter(event, single);
        }
      }
    }
  }

  async #send(events: readonly StoredEvent[]): Promise<void> {
    await this.#options.client.send(await this.#options.recordsOf(events));
    this.#options.outbox.remove(events);
    this.stats.delivered += events.length;
    this.stats.batches += 1;
  }

  #deadLetter(event: StoredEvent, rejection: RecordsRejectedError): void {
    const reason = `${rejection.brokerError} (${rejection.reason}): ${rejection.message}`;
    this.#options.outbox.deadLetter(event, reason);
    this.stats.deadLettered += 1;
    const error = new GatewayError('PRODUCER_REJECTED', `seq ${event.seq}, ${event.bytes} bytes: ${reason}`);
    this.#options.logger.error(
      { code: error.code, seq: event.seq, event_id: event.eventId, reason: rejection.reason },
      error.describe(),
    );
  }

  /** Runs one step; on failure reports it (once per outage), resets the client and backs off. */
  async #attempt(step: () => Promise<void>): Promise<boolean> {
    const { logger, client } = this.#options;
    try {
      await step();
      if (!this.stats.brokerUp) {
        this.stats.brokerUp = true;
        logger.info({ backlog: this.#options.outbox.stats().events }, 'broker reachable; forwarding events');
      }
      this.#backoff.reset();
      this.#lastCode = undefined;
      return true;
    } catch (cause) {
      this.stats.failures += 1;
      // A buffer that cannot delete (a full disk) is not a broker problem: the
      // batch was acknowledged and is sent again once the delete succeeds.
      const bufferFault = cause instanceof GatewayError && cause.stage === 'buffer';
      // Credentials and ACLs keep their own codes: they name what to fix.
      const error =
        cause instanceof GatewayError
          ? cause
          : new GatewayError('PRODUCER_SEND', (cause as Error).message, { cause });
      this.stats.lastError = error.message;
      this.stats.failuresByCode[error.code] = (this.stats.failuresByCode[error.code] ?? 0) + 1;
      // A new kind of failure during an outage (the broker back, but refusing
      // the credentials) is news for the operator, not a repeat.
      const newKind = this.#lastCode !== error.code;
      this.#lastCode = error.code;
      if (this.stats.brokerUp || this.stats.failures === 1 || newKind) {
        logger.warn({ code: error.code, backlog: this.#options.outbox.stats().events }, error.describe());
      } else {
        logger.debug({ code: error.code }, error.describe());
      }
      if (cause instanceof TopicMissingError) this.#topicReady = false;
      if (!bufferFault) {
        this.stats.brokerUp = false;
        await client.reset();
      }
      await sleep(this.#backoff.next(), this.#stop.signal);
      return false;
    }
  }

  async #idle(ms: number): Promise<void> {
    if (this.#pendingWake) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#wake = undefined;
  }
}

/**
 * Watches the topic for the events a latency run is waiting for and notes when
 * each one arrived here, next to the broker's append time and the gateway's
 * read time carried in the event, all on this machine's clock.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { kafkaClient } from '../../test/harness/kafka.ts';

export interface Arrival {
  /** Date.now() when the consumer in this process handed the record over. */
  receivedAt: number;
  /** The record's broker timestamp; LogAppendTime on the topics this benchmark creates. */
  appendedAt: number;
  /** source_time of the event: when the poll's answer for this point came in. */
  readAt: number;
}

interface Waiter {
  resolve: (arrival: Arrival) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ArrivalWatch {
  readonly #consumer: Consumer;
  readonly #waiters = new Map<string, Waiter>();
  /** Events nobody waited for (there should be none after the warm-up). */
  unexpected = 0;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  /** Resolves once the consumer joined its group, so no event of the run can slip past it. */
  static async start(brokers: string, topic: string): Promise<ArrivalWatch> {
    const consumer = kafkaClient(brokers).consumer({
      groupId: `gateway-bench-${randomUUID()}`,
      // The broker answers a fetch as soon as a record arrives (min bytes 1); this only bounds idle fetches.
      maxWaitTimeInMs: 500,
    });
    const watch = new ArrivalWatch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const receivedAt = Date.now();
        const event = JSON.parse(message.value?.toString() ?? '{}') as AlarmEvent;
        const key = keyOf(event.device, event.point, event.transition);
        const waiter = watch.#waiters.get(key);
        if (waiter === undefined) {
          watch.unexpected += 1;
          return;
        }
        watch.#waiters.delete(key);
        clearTimeout(waiter.timer);
        waiter.resolve({
          receivedAt,
          appendedAt: Number(message.timestamp),
          readAt: Date.parse(event.source_time),
        });
      },
    });
    await joined;
    return watch;
  }

  /** Registers interest before the change is made, so even an instant arrival is caught. */
  expect(device: string, point: string, transition: 'raise' | 'clear', timeoutMs = 15_000): Promise<Arrival> {
    const key = keyOf(device, point, transition);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`no ${transition} event of ${device}/${point} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(key, { resolve, reject, timer });
    });
  }

  async stop(): Promise<void> {
    for (const waiter of this.#waiters.values()) clearTimeout(waiter.timer);
    this.#waiters.clear();
    await this.#consumer.disconnect();
  }
}

function keyOf(device: string, point: string, transition: string): string {
  return `${device}/${point}/${transition}`;
}

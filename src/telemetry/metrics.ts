/**
 * The gateway's metrics in Prometheus text format. Values are read from the
 * stages' status when scraped, so a metric is never out of step with what
 * the stages report; only poll durations and committed events need hooks
 * (DeviceWatch, committed()).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AlarmEvent } from '../alarms/event.ts';
import type { KpiSnapshot } from '../alarms/kpis.ts';
import { isHidden } from '../alarms/state.ts';
import { registerAlarmKpis } from './alarm-kpi-metrics.ts';
import { DeviceWatch } from './device-watch.ts';
import { deviceUp, type ObservedStatus } from './observed.ts';
import { mirroredCounter, type Series, scrapedGauge } from './scraped-metrics.ts';

const PRIORITIES = ['critical', 'high', 'medium', 'low', 'diagnostic'] as const;
const POLL_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  gatewayId: string;
  site: string;
  status: () => ObservedStatus;
  /** Process metrics (CPU, memory, event loop, GC); on unless a test builds many registries. */
  processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly devices: DeviceWatch;
  readonly #produced: Counter;
  readonly #status: () => ObservedStatus;
  /** Read once per scrape, so every metric of one scrape describes the same moment. */
  #scrape: ObservedStatus | undefined;
  #kpis: (() => KpiSnapshot) | undefined;
  #scrapeKpis: KpiSnapshot | undefined;

  constructor(options: MetricsOptions) {
    this.#status = options.status;
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'gateway_info',
      help: 'The gateway and its site; always 1.',
      labelNames: ['gateway_id', 'site'],
      registers,
    }).set({ gateway_id: options.gatewayId, site: options.site }, 1);

    const pollDuration = new Histogram({
      name: 'gateway_device_poll_duration_seconds',
      help: 'Duration of one poll of a device, connect included, by outcome (ok, failed).',
      labelNames: ['device', 'outcome'],
      buckets: POLL_BUCKETS_S,
      registers,
    });
    this.devices = new DeviceWatch((device, ms, ok) =>
      pollDuration.observe({ device, outcome: ok ? 'ok' : 'failed' }, ms / 1000),
    );
    this.#produced = new Counter({
      name: 'gateway_events_produced_total',
      help: 'Alarm events committed to the buffer, by transition and priority.',
      labelNames: ['transition', 'priority'],
      registers,
    });
    this.#deviceMetrics();
    this.#alarmMetrics();
    this.#bufferMetrics();
    this.#producerMetrics();
    this.#commandMetrics();
  }

  /** Counts the events the alarm stage committed. */
  committed(events: readonly AlarmEvent[]): void {
    for (const event of events)
      this.#produced.inc({ transition: event.transition, priority: event.priority });
  }

  /**
   * The registration point of the alarm stage's ISA-18.2 key figures,
   * published from the next scrape on; without it these metrics are absent.
   */
  useAlarmKpis(snapshot: () => KpiSnapshot): void {
    const first = this.#kpis === undefined;
    this.#kpis = snapshot;
    if (!first) return;
    registerAlarmKpis(this.registry, () => {
      this.#scrapeKpis ??= (this.#kpis ?? snapshot)();
      return this.#scrapeKpis;
    });
  }

  /** The text a Prometheus scrape gets. */
  async scrape(): Promise<string> {
    this.#scrape = this.#status();
    try {
      return await this.registry.metrics();
    } finally {
      this.#scrape = undefined;
      this.#scrapeKpis = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #current(): ObservedStatus {
    return this.#scrape ?? this.#status();
  }

  /** A gauge set from the status of each scrape. */
  #gauge(name: string, help: string, labelNames: string[], read: (status: ObservedStatus) => Series): void {
    scrapedGauge(this.registry, name, help, labelNames, () => read(this.#current()));
  }

  #deviceMetrics(): void {
    this.#gauge('gateway_device_up', 'Whether the device answers (1) or is down (0).', ['device'], (s) =>
      s.devices.map((d) => [{ device: d.deviceId }, deviceUp(d) ? 1 : 0]),
    );
    this.#gauge(
      'gateway_device_consecutive_failures',
      'Failed polls or connects in a row.',
      ['device'],
      (s) => s.devices.map((d) => [{ device: d.deviceId }, d.consecutiveFailures]),
    );
    this.#gauge(
      'gateway_device_points',
      'Points of the device by the quality of their latest reading.',
      ['device', 'quality'],
      (s) =>
        s.devices.flatMap((d) =>
          Object.entries(this.devices.of(d.deviceId, deviceUp(d)).qualities).map(
            ([quality, count]) =>
              [{ device: d.deviceId, quality }, count] as [Record<string, string>, number],
          ),
        ),
    );
    this.#gauge(
      'gateway_device_last_good_read_timestamp_seconds',
      'When the device last gave a reading of good quality (Unix time).',
      ['device'],
      (s) =>
        s.devices.flatMap((d) => {
          const at = this.devices.of(d.deviceId).lastGoodReadAt;
          return at === undefined
            ? []
            : [[{ device: d.deviceId }, at / 1000] as [Record<string, string>, number]];
        }),
    );
    mirroredCounter(
      this.registry,
      'gateway_device_polls_total',
      'Successful polls or pushed updates.',
      ['device'],
      () => this.#current().devices.map((d) => [{ device: d.deviceId }, d.polls]),
    );
    mirroredCounter(
      this.registry,
      'gateway_device_poll_overruns_total',
      'Due polls skipped because the poll before them was still running (the schedule keeps its fixed rate).',
      ['device'],
      () => this.#current().devices.map((d) => [{ device: d.deviceId }, d.overruns]),
    );
  }

  #alarmMetrics(): void {
    const byPriority = (count: (s: ObservedStatus, priority: string) => number) => (s: ObservedStatus) =>
      PRIORITIES.map((priority) => [{ priority }, count(s, priority)] as [Record<string, string>, number]);
    this.#gauge(
      'gateway_alarms_active',
      'Active alarms shown to operators (not shelved, suppressed or out of service), by priority.',
      ['priority'],
      byPriority(
        (s, p) => s.alarms.filter((a) => a.priority === p && a.flags.active && !isHidden(a.flags)).length,
      ),
    );
    this.#gauge(
      'gateway_alarms_unacknowledged',
      'Unacknowledged alarms (active or returned to normal) by priority.',
      ['priority'],
      byPriority((s, p) => s.alarms.filter((a) => a.priority === p && !a.flags.acked).length),
    );
  }

  #bufferMetrics(): void {
    const single = (name: string, help: string, read: (s: ObservedStatus) => number) =>
      this.#gauge(name, help, [], (s) => [[{}, read(s)]]);
    single('gateway_buffer_events', 'Events waiting in the buffer.', (s) => s.buffer.events);
    single('gateway_buffer_bytes', 'Payload bytes waiting in the buffer.', (s) => s.buffer.bytes);
    single('gateway_buffer_oldest_age_seconds', 'Age of the oldest waiting event; 0 when empty.', (s) =>
      s.buffer.oldestCreatedAt === null ? 0 : Math.max(0, (Date.now() - s.buffer.oldestCreatedAt) / 1000),
    );
    single(
      'gateway_buffer_dead_letters',
      'Events the broker refused for good, waiting in the dead-letter table.',
      (s) => s.buffer.deadLetters,
    );
    single('gateway_buffer_writable', 'Whether the buffer takes events (1) or refuses them (0).', (s) =>
      s.bufferProblem === undefined ? 1 : 0,
    );
    mirroredCounter(
      this.registry,
      'gateway_buffer_dropped_total',
      'Events the buffer dropped by its bounds (size, age, disk) or found lost or corrupt, since the buffer file was created.',
      [],
      () => [[{}, this.#current().buffer.dropped]],
    );
  }

  #producerMetrics(): void {
    this.#gauge('gateway_broker_up', 'Whether the last attempt to reach the broker succeeded.', [], (s) => [
      [{}, s.producer.brokerUp ? 1 : 0],
    ]);
    mirroredCounter(
      this.registry,
      'gateway_events_delivered_total',
      'Events the broker acknowledged (rate() of it is the drain rate).',
      [],
      () => [[{}, this.#current().producer.delivered]],
    );
    mirroredCounter(
      this.registry,
      'gateway_events_dead_lettered_total',
      'Events moved to the dead-letter table because the broker refused them for good.',
      [],
      () => [[{}, this.#current().producer.deadLettered]],
    );
    mirroredCounter(
      this.registry,
      'gateway_producer_errors_total',
      'Failed attempts to reach or write to the broker, by error code.',
      ['code'],
      () => Object.entries(this.#current().producer.failuresByCode).map(([code, n]) => [{ code }, n]),
    );
  }

  #commandMetrics(): void {
    this.#gauge(
      'gateway_commands_reading',
      'Whether the command intake is in its consumer group and reading.',
      [],
      (s) => (s.commands ? [[{}, s.commands.reading ? 1 : 0]] : []),
    );
    mirroredCounter(
      this.registry,
      'gateway_commands_total',
      'Operator commands read from the command topic, by outcome: applied, duplicate (applied before), rejected, foreign (another site).',
      ['outcome'],
      () => {
        const stats = this.#current().commands;
        if (!stats) return [];
        return [
          [{ outcome: 'applied' }, stats.applied],
          [{ outcome: 'duplicate' }, stats.duplicates],
          [{ outcome: 'rejected' }, stats.rejected],
          [{ outcome: 'foreign' }, stats.foreign],
        ];
      },
    );
  }
}

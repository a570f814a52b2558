/**
 * The composition root: builds every stage from the site file, starts them in
 * data-path order (buffer, alarms, producer, adapters) and stops them in reverse,
 * so no stage ever hands data to one that is already gone.
 */
import { isAbsolute, resolve } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { createDriver } from './adapters/create-driver.ts';
import type { DeviceStatus } from './adapters/runner.ts';
import { DeviceRunner } from './adapters/runner.ts';
import { compileAlarms } from './alarms/compile.ts';
import { AlarmEvaluator } from './alarms/evaluator.ts';
import { Outbox, type OutboxStats } from './buffer/outbox.ts';
import { DEFAULTS } from './config/defaults.ts';
import type { SiteFile } from './config/schema.ts';
import { Forwarder, type ForwarderStats } from './producer/forwarder.ts';
import { createBrokerClient } from './producer/kafka-client.ts';
import { recordShape } from './producer/record.ts';
import { type Logger, stageLogger } from './telemetry/logger.ts';

export interface GatewayOptions {
  site: SiteFile;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** How often due on-delays and off-delays are checked between readings. */
  tickMs?: number;
}

export interface GatewayStatus {
  devices: DeviceStatus[];
  buffer: OutboxStats;
  producer: ForwarderStats;
}

/** Where the buffer lives: systemd's STATE_DIRECTORY wins, then the site file, then ./var. */
export function resolveBufferPath(site: SiteFile, env: GatewayOptions['env'] = process.env): string {
  const stateDir = env.STATE_DIRECTORY?.split(':')[0] ?? site.gateway.state_dir ?? DEFAULTS.stateDir;
  const file = site.gateway.buffer?.path ?? DEFAULTS.bufferFile;
  return isAbsolute(file) ? file : resolve(stateDir, file);
}

/** KAFKA_BROKERS (comma-separated) overrides the site file, so one map runs against any broker. */
export function resolveBrokers(site: SiteFile, env: GatewayOptions['env'] = process.env): string[] {
  const fromEnv = env.KAFKA_BROKERS?.split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return [...(site.gateway.kafka?.brokers ?? [DEFAULTS.broker])];
}

export class Gateway {
  readonly #outbox: Outbox;
  readonly #forwarder: Forwarder;
  readonly #runners: DeviceRunner[];
  readonly #evaluator: AlarmEvaluator;
  readonly #ticker: NodeJS.Timeout;
  readonly #logger: Logger;
  #stopping: Promise<void> | undefined;

  private constructor(options: GatewayOptions) {
    const { site, logger } = options;
    const env = options.env ?? process.env;
    this.#logger = logger;
    const kafka = site.gateway.kafka ?? {};

    this.#outbox = new Outbox({
      path: resolveBufferPath(site, env),
      synchronous: site.gateway.buffer?.synchronous ?? 'full',
      shapeOf: recordShape,
    });
    const alarms = compileAlarms(site);
    this.#evaluator = new AlarmEvaluator({
      alarms,
      restored: this.#outbox.loadStates(),
      commit: (changes, drafts) => this.#outbox.commit(changes, drafts),
      newId: uuidv7,
      logger: stageLogger(logger, 'alarms'),
    });

    const brokers = resolveBrokers(site, env);
    const producerLogger = stageLogger(logger, 'producer', { brokers });
    this.#forwarder = new Forwarder({
      outbox: this.#outbox,
      client: createBrokerClient({
        brokers,
        clientId: kafka.client_id ?? `${DEFAULTS.clientId}-${site.gateway.id}`,
        idempotent: kafka.idempotent ?? true,
        requestTimeoutMs: kafka.request_timeout_ms ?? DEFAULTS.requestTimeoutMs,
        logger: producerLogger,
      }),
      topic: {
        topic: kafka.topic ?? DEFAULTS.topic,
        partitions: kafka.partitions ?? DEFAULTS.partitions,
        ...(kafka.replication_factor ? { replicationFactor: kafka.replication_factor } : {}),
      },
      batchMaxEvents: kafka.batch_max_events ?? DEFAULTS.batchMaxEvents,
      batchMaxBytes: kafka.batch_max_bytes ?? DEFAULTS.batchMaxBytes,
      logger: producerLogger,
    });

    this.#runners = site.devices.map((device) => {
      const deviceLogger = stageLogger(logger, 'adapter', { device: device.id });
      return new DeviceRunner({
        driver: createDriver(device, { logger: deviceLogger, gatewayId: site.gateway.id, env }),
        pollIntervalMs:
          (device.protocol === 'modbus-tcp' ? device.poll_interval_ms : undefined) ?? DEFAULTS.pollIntervalMs,
        commLossAfter:
          (device.protocol === 'modbus-tcp' ? device.comm_loss_after : undefined) ?? DEFAULTS.commLossAfter,
        sink: this.#evaluator,
        logger: deviceLogger,
      });
    });

    this.#ticker = setInterval(() => this.#evaluator.tick(), options.tickMs ?? 100);
  }

  static start(options: GatewayOptions): Gateway {
    const gateway = new Gateway(options);
    gateway.#forwarder.start();
    for (const runner of gateway.#runners) runner.start();
    const stats = gateway.#outbox.stats();
    options.logger.info(
      {
        site: options.site.site,
        gateway_id: options.site.gateway.id,
        devices: gateway.#runners.length,
        buffer: gateway.#outbox.path,
        backlog: stats.events,
        last_seq: stats.lastSeq,
      },
      'gateway started',
    );
    return gateway;
  }

  status(): GatewayStatus {
    return {
      devices: this.#runners.map((runner) => ({ ...runner.status })),
      buffer: this.#outbox.stats(),
      producer: { ...this.#forwarder.stats },
    };
  }

  /** Stops polling, lets the in-flight batch finish, closes the buffer. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#runners.map((runner) => runner.stop()));
      clearInterval(this.#ticker);
      await this.#forwarder.stop();
      const stats = this.#outbox.stats();
      this.#outbox.close();
      this.#logger.info({ backlog: stats.events, last_seq: stats.lastSeq }, 'gateway stopped');
    })();
    return this.#stopping;
  }
}

/**
 * The composition root: builds every stage from the site file, starts them in
 * data-path order (buffer, alarms, producer, then the inputs: adapters and
 * operator commands) and stops them in reverse, so no stage ever hands data to
 * one that is already gone.
 */
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { createAdapter } from './adapters/create-adapter.ts';
import type { DeviceStatus } from './adapters/runner.ts';
import { DeviceRunner } from './adapters/runner.ts';
import type { CommandSink } from './alarms/command.ts';
import { compileAlarms } from './alarms/compile.ts';
import type { CommitRequest } from './alarms/evaluator.ts';
import { AlarmEvaluator } from './alarms/evaluator.ts';
import type { AlarmEvent } from './alarms/event.ts';
import type { KpiSnapshot } from './alarms/kpis.ts';
import { bufferReplacedDraft, droppedEventsDraft, type GatewayIdentity } from './alarms/system-event.ts';
import type { AlarmView } from './alarms/view.ts';
import { resolveBufferCipher } from './buffer/configured-cipher.ts';
import type { Recovery } from './buffer/integrity.ts';
import { Outbox, type OutboxStats } from './buffer/outbox.ts';
import { DEFAULTS } from './config/defaults.ts';
import type { Device, SiteFile } from './config/schema.ts';
import { CommandIntake, type IntakeStats } from './operator/intake.ts';
import { brokerConnection, resolveBrokers } from './producer/connection.ts';
import { Forwarder, type ForwarderStats } from './producer/forwarder.ts';
import { type BrokerClient, createBrokerClient, createRecordConsumer } from './producer/kafka-client.ts';
import { outputPlan } from './producer/output-plan.ts';
import { commandTopicSpec, resolveCommandTopic } from './producer/topics.ts';
import { GatewayError } from './system/errors.ts';
import { resolveBufferPath, resolvePkiDir } from './system/state-paths.ts';
import { GatewayTelemetry } from './telemetry/gateway-telemetry.ts';
import type { ComponentLevels } from './telemetry/log-levels.ts';
import { type Logger, stageLogger } from './telemetry/logger.ts';

/** How often the buffer applies its age bound and reports drops that waited. */
const MAINTENANCE_INTERVAL_MS = 1000;
/** The alarm timer runs every tick; this long without it means the main loop is stuck. */
const TICKER_STALL_MS = 10_000;
/**
 * A polling loop moves on after every poll, failed connect or backoff (at most
 * 30 s); this long beyond its poll interval without moving on, it hangs.
 */
const POLL_LOOP_HUNG_MS = 5 * 60_000;

export interface GatewayOptions {
  site: SiteFile;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** How often due on-delays and off-delays are checked between readings. */
  tickMs?: number;
  /** Per-component log levels of the root logger, changed at run time through the listener. */
  levels?: ComponentLevels;
}

/** What a reload did, by device id. */
export interface ReloadOutcome {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  /** Settings outside the device list that changed but take effect only at the next start. */
  needsRestart: string[];
}

export interface GatewayStatus {
  devices: DeviceStatus[];
  /** Alarms that are not quiet: active, unacknowledged, shelved or out of service. */
  alarms: AlarmView[];
  buffer: OutboxStats;
  producer: ForwarderStats;
  /** Why the buffer refuses events right now, if it does. */
  bufferProblem?: string;
  /** Absent when the site file reads no operator commands. */
  commands?: IntakeStats;
}

export class Gateway {
  readonly #outbox: Outbox;
  readonly #forwarder: Forwarder;
  readonly #runners = new Map<string, { device: Device; runner: DeviceRunner }>();
  readonly #evaluator: AlarmEvaluator;
  readonly #intake: CommandIntake | undefined;
  readonly #env: NonNullable<GatewayOptions['env']>;
  readonly #pkiDir: string;
  #site: SiteFile;
  #reloading: Promise<unknown> = Promise.resolve();
  #lastTickAt = Date.now();
  readonly #ticker: NodeJS.Timeout;
  readonly #maintenance: NodeJS.Timeout;
  /** The last maintenance failure, so a lasting one is logged once, not every second. */
  #maintenanceError: string | undefined;
  /** The last commit failure (a full disk, a full buffer under `block`), until a commit succeeds. */
  #commitError: string | undefined;
  readonly #telemetry: GatewayTelemetry;
  readonly #logger: Logger;
  readonly #bufferLogger: Logger;
  #stopping: Promise<void> | undefined;

  private constructor(options: GatewayOptions) {
    const { site, logger } = options;
    const env = options.env ?? process.env;
    this.#logger = logger;
    this.#bufferLogger = stageLogger(logger, 'buffer');
    this.#site = site;
    this.#env = env;
    const kafka = site.gateway.kafka ?? {};
    const output = outputPlan(kafka);

    const buffer = site.gateway.buffer ?? {};
    const whenFull = buffer.when_full ?? DEFAULTS.whenFull;
    const identity = { gatewayId: site.gateway.id, site: site.site };
    this.#outbox = new Outbox({
      path: resolveBufferPath(site, env),
      synchronous: buffer.synchronous ?? 'full',
      shapeOf: output.shapeOf,
      cipher: resolveBufferCipher(site, env),
      onProblem: (error) => this.#bufferLogger.error({ code: error.code }, error.describe()),
      bounded: {
        bounds: {
          maxBytes: buffer.max_bytes ?? DEFAULTS.bufferMaxBytes,
          maxAgeMs: buffer.max_age_ms ?? DEFAULTS.bufferMaxAgeMs,
          whenFull,
          diskReserveBytes: buffer.disk_reserve_bytes ?? DEFAULTS.diskReserveBytes,
        },
        report: (tally, now) => droppedEventsDraft(identity, tally, whenFull, now, uuidv7),
      },
    });
    if (this.#outbox.recovery) this.#reportRecovery(this.#outbox.recovery, identity);
    const alarms = compileAlarms(site);
    this.#evaluator = new AlarmEvaluator({
      alarms,
      identity,
      ...(site.gateway.alarms ? { settings: site.gateway.alarms } : {}),
      restored: this.#outbox.loadStates(),
      commit: (request) => this.#commit(request),
      commandApplied: (commandId) => this.#outbox.commandApplied(commandId),
      newId: uuidv7,
      logger: stageLogger(logger, 'alarms'),
    });
    this.#telemetry = new GatewayTelemetry({
      site,
      env,
      logger,
      levels: options.levels,
      status: () => this.status(),
      commands: this.#evaluator,
      kpis: () => this.#evaluator.kpis(),
      newId: uuidv7,
    });

    const brokers = resolveBrokers(site, env);
    const producerLogger = stageLogger(logger, 'producer', { brokers });
    const client = createBrokerClient({
      ...brokerConnection(site, env, producerLogger),
      idempotent: kafka.idempotent ?? true,
      compression: output.compression,
    });
    this.#forwarder = new Forwarder({
      outbox: this.#outbox,
      client,
      topics: output.topics,
      recordsOf: output.recordsOf,
      batchMaxEvents: kafka.batch_max_events ?? DEFAULTS.batchMaxEvents,
      batchMaxBytes: kafka.batch_max_bytes ?? DEFAULTS.batchMaxBytes,
      ...(kafka.drain_max_events_per_s ? { drainMaxEventsPerSecond: kafka.drain_max_events_per_s } : {}),
      logger: producerLogger,
    });

    this.#pkiDir = resolvePkiDir(site, env);
    for (const device of site.devices) {
      this.#runners.set(device.id, { device, runner: this.#runnerFor(device) });
    }
    this.#intake = this.#commandIntake(client);

    this.#ticker = setInterval(() => {
      this.#lastTickAt = Date.now();
      this.#evaluator.tick();
    }, options.tickMs ?? 100);
    this.#maintenance = setInterval(() => this.#maintainBuffer(), MAINTENANCE_INTERVAL_MS);
  }

  /** Commits to the buffer, remembering whether it takes events, and shows telemetry what was committed. */
  #commit({ changes, drafts, commandId }: CommitRequest): AlarmEvent[] {
    let events: AlarmEvent[];
    try {
      events = this.#outbox.commit(changes, drafts, commandId === undefined ? {} : { commandId });
    } catch (error) {
      this.#commitError = error instanceof GatewayError ? error.describe() : String(error);
      throw error;
    }
    this.#commitError = undefined;
    this.#telemetry.committed(events);
    return events;
  }

  #commandIntake(client: BrokerClient): CommandIntake | undefined {
    const target = resolveCommandTopic(this.#site);
    const spec = commandTopicSpec(this.#site);
    if (!target || !spec) return undefined;
    const logger = stageLogger(this.#logger, 'operator', { topic: target.topic, group_id: target.groupId });
    return new CommandIntake({
      site: this.#site.site,
      consumer: createRecordConsumer(brokerConnection(this.#site, this.#env, logger), target),
      sink: this.#evaluator,
      prepare: () => client.ensureTopic(spec),
      logger,
    });
  }

  #runnerFor(device: Device): DeviceRunner {
    const deviceLogger = stageLogger(this.#logger, 'adapter', { device: device.id });
    const context = {
      logger: deviceLogger,
      gatewayId: this.#site.gateway.id,
      env: this.#env,
      pkiDir: this.#pkiDir,
    };
    return new DeviceRunner({
      adapter: createAdapter(device, context),
      pollIntervalMs: pollIntervalOf(device),
      commLossAfter:
        (device.protocol === 'mqtt' ? undefined : device.comm_loss_after) ?? DEFAULTS.commLossAfter,
      sink: this.#evaluator,
      logger: deviceLogger,
      observer: this.#telemetry.devices,
    });
  }

  #reportRecovery(recovery: Recovery, identity: GatewayIdentity): void {
    const error = new GatewayError(
      'BUFFER_CORRUPT',
      `${recovery.problem}; the old file is ${recovery.movedTo}`,
    );
    this.#bufferLogger.error({ code: error.code, moved_to: recovery.movedTo }, error.describe());
    this.#outbox.commit([], [bufferReplacedDraft(identity, recovery, Date.now(), uuidv7)]);
  }

  #maintainBuffer(): void {
    try {
      for (const event of this.#outbox.maintain()) {
        this.#bufferLogger.warn({ seq: event.seq, condition_id: event.condition_id }, event.message);
      }
      this.#maintenanceError = undefined;
    } catch (error) {
      const described = error instanceof GatewayError ? error.describe() : String(error);
      if (described !== this.#maintenanceError) this.#bufferLogger.error(described);
      this.#maintenanceError = described;
    }
  }

  static start(options: GatewayOptions): Gateway {
    const gateway = new Gateway(options);
    // Timers that ran out while the gateway was stopped (shelving, re-alarm) end now, before the first reading.
    gateway.#evaluator.tick();
    gateway.#forwarder.start();
    for (const { runner } of gateway.#runners.values()) runner.start();
    gateway.#intake?.start();
    gateway.#telemetry.start();
    const stats = gateway.#outbox.stats();
    options.logger.info(
      {
        site: options.site.site,
        gateway_id: options.site.gateway.id,
        devices: gateway.#runners.size,
        buffer: gateway.#outbox.path,
        backlog: stats.events,
        last_seq: stats.lastSeq,
      },
      'gateway started',
    );
    return gateway;
  }

  /** Resolves once every device had its first connect or poll, or after `timeoutMs`. */
  async adaptersTried(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const allTried = () => [...this.#runners.values()].every(({ runner }) => runner.tried);
    while (!allTried() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** What is wrong with the gateway's own loops, or undefined when they all move. */
  liveness(now: number = Date.now()): string | undefined {
    const problems: string[] = [];
    if (now - this.#lastTickAt > TICKER_STALL_MS) {
      problems.push(`the alarm timer has not run for ${Math.round((now - this.#lastTickAt) / 1000)} s`);
    }
    for (const { device, runner } of this.#runners.values()) {
      const still = now - runner.progressAt;
      if (still > pollIntervalOf(device) + POLL_LOOP_HUNG_MS) {
        problems.push(`the polling loop of ${device.id} has not moved for ${Math.round(still / 1000)} s`);
      }
    }
    return problems.length === 0 ? undefined : problems.join('; ');
  }

  /**
   * Applies a new site file without a restart: devices whose settings did not
   * change keep their connections and alarm state; removed and changed ones
   * stop, added and changed ones start. The site file must be valid already.
   * Reloads run one after the other.
   */
  reload(next: SiteFile): Promise<ReloadOutcome> {
    const done = this.#reloading.then(() => this.#reload(next));
    this.#reloading = done.catch(() => {});
    return done;
  }

  async #reload(next: SiteFile): Promise<ReloadOutcome> {
    const current = this.#site;
    const needsRestart: string[] = [];
    if (next.site !== current.site) needsRestart.push('site');
    if (!isDeepStrictEqual(next.gateway, current.gateway)) needsRestart.push('gateway');
    // Site and gateway settings stay as they are until the next start: only the devices change now.
    const site: SiteFile = { ...next, site: current.site, gateway: current.gateway };
    const wanted = new Map(site.devices.map((device) => [device.id, device]));
    const outcome: ReloadOutcome = { added: [], removed: [], changed: [], unchanged: [], needsRestart };
    for (const [id, { device }] of this.#runners) {
      const replacement = wanted.get(id);
      if (replacement === undefined) outcome.removed.push(id);
      else if (isDeepStrictEqual(replacement, device)) outcome.unchanged.push(id);
      else outcome.changed.push(id);
    }
    for (const id of wanted.keys()) if (!this.#runners.has(id)) outcome.added.push(id);

    const leaving = [...outcome.removed, ...outcome.changed];
    await Promise.all(leaving.map((id) => this.#runners.get(id)?.runner.stop()));
    for (const id of leaving) this.#runners.delete(id);
    this.#site = site;
    this.#evaluator.redefine(compileAlarms(site), new Set(leaving), this.#outbox.loadStates());
    for (const id of [...outcome.changed, ...outcome.added]) {
      const device = wanted.get(id) as Device;
      const runner = this.#runnerFor(device);
      this.#runners.set(id, { device, runner });
      runner.start();
    }
    return outcome;
  }

  /** Where operator commands go: the alarm stage applies them and answers each. */
  get commands(): CommandSink {
    return this.#evaluator;
  }

  /** Alarm performance figures and active alarms, for metrics. */
  alarmKpis(): KpiSnapshot {
    return this.#evaluator.kpis();
  }

  status(): GatewayStatus {
    const bufferProblem = this.#commitError ?? this.#maintenanceError;
    return {
      devices: [...this.#runners.values()].map(({ runner }) => ({ ...runner.status })),
      alarms: this.#evaluator.alarms(),
      buffer: this.#outbox.stats(),
      producer: { ...this.#forwarder.stats, failuresByCode: { ...this.#forwarder.stats.failuresByCode } },
      ...(bufferProblem === undefined ? {} : { bufferProblem }),
      ...(this.#intake ? { commands: this.#intake.stats } : {}),
    };
  }

  /** Where the local listener listens (metrics, health, status page), once it does. */
  get listening(): Promise<AddressInfo | undefined> {
    return this.#telemetry.listening;
  }

  /**
   * Stops polling and reading commands (the command in hand is committed
   * first), lets the in-flight batch finish, closes the buffer. Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#telemetry.stop();
      await this.#reloading;
      await Promise.all([
        ...[...this.#runners.values()].map(({ runner }) => runner.stop()),
        this.#intake?.stop(),
      ]);
      clearInterval(this.#ticker);
      clearInterval(this.#maintenance);
      await this.#forwarder.stop();
      const stats = this.#outbox.stats();
      this.#outbox.close();
      this.#logger.info({ backlog: stats.events, last_seq: stats.lastSeq }, 'gateway stopped');
    })();
    return this.#stopping;
  }
}

function pollIntervalOf(device: Device): number {
  return (device.protocol === 'mqtt' ? undefined : device.poll_interval_ms) ?? DEFAULTS.pollIntervalMs;
}

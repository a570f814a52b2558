/**
 * Everything that watches a running gateway, built from the site file's
 * listener settings: the metrics, the event loop lag and the local listener.
 * The gateway hands it a view of its status and two hooks (polls, committed
 * events); no stage calls it.
 */
import type { AddressInfo } from 'node:net';
import type { CommandSink } from '../alarms/command.ts';
import type { AlarmEvent } from '../alarms/event.ts';
import type { KpiSnapshot } from '../alarms/kpis.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { readSecret } from '../system/secret.ts';
import type { DeviceWatch } from './device-watch.ts';
import { Listener } from './listener.ts';
import { ComponentLevels } from './log-levels.ts';
import { type Logger, stageLogger } from './logger.ts';
import { LoopLag } from './loop-lag.ts';
import { GatewayMetrics } from './metrics.ts';
import type { ObservedStatus } from './observed.ts';

export interface GatewayTelemetryOptions {
  site: SiteFile;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  levels?: ComponentLevels | undefined;
  status: () => ObservedStatus;
  commands?: CommandSink | undefined;
  /** The alarm stage's ISA-18.2 key figures, published as metrics. */
  kpis?: (() => KpiSnapshot) | undefined;
  newId: () => string;
}

export class GatewayTelemetry {
  readonly metrics: GatewayMetrics;
  readonly #loopLag = new LoopLag();
  readonly #listener: Listener | undefined;
  /** Where the listener listens, once it does; undefined when it is off or could not bind. */
  listening: Promise<AddressInfo | undefined> = Promise.resolve(undefined);

  constructor(options: GatewayTelemetryOptions) {
    const { site, env, status } = options;
    const logger = stageLogger(options.logger, 'telemetry');
    for (const [component, level] of Object.entries(site.gateway.log_levels ?? {})) {
      if (level !== undefined && ComponentLevels.isComponent(component))
        options.levels?.set(component, level);
    }
    this.metrics = new GatewayMetrics({ gatewayId: site.gateway.id, site: site.site, status });
    if (options.kpis) this.metrics.useAlarmKpis(options.kpis);
    const settings = site.gateway.listener ?? {};
    if (settings.enabled === false) return;
    this.#listener = new Listener({
      host: settings.host ?? DEFAULTS.listenerHost,
      port: settings.port ?? DEFAULTS.listenerPort,
      site: site.site,
      gatewayId: site.gateway.id,
      metrics: this.metrics,
      status,
      loopLag: this.#loopLag,
      maxLoopLagMs: settings.max_loop_lag_ms ?? DEFAULTS.maxLoopLagMs,
      minDevicesShare: settings.ready_min_devices_share ?? DEFAULTS.readyMinDevicesShare,
      refreshMs: settings.status_refresh_ms ?? DEFAULTS.statusRefreshMs,
      token: settings.operator_token ? operatorToken(settings.operator_token, env, logger) : undefined,
      commands: options.commands,
      levels: options.levels,
      logger,
      newId: options.newId,
    });
  }

  /** Watches polls and readings; the device runners report to it. */
  get devices(): DeviceWatch {
    return this.metrics.devices;
  }

  committed(events: readonly AlarmEvent[]): void {
    this.metrics.committed(events);
  }

  start(): void {
    this.#loopLag.start();
    if (this.#listener) this.listening = this.#listener.start();
  }

  async stop(): Promise<void> {
    this.#loopLag.stop();
    await this.#listener?.stop();
  }
}

/** An unreadable token leaves actions off and the page read-only; it does not stop the gateway. */
function operatorToken(
  source: { file?: string | undefined; env?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): string | undefined {
  try {
    const token = readSecret(source, env, 'LISTENER_TOKEN');
    if (token.trim() !== '') return token.trim();
    throw new GatewayError('LISTENER_TOKEN', 'the token is empty');
  } catch (error) {
    const described = error instanceof GatewayError ? error.describe() : String(error);
    logger.error({ code: 'LISTENER_TOKEN' }, described);
    return undefined;
  }
}

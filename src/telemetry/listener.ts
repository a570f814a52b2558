/**
 * The local HTTP listener: /metrics (Prometheus), /healthz and /readyz, the
 * status page with its /api/status, and the operator's /api/commands and
 * /api/loglevel. Read-only unless an operator token is configured.
 *
 * It only observes: when it cannot bind its port, the error is logged and
 * the gateway runs on without it, because no event depends on it.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommandSink } from '../alarms/command.ts';
import { LOG_COMPONENTS, type LogLevelSetting } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { parseCommandRequest } from './command-request.ts';
import { type Liveness, liveness, type Readiness, readiness } from './health.ts';
import { HttpError, readJsonBody, requireBearer, requireLocalHost, sendJson, sendText } from './http.ts';
import { ComponentLevels } from './log-levels.ts';
import type { Logger } from './logger.ts';
import type { LoopLag } from './loop-lag.ts';
import type { GatewayMetrics } from './metrics.ts';
import { deviceUp, type ObservedStatus } from './observed.ts';
import { loadStatusPage, type StaticFile } from './static-files.ts';
import { statusReport } from './status-report.ts';

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export interface ListenerOptions {
  host: string;
  port: number;
  site: string;
  gatewayId: string;
  metrics: GatewayMetrics;
  status: () => ObservedStatus;
  loopLag: LoopLag;
  maxLoopLagMs: number;
  minDevicesShare: number;
  refreshMs: number;
  /** The operator token; without one, actions and level changes are refused. */
  token?: string | undefined;
  /** The alarm stage's commands; without them, actions answer 501. */
  commands?: CommandSink | undefined;
  levels?: ComponentLevels | undefined;
  logger: Logger;
  newId: () => string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export class Listener {
  readonly #options: ListenerOptions;
  readonly #server: Server;
  readonly #routes = new Map<string, Handler>();
  readonly #page: Map<string, StaticFile>;

  constructor(options: ListenerOptions) {
    this.#options = options;
    this.#page = loadStatusPage();
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#routes.set('GET /metrics', (_req, res) => this.#metrics(res));
    this.#routes.set('GET /healthz', (_req, res) => {
      const live = this.liveness();
      sendJson(res, live.ok ? 200 : 503, live);
    });
    this.#routes.set('GET /readyz', (_req, res) => {
      const ready = this.readiness(this.#options.status());
      sendJson(res, ready.ok ? 200 : 503, ready);
    });
    this.#routes.set('GET /api/status', (_req, res) => sendJson(res, 200, this.#report()));
    this.#routes.set('POST /api/commands', (req, res) => this.#command(req, res));
    this.#routes.set('GET /api/loglevel', (_req, res) => sendJson(res, 200, this.#levels().current()));
    this.#routes.set('PUT /api/loglevel', (req, res, url) => this.#setLevel(req, res, url));
    for (const [path, file] of this.#page) {
      this.#routes.set(`GET ${path}`, (_req, res) => sendText(res, 200, file.contentType, file.body));
    }
  }

  /** Listens; resolves with the address, or undefined when the port cannot be had (logged). */
  async start(): Promise<AddressInfo | undefined> {
    const { host, port, logger } = this.#options;
    this.#server.listen(port, host);
    try {
      await Promise.race([
        once(this.#server, 'listening'),
        once(this.#server, 'error').then(([error]) => Promise.reject(error)),
      ]);
    } catch (cause) {
      const error = new GatewayError('LISTENER_BIND', `${host}:${port}: ${(cause as Error).message}`);
      logger.error({ code: error.code, host, port }, error.describe());
      return undefined;
    }
    const address = this.#server.address() as AddressInfo;
    logger.info(
      {
        url: `http://${address.address}:${address.port}/`,
        operator_actions: this.#options.token !== undefined,
      },
      'listener ready: status page, /metrics, /healthz, /readyz',
    );
    return address;
  }

  async stop(): Promise<void> {
    if (!this.#server.listening) return;
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  liveness(): Liveness {
    return liveness(this.#options.loopLag.worstMs(), this.#options.maxLoopLagMs);
  }

  readiness(status: ObservedStatus): Readiness {
    return readiness({
      configLoaded: true,
      bufferProblem: status.bufferProblem,
      devices: status.devices.map((device) => ({ deviceId: device.deviceId, up: deviceUp(device) })),
      minDevicesShare: this.#options.minDevicesShare,
      brokerUp: status.producer.brokerUp,
      brokerError: status.producer.lastError,
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://listener');
    const handler = this.#routes.get(`${req.method} ${url.pathname}`);
    try {
      requireLocalHost(req, this.#options.host);
      if (!handler) {
        const known = [...this.#routes.keys()].some((route) => route.endsWith(` ${url.pathname}`));
        throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
      }
      await handler(req, res, url);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        sendJson(res, error.status, { error: error.message });
        return;
      }
      // A stage that cannot do what was asked (a buffer that refuses the command's events) says why.
      if (error instanceof GatewayError) {
        this.#options.logger.error({ code: error.code, path: url.pathname }, error.describe());
        sendJson(res, 503, { error: error.describe() });
        return;
      }
      this.#options.logger.error({ err: error, path: url.pathname }, 'listener: request failed');
      sendJson(res, 500, { error: (error as Error).message });
    }
  }

  async #metrics(res: ServerResponse): Promise<void> {
    const { metrics } = this.#options;
    sendText(res, 200, metrics.contentType, await metrics.scrape());
  }

  #report() {
    const { metrics, status, site, gatewayId, refreshMs, token, commands } = this.#options;
    const current = status();
    return statusReport(current, {
      site,
      gatewayId,
      refreshMs,
      actionsEnabled: token !== undefined && commands !== undefined,
      readiness: this.readiness(current),
      readingsOf: (id, up) => metrics.devices.of(id, up),
      now: Date.now(),
    });
  }

  async #command(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { token, commands, site, newId, logger } = this.#options;
    requireBearer(req, token);
    if (!commands) throw new HttpError(501, 'this gateway has no alarm command interface');
    const parsed = parseCommandRequest(await readJsonBody(req), site, newId);
    const outcome = parsed.ok
      ? commands.command(parsed.command)
      : commands.reject(parsed.received, parsed.reason);
    const command = parsed.ok ? parsed.command : parsed.received;
    logger.info(
      {
        command_id: command.command_id,
        action: command.action,
        condition_id: command.condition_id,
        scope: command.scope,
        actor: command.actor,
        accepted: outcome.accepted,
        duplicate: outcome.duplicate,
        reason: outcome.reason,
      },
      `operator command ${String(command.action)} ${outcome.accepted ? 'accepted' : 'refused'}`,
    );
    sendJson(res, outcome.accepted ? 200 : parsed.ok ? 409 : 400, {
      accepted: outcome.accepted,
      duplicate: outcome.duplicate,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      events: outcome.events.map((event) => ({
        seq: event.seq,
        event_id: event.event_id,
        transition: event.transition,
        condition_id: event.condition_id,
      })),
    });
  }

  async #setLevel(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    requireBearer(req, this.#options.token);
    const component = url.searchParams.get('component') ?? '';
    const level = url.searchParams.get('level') ?? '';
    if (!ComponentLevels.isComponent(component)) {
      throw new HttpError(400, `component must be one of ${LOG_COMPONENTS.join(', ')}`);
    }
    if (!LEVELS.includes(level)) throw new HttpError(400, `level must be one of ${LEVELS.join(', ')}`);
    this.#levels().set(component, level as LogLevelSetting);
    this.#options.logger.info({ component, level }, `log level of ${component} set to ${level}`);
    sendJson(res, 200, this.#levels().current());
  }

  #levels(): ComponentLevels {
    if (!this.#options.levels) throw new HttpError(501, 'log levels cannot be changed in this process');
    return this.#options.levels;
  }
}

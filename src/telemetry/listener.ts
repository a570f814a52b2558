/**
 * The local HTTP listener: /metrics (Prometheus), /healthz and /readyz, the
 * status page with its /api/status, and the operator's /api/commands and
 * /api/loglevel. Read-only unless an operator token is configured.
 *
 * It only observes: when it cannot bind its port, the error is logged and
 * the gateway runs on without it, because no event depends on it. For the
 * same reason nothing a client sends may end or stall the process: every
 * failure of a request becomes an answer and a log line, and the limits of
 * listener-limits.ts keep a crowd of clients cheap.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CommandSink } from '../alarms/command.ts';
import { LOG_COMPONENTS, type LogLevelSetting } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { parseCommandRequest } from './command-request.ts';
import { type Liveness, liveness, type Readiness, readiness } from './health.ts';
import { HttpError, readJsonBody, requireBearer, requireLocalHost, sendJson, sendText } from './http.ts';
import { MAX_CONNECTIONS, RETRY_AFTER_S, SCRAPE_REUSE_MS } from './listener-limits.ts';
import { ComponentLevels } from './log-levels.ts';
import type { Logger } from './logger.ts';
import type { LoopLag } from './loop-lag.ts';
import type { GatewayMetrics } from './metrics.ts';
import { deviceUp, type ObservedStatus } from './observed.ts';
import { parseRequestTarget } from './request-target.ts';
import { SharedRendering } from './shared-rendering.ts';
import { loadStatusPage, type StaticFile } from './static-files.ts';
import { statusReport } from './status-report.ts';

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

/** Answered beyond the connection cap: a supervisor must not take a crowd of scrapers for a dead gateway. */
const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

const CONNECT_REFUSED =
  'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST, PUT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

const UNPARSEABLE_TARGET =
  'the request target must be a path (one leading /, whole % escapes) or an http:// URL';

/** Enough of a client's path to recognise it in a log line, however long it sent it. */
const LOGGED_PATH_CHARS = 200;

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
  readonly #scrapes: SharedRendering;
  /** Connections opened while MAX_CONNECTIONS others were open. */
  readonly #overCap = new WeakSet<Socket>();
  #open = 0;

  constructor(options: ListenerOptions) {
    this.#options = options;
    this.#page = loadStatusPage();
    this.#scrapes = new SharedRendering(() => options.metrics.scrape(), SCRAPE_REUSE_MS);
    this.#server = createServer((req, res) => this.#serve(req, res));
    this.#server.on('connection', (socket: Socket) => this.#count(socket));
    this.#server.on('connect', (_req: IncomingMessage, socket: Duplex) => this.#refuseTunnel(socket));
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
    // Errors after the start (no file descriptor left to accept with) are logged, never thrown.
    this.#server.on('error', (cause: Error) => {
      const error = new GatewayError('LISTENER_ACCEPT', cause.message);
      logger.error({ code: error.code }, error.describe());
    });
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

  #count(socket: Socket): void {
    this.#open += 1;
    if (this.#open > MAX_CONNECTIONS) this.#overCap.add(socket);
    socket.once('close', () => {
      this.#open -= 1;
    });
  }

  /**
   * CONNECT asks for a tunnel, which this listener never opens. Node hands
   * over the bare socket, so it is answered and closed here; its errors (a
   * client that resets) are the client's business, not the process's.
   */
  #refuseTunnel(socket: Duplex): void {
    socket.on('error', () => undefined);
    socket.end(CONNECT_REFUSED, () => socket.destroy());
  }

  /** The one entry of every request: nothing it does may escape as a rejection or exception. */
  #serve(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', (error) => this.#options.logger.debug({ err: error }, 'listener: answer not sent'));
    this.#handle(req, res).catch((error: unknown) => {
      this.#options.logger.error({ err: error }, 'listener: a request failed while it was answered');
      res.destroy();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path = '';
    try {
      const target = parseRequestTarget(req.url ?? '');
      if (!target) throw new HttpError(400, UNPARSEABLE_TARGET);
      path = target.url.pathname;
      if (this.#overCap.has(req.socket) && !PROBES.has(path)) {
        throw new HttpError(503, `more than ${MAX_CONNECTIONS} connections are open; try again later`, {
          'retry-after': String(RETRY_AFTER_S),
          connection: 'close',
        });
      }
      requireLocalHost(target.authority ?? req.headers.host ?? '', this.#options.host);
      const handler = this.#routes.get(`${req.method} ${path}`);
      if (!handler) {
        const known = [...this.#routes.keys()].some((route) => route.endsWith(` ${path}`));
        throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
      }
      await handler(req, res, target.url);
    } catch (error) {
      this.#fail(req, res, path, error);
    }
  }

  /** A failed request is answered with why; a refusal is logged at debug, a fault of the gateway as an error. */
  #fail(req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void {
    const { logger } = this.#options;
    const request = { method: req.method, path: path.slice(0, LOGGED_PATH_CHARS) };
    if (res.headersSent) {
      logger.error({ ...request, err: error }, 'listener: request failed after its answer began');
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      logger.debug({ ...request, status: error.status }, `listener: request refused: ${error.message}`);
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      sendJson(res, error.status, { error: error.message });
      return;
    }
    // A stage that cannot do what was asked (a buffer that refuses the command's events) says why.
    if (error instanceof GatewayError) {
      logger.error({ ...request, code: error.code }, error.describe());
      sendJson(res, 503, { error: error.describe() });
      return;
    }
    const failure = new GatewayError(
      'LISTENER_REQUEST',
      `${request.method} ${request.path}: ${(error as Error)?.message}`,
    );
    logger.error({ ...request, code: failure.code, err: error }, failure.describe());
    sendJson(res, 500, { error: failure.describe() });
  }

  async #metrics(res: ServerResponse): Promise<void> {
    sendText(res, 200, this.#options.metrics.contentType, await this.#scrapes.text());
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

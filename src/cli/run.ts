import { formatIssue, loadSiteFile } from '../config/load.ts';
import { loadSiteFileOffThread } from '../config/load-off-thread.ts';
import { Gateway } from '../gateway.ts';
import { GatewayError } from '../system/errors.ts';
import { systemdNotifier } from '../system/systemd-notify.ts';
import { Heartbeat, watchdogPeriodMs } from '../system/watchdog.ts';
import { ComponentLevels } from '../telemetry/log-levels.ts';
import { createLogger, type Logger, type LogLevel } from '../telemetry/logger.ts';
import { onReloadSignal, untilShutdownSignal } from './signals.ts';

/**
 * How long readiness waits for every device's first connect or poll: a device
 * that is down is normal operation, it must not hold up the start.
 */
const FIRST_ATTEMPTS_MS = 10_000;

/**
 * Runs the gateway until SIGTERM/SIGINT; nothing starts when the site file is
 * invalid. Under systemd (Type=notify) it reports readiness once config,
 * buffer and adapters are up, feeds the watchdog while its loops are healthy,
 * and re-reads the site file on SIGHUP.
 */
export async function runCommand(file: string): Promise<number> {
  const result = loadSiteFile(file);
  if (!result.ok) {
    for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    process.stderr.write(`${file}: not started, ${result.issues.length} problem(s) in the site file\n`);
    return 1;
  }
  const site = result.site;
  const levels = new ComponentLevels();
  const logger = createLogger(
    (process.env.LOG_LEVEL as LogLevel | undefined) ?? site.gateway.log_level ?? 'info',
    undefined,
    levels,
  );
  const notifier = systemdNotifier(process.env, (error) =>
    logger.error({ code: error.code }, error.describe()),
  );
  const fatal = (error: unknown) => {
    logger.fatal(
      { err: error },
      error instanceof GatewayError ? error.describe() : 'unexpected error; exiting',
    );
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // Registered before the start: an unhandled SIGHUP would end the process.
  let gateway: Gateway | undefined;
  onReloadSignal(async () => {
    if (gateway) await reload(file, gateway, logger, notifier);
    else logger.warn('reload signal ignored: the gateway is still starting');
  });

  let started: Gateway;
  try {
    started = Gateway.start({ site, logger, levels });
  } catch (error) {
    logger.fatal(
      { err: error },
      error instanceof GatewayError ? error.describe() : 'gateway failed to start',
    );
    await notifier?.close();
    return 1;
  }
  gateway = started;
  await started.adaptersTried(FIRST_ATTEMPTS_MS);
  notifier?.ready(statusLine(started));
  const heartbeat =
    notifier &&
    new Heartbeat({
      notifier,
      watchdogMs: watchdogPeriodMs(process.env),
      check: () => started.liveness(),
      status: () => statusLine(started),
      logger,
    });
  heartbeat?.beat();

  const signal = await untilShutdownSignal();
  logger.info({ signal }, 'shutting down: stop polling, finish the batch in flight, close the buffer');
  heartbeat?.stop();
  notifier?.stopping('stopping: finishing the batch in flight');
  await started.stop();
  await notifier?.close();
  return 0;
}

/**
 * Re-reads the site file in a worker thread, so polls and health answers go
 * on however large or broken the file is; an invalid one is refused with its
 * problems (the first hundred) and the running config stays.
 */
async function reload(
  file: string,
  gateway: Gateway,
  logger: Logger,
  notifier: ReturnType<typeof systemdNotifier>,
): Promise<void> {
  const result = await loadSiteFileOffThread(file);
  if (!result.ok) {
    const count = result.issues.length + (result.omitted ?? 0);
    const error = new GatewayError('CONFIG_RELOAD', `${file}: ${count} problem(s)`);
    logger.error(
      {
        code: error.code,
        problems: result.issues.map((issue) => formatIssue(issue)),
        ...(result.omitted ? { omitted: result.omitted } : {}),
      },
      error.describe(),
    );
    notifier?.status(`reload refused: ${count} problem(s) in ${file}; ${statusLine(gateway)}`);
    return;
  }
  let outcome: Awaited<ReturnType<Gateway['reload']>>;
  try {
    outcome = await gateway.reload(result.site);
  } catch (error) {
    const described = error instanceof GatewayError ? error.describe() : String(error);
    logger.error({ err: error }, `reload failed part way: ${described}`);
    return;
  }
  if (outcome.needsRestart.length > 0) {
    logger.warn(
      { keys: outcome.needsRestart },
      `${outcome.needsRestart.join(' and ')} settings changed: they take effect at the next restart`,
    );
  }
  logger.info(
    {
      added: outcome.added,
      removed: outcome.removed,
      changed: outcome.changed,
      unchanged: outcome.unchanged.length,
    },
    'site file reloaded',
  );
  notifier?.status(statusLine(gateway));
}

/** One line for `systemctl status`. */
function statusLine(gateway: Gateway): string {
  const { devices, buffer, producer } = gateway.status();
  const reachable = devices.filter((device) => !device.lost && device.connected).length;
  return `${reachable}/${devices.length} devices reachable; ${buffer.events} events buffered; broker ${producer.brokerUp ? 'up' : 'down'}`;
}

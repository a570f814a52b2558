import { formatIssue, loadSiteFile } from '../config/load.ts';
import { Gateway } from '../gateway.ts';
import { GatewayError } from '../system/errors.ts';
import { ComponentLevels } from '../telemetry/log-levels.ts';
import { createLogger, type LogLevel } from '../telemetry/logger.ts';
import { untilShutdownSignal } from './signals.ts';

/** Runs the gateway until SIGTERM/SIGINT; nothing starts when the site file is invalid. */
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
  const fatal = (error: unknown) => {
    logger.fatal(
      { err: error },
      error instanceof GatewayError ? error.describe() : 'unexpected error; exiting',
    );
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);

  let gateway: Gateway;
  try {
    gateway = Gateway.start({ site, logger, levels });
  } catch (error) {
    logger.fatal(
      { err: error },
      error instanceof GatewayError ? error.describe() : 'gateway failed to start',
    );
    return 1;
  }
  const signal = await untilShutdownSignal();
  logger.info({ signal }, 'shutting down: stop polling, finish the batch in flight, close the buffer');
  await gateway.stop();
  return 0;
}
